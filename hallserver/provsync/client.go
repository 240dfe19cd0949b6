package provsync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"

	"onestop/hallserver/exchange"
)

// caller sends signed requests to the province with in-call retries.
type caller struct {
	cfg *Config
	rc  *retryablehttp.Client
	// onRetry, when set, hears of every attempt after the first (path,
	// attempt counted from 0), so the link shows "retrying" while a call
	// is still trying, not only once it gave up.
	onRetry func(path string, attempt int)
}

type bodyKey struct{}

func newCaller(cfg *Config) *caller {
	c := &caller{cfg: cfg}
	hc := cleanhttp.DefaultPooledClient()
	hc.Timeout = cfg.AttemptTimeout // the library sets none: a black hole would hang an attempt for ever
	c.rc = &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       slogLogger{cfg.Logger},
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     cfg.RetryMax,
		CheckRetry:   checkRetry,
		Backoff:      FullJitter,
		// The last answer comes back as it is (not a bare "giving up"), so
		// the relay can tell a 503 from a refused signature.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, attempt int) {
			if attempt > 0 && c.onRetry != nil {
				c.onRetry(req.URL.Path, attempt)
			}
		},
		// Each attempt is signed anew: a fresh timestamp and nonce, or the
		// province would refuse the retry as a replay.
		PrepareRetry: func(req *http.Request) error {
			body, _ := req.Context().Value(bodyKey{}).([]byte)
			req.Header = req.Header.Clone()
			c.sign(req, body)
			return nil
		},
	}
	return c
}

func (c *caller) sign(req *http.Request, body []byte) {
	exchange.SignRequest(req.Header, req.Method, exchange.PathQuery(req), c.cfg.Hall, c.cfg.Secret, body, c.cfg.Now())
}

// checkRetry is retryablehttp's default policy (transport errors, 429,
// 5xx but 501), and one more case: a 401 "replayed". Go's HTTP transport
// sends a request with an Idempotency-Key (and every GET) once more by
// itself when a kept-alive connection breaks before the answer — with
// the same nonce, which the province rightly refuses. Signed anew
// (PrepareRetry), the next attempt is fine.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if err == nil && resp != nil && resp.StatusCode == http.StatusUnauthorized && errorCode(resp) == exchange.CodeReplayed {
		return ctx.Err() == nil, ctx.Err()
	}
	return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
}

// errorCode reads the exchange.Error code of an answer and leaves its
// body readable again.
func errorCode(resp *http.Response) string {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	var e exchange.Error
	json.Unmarshal(raw, &e)
	return e.Code
}

// callError is a failed call: Status 0 for a transport failure (refused,
// reset, timed out), else the province's answer and its error body.
type callError struct {
	Status  int
	Code    string
	Message string
	Err     error
}

func (e *callError) Error() string {
	switch {
	case e.Status == 0:
		return fmt.Sprintf("the province did not answer: %v", e.Err)
	case e.Message != "":
		return fmt.Sprintf("the province answered %d %s: %s", e.Status, e.Code, e.Message)
	default:
		return fmt.Sprintf("the province answered %d", e.Status)
	}
}

func (e *callError) Unwrap() error { return e.Err }

// refused reports whether the province refused the hall itself
// (credentials, clock, hall code): retrying the same way will not help
// until staff fix it.
func (e *callError) refused() bool {
	return (e.Status == http.StatusUnauthorized && e.Code != exchange.CodeReplayed) || e.Status == http.StatusForbidden
}

// tooLarge reports whether the province refused the request as too large
// (its own error body, not a proxy's page).
func (e *callError) tooLarge() bool {
	return e.Status == http.StatusRequestEntityTooLarge && e.Code == exchange.CodeTooLarge
}

// do sends method path with body (nil for none), signed, with the
// headers given, and decodes a 200 answer into out. Anything else is a
// *callError.
func (c *caller) do(ctx context.Context, method, path string, body []byte, header http.Header, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.CallTimeout)
	defer cancel()
	ctx = context.WithValue(ctx, bodyKey{}, body)
	var rb any
	if body != nil {
		rb = body // a []byte body is rewound for every attempt
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, c.cfg.URL+path, rb)
	if err != nil {
		return fmt.Errorf("provsync: %s %s: %w", method, path, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "onestop-hallserver/"+c.cfg.Hall)
	c.sign(req.Request, body)
	resp, err := c.rc.Do(req)
	if resp == nil {
		if err == nil {
			err = errors.New("no answer")
		}
		return &callError{Err: err}
	}
	defer resp.Body.Close()
	raw, rerr := io.ReadAll(io.LimitReader(resp.Body, exchange.MaxBodyBytes))
	if resp.StatusCode != http.StatusOK {
		ce := &callError{Status: resp.StatusCode, Err: err}
		var e exchange.Error
		if json.Unmarshal(raw, &e) == nil {
			ce.Code, ce.Message = e.Code, e.Message
		} else {
			ce.Message = strings.TrimSpace(string(raw[:min(len(raw), 200)]))
		}
		return ce
	}
	if rerr != nil {
		// The answer was cut: the province may have taken the request, so
		// it counts as unanswered and is sent again (deduplicated there).
		return &callError{Err: fmt.Errorf("reading the answer: %w", rerr)}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &callError{Status: resp.StatusCode, Err: err, Message: "the answer is not the JSON the exchange API defines: " + err.Error()}
	}
	return nil
}
