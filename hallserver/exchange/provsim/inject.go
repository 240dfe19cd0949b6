package provsim

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"onestop/hallserver/exchange"
)

// exchangeRequest is an exchange request that passed the faults: its body,
// and whether its acknowledgement is to be lost (pushes only).
type exchangeRequest struct {
	body     []byte
	tooLarge bool
	lostAck  bool
	signed   exchange.Signed // set by signedGet
}

// injectedStatuses are the 5xx answers of FailRate, in turn.
var injectedStatuses = []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}

// exchangeRoute reads the request, applies the faults in force (black
// hole → latency → reset → failure) and hands what is left to h.
func (p *Province) exchangeRoute(h func(http.ResponseWriter, *http.Request, *exchangeRequest)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p.counts.requests.Add(1)
		d := p.faults.roll()
		req := &exchangeRequest{}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, exchange.MaxBodyBytes))
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			req.tooLarge = true
		case err != nil:
			return // the client went away
		}
		req.body = body

		f, changed := p.faults.get()
		if f.BlackHole {
			p.counts.blackHole.Add(1)
			for f.BlackHole {
				select {
				case <-r.Context().Done():
					return
				case <-p.closed:
					resetConn(w)
					return
				case <-changed:
					f, changed = p.faults.get()
				}
			}
		}
		if wait := f.Latency + time.Duration(d.jitter*float64(f.Jitter)); wait > 0 {
			p.counts.latency.Add(1)
			if !p.sleep(r.Context(), wait) {
				resetConn(w)
				return
			}
		}
		if d.reset < f.ResetRate {
			p.counts.reset.Add(1)
			resetConn(w)
			return
		}
		if d.fail < f.FailRate {
			if d.rateLimit < f.RateLimitShare {
				p.counts.rateLimited.Add(1)
				secs := retryAfterSeconds(f.RetryAfter)
				w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
				writeJSON(w, http.StatusTooManyRequests, exchange.Error{Code: exchange.CodeRateLimited,
					Message: "injected fault: too many requests; wait Retry-After seconds, then retry"})
				return
			}
			p.counts.error5xx.Add(1)
			writeJSON(w, injectedStatuses[d.errIndex%uint64(len(injectedStatuses))], exchange.Error{Code: exchange.CodeUnavailable,
				Message: "injected fault: the province is unavailable; retry with backoff"})
			return
		}
		if req.tooLarge {
			p.refuse(w, http.StatusRequestEntityTooLarge, exchange.CodeTooLarge,
				"the body is larger than "+strconv.Itoa(exchange.MaxBodyBytes)+" bytes: send smaller batches")
			return
		}
		req.lostAck = d.lostAck < f.LostAckRate
		h(w, r, req)
	}
}

// sleep waits d; false when the client left or the province closed.
func (p *Province) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-p.closed:
		return false
	}
}

// resetConn drops the request's connection with a TCP reset (SO_LINGER 0)
// instead of answering.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // not hijackable (HTTP/2): abort the stream
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}
