package provsim

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"net"
	"net/http"
	"strings"

	"onestop/hallserver/exchange"
)

// verify checks a request's signature; on failure it answers 401 and
// returns false. The nonce is not recorded here.
func (p *Province) verify(w http.ResponseWriter, r *http.Request, body []byte) (exchange.Signed, bool) {
	s, err := exchange.VerifyRequest(r, body, p.secretOf, p.now())
	if err == nil {
		return s, true
	}
	code := exchange.CodeSignatureInvalid
	switch {
	case errors.Is(err, exchange.ErrUnsigned):
		code = exchange.CodeUnsigned
	case errors.Is(err, exchange.ErrStale):
		code = exchange.CodeStale
	case errors.Is(err, exchange.ErrUnknownHall):
		code = exchange.CodeUnknownHall
	}
	p.log.Info("provsim: request refused", "path", r.URL.Path, "hall", r.Header.Get(exchange.HeaderHall), "code", code, "err", err)
	p.refuse(w, http.StatusUnauthorized, code, err.Error())
	return exchange.Signed{}, false
}

// replayed answers 401 replayed.
func (p *Province) replayed(w http.ResponseWriter, r *http.Request, s exchange.Signed) {
	p.log.Info("provsim: replayed request refused", "path", r.URL.Path, "hall", s.Hall, "nonce", s.Nonce)
	p.refuse(w, http.StatusUnauthorized, exchange.CodeReplayed,
		"this request's nonce was used before: sign every attempt afresh (new timestamp and nonce), then retry")
}

// signedGet checks the signature of a pull and records its nonce (in a
// transaction of its own) before h runs.
func (p *Province) signedGet(h func(http.ResponseWriter, *http.Request, *exchangeRequest)) func(http.ResponseWriter, *http.Request, *exchangeRequest) {
	return func(w http.ResponseWriter, r *http.Request, req *exchangeRequest) {
		s, ok := p.verify(w, r, req.body)
		if !ok {
			return
		}
		var fresh bool
		ctx := context.WithoutCancel(r.Context())
		err := p.write(ctx, func(tx *sql.Tx) error {
			now := p.now()
			ts := newTxStmts(ctx, tx)
			var err error
			if fresh, err = p.useNonce(ts, s, now); err != nil {
				return err
			}
			return p.maybePrune(ts, now)
		})
		if err != nil {
			p.internal(w, r, err)
			return
		}
		if !fresh {
			p.replayed(w, r, s)
			return
		}
		req.signed = s
		h(w, r, req)
	}
}

// admin lets through requests bearing the admin token, or, when none is
// configured, requests from loopback addresses.
func (p *Province) admin(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.adminToken != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(p.adminToken)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="provsim admin"`)
				p.refuse(w, http.StatusUnauthorized, codeUnauthenticated, "send Authorization: Bearer <the admin token> (provsim --admin-token-file)")
				return
			}
		} else if !isLoopback(r.RemoteAddr) {
			p.refuse(w, http.StatusForbidden, codeForbidden, "no admin token is configured, so /admin answers loopback clients only: start provsim with --admin-token-file")
			return
		}
		h(w, r)
	})
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
