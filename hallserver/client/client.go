package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"onestop/hallserver/api"
)

// Sentinels matched by *Error (errors.Is) according to its code.
var (
	ErrUnauthenticated = errors.New("client: not signed in or token invalid")
	ErrForbidden       = errors.New("client: forbidden")
	ErrNotFound        = errors.New("client: not found")
	ErrInvalid         = errors.New("client: invalid request")
	ErrConflict        = errors.New("client: conflict")
	ErrNothingWaiting  = errors.New("client: nothing waiting")
	ErrRateLimited     = errors.New("client: rate limited")
	ErrUnavailable     = errors.New("client: hall server unavailable")
)

// Error is an error response from the hall server.
type Error struct {
	Status     int
	Code       string
	Message    string
	RetryAfter time.Duration // set on 429
}

func (e *Error) Error() string {
	return fmt.Sprintf("hall server: %s (%d %s)", e.Message, e.Status, e.Code)
}

// Is maps the error code to the package sentinels.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthenticated:
		return e.Code == api.CodeUnauthenticated
	case ErrForbidden:
		return e.Code == api.CodeForbidden
	case ErrNotFound:
		return e.Code == api.CodeNotFound || e.Code == api.CodeNothingWaiting
	case ErrNothingWaiting:
		return e.Code == api.CodeNothingWaiting
	case ErrInvalid:
		return e.Code == api.CodeInvalid || e.Code == api.CodeTooLarge
	case ErrConflict:
		return e.Code == api.CodeConflict
	case ErrRateLimited:
		return e.Code == api.CodeRateLimited
	case ErrUnavailable:
		return e.Code == api.CodeUnavailable || e.Status == http.StatusBadGateway || e.Status == http.StatusGatewayTimeout
	}
	return false
}

// Client talks to one hall server. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	hc      *http.Client
	timeout time.Duration

	mu    sync.RWMutex
	token string
}

// Option configures a Client.
type Option func(*Client)

// WithToken sets the session or device token sent as Bearer.
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithHTTPClient sets the underlying http.Client (its Timeout is ignored
// in favour of WithTimeout for ordinary calls).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithTimeout sets how long one call may take; 10 s by default.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// New returns a client of the hall server at baseURL (e.g. "http://127.0.0.1:8080").
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("client: hall server URL %q: give it as http://HOST:PORT", baseURL)
	}
	c := &Client{base: u, hc: &http.Client{}, timeout: 10 * time.Second}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Token is the current token.
func (c *Client) Token() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.token
}

// SetToken replaces the token.
func (c *Client) SetToken(t string) {
	c.mu.Lock()
	c.token = t
	c.mu.Unlock()
}

// BaseURL is the hall server's address.
func (c *Client) BaseURL() string { return c.base.String() }

// do sends a request with an optional JSON body and decodes a JSON answer
// into out (when out is not nil).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	return c.doRaw(ctx, method, path, in, func(resp *http.Response) error {
		if out == nil {
			io.Copy(io.Discard, resp.Body)
			return nil
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return fmt.Errorf("client: decode answer of %s %s: %w", method, path, err)
		}
		return nil
	})
}

// doRaw sends a request like do and hands a successful answer to read.
func (c *Client) doRaw(ctx context.Context, method, path string, in any, read func(*http.Response) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("client: encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, body)
	if err != nil {
		return fmt.Errorf("client: %s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if t := c.Token(); t != "" {
		req.Header.Set("Authorization", "Bearer "+t)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("client: %s %s: %w: %w", method, path, ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return decodeError(resp)
	}
	return read(resp)
}

func decodeError(resp *http.Response) error {
	e := &Error{Status: resp.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body api.Error
	if json.Unmarshal(b, &body) == nil && body.Code != "" {
		e.Code, e.Message = body.Code, body.Message
	} else {
		e.Code = api.CodeInternal
		if resp.StatusCode == http.StatusServiceUnavailable {
			e.Code = api.CodeUnavailable
		}
		e.Message = strings.TrimSpace(string(b))
		if e.Message == "" {
			e.Message = resp.Status
		}
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		var secs int
		if _, err := fmt.Sscanf(ra, "%d", &secs); err == nil {
			e.RetryAfter = time.Duration(secs) * time.Second
		}
	}
	return e
}
