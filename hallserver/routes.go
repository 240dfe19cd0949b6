package hallserver

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"onestop/hallserver/auth"
	"onestop/hallserver/web"
)

// route is one operation: who may call it and what runs.
type route struct {
	Method  string
	Pattern string
	// Roles that may call it; nil means public (no credentials needed).
	Roles []auth.Role
	h     func(w http.ResponseWriter, r *http.Request, p auth.Principal)
}

// Role sets used by the route table.
var (
	public     []auth.Role
	anyStaff   = auth.StaffRoles
	anyone     = auth.AllRoles
	issuers    = []auth.Role{auth.Kiosk, auth.Counter, auth.Supervisor}
	raters     = []auth.Role{auth.Kiosk, auth.Counter, auth.Supervisor}
	counter    = []auth.Role{auth.Counter, auth.Supervisor}
	watchers   = []auth.Role{auth.Counter, auth.Supervisor, auth.Admin}
	lookers    = []auth.Role{auth.Kiosk, auth.Counter, auth.Supervisor, auth.Admin}
	supervisor = []auth.Role{auth.Supervisor, auth.Admin}
	admins     = []auth.Role{auth.Admin}
	kioskAdmin = []auth.Role{auth.Admin, auth.Technician}
	kioskWatch = []auth.Role{auth.Admin, auth.Technician, auth.Supervisor}
	kiosk      = []auth.Role{auth.Kiosk}
)

// routeTable is the whole API. The OpenAPI document and the auth matrix
// test are checked against it.
func (s *Server) routeTable() []route {
	return []route{
		{"GET", "/healthz", public, s.healthz},
		{"GET", "/readyz", public, s.readyz},
		{"GET", "/metrics", public, s.metricsHandler()},
		{"GET", "/api/v1/openapi.json", public, s.openAPI},

		{"GET", "/api/v1/hall", public, s.getHall},
		{"GET", "/api/v1/catalogue", public, s.getCatalogue},
		{"GET", "/api/v1/display", public, s.getDisplay},
		{"GET", "/api/v1/events", public, s.events},
		{"GET", "/api/v1/tickets/status/{token}", public, s.ticketStatus},

		{"POST", "/api/v1/auth/login", public, s.login},
		{"POST", "/api/v1/auth/logout", anyStaff, s.logout},
		{"GET", "/api/v1/me", anyone, s.me},
		{"POST", "/api/v1/me/password", anyStaff, s.changeOwnPassword},

		{"POST", "/api/v1/tickets", issuers, s.issueTicket},
		{"GET", "/api/v1/tickets", watchers, s.listTickets},
		{"GET", "/api/v1/tickets/{id}", watchers, s.getTicket},
		{"POST", "/api/v1/tickets/{id}/cancel", counter, s.cancelTicket},
		{"GET", "/api/v1/overview", watchers, s.overview},

		{"POST", "/api/v1/windows/{number}/open", counter, s.openWindow},
		{"POST", "/api/v1/windows/{number}/close", counter, s.closeWindow},
		{"POST", "/api/v1/windows/{number}/call-next", counter, s.callNext},
		{"POST", "/api/v1/windows/{number}/call", counter, s.callNumber},
		{"POST", "/api/v1/windows/{number}/recall", counter, s.windowAction("recall")},
		{"POST", "/api/v1/windows/{number}/start", counter, s.windowAction("start")},
		{"POST", "/api/v1/windows/{number}/finish", counter, s.windowAction("finish")},
		{"POST", "/api/v1/windows/{number}/no-show", counter, s.windowAction("no_show")},
		{"POST", "/api/v1/windows/{number}/transfer", counter, s.windowAction("transfer")},
		{"POST", "/api/v1/windows/{number}/hold", counter, s.windowAction("hold")},

		{"GET", "/api/v1/settings", watchers, s.getSettings},
		{"PUT", "/api/v1/settings", supervisor, s.putSettings},

		{"GET", "/api/v1/users", admins, s.listUsers},
		{"POST", "/api/v1/users", admins, s.createUser},
		{"POST", "/api/v1/users/{username}/password", admins, s.resetPassword},
		{"POST", "/api/v1/users/{username}/disable", admins, s.setDisabled(true)},
		{"POST", "/api/v1/users/{username}/enable", admins, s.setDisabled(false)},

		{"GET", "/api/v1/kiosks", kioskWatch, s.listKiosks},
		{"POST", "/api/v1/kiosks/enrollment-codes", kioskAdmin, s.createEnrollmentCode},
		{"POST", "/api/v1/kiosks/enroll", public, s.enrollKiosk},
		{"POST", "/api/v1/kiosks/heartbeat", kiosk, s.kioskHeartbeat},
		{"POST", "/api/v1/kiosks/help", kiosk, s.callHelp},
		{"GET", "/api/v1/kiosks/help", supervisor, s.listHelpCalls},
		{"POST", "/api/v1/kiosks/help/{id}/answer", supervisor, s.answerHelpCall},

		{"GET", "/api/v1/audit/verify", supervisor, s.verifyAudit},

		{"POST", "/api/v1/applications", counter, s.acceptApplication},
		{"POST", "/api/v1/applications/lookup", issuers, s.lookupApplications},
		{"GET", "/api/v1/applications/{number}", lookers, s.getApplication},
		{"POST", "/api/v1/applications/{number}/events", counter, s.applicationEvent},
		{"GET", "/api/v1/supervision/warnings", supervisor, s.supervisionWarnings},
		{"GET", "/api/v1/stats", supervisor, s.getStats},
		{"GET", "/api/v1/stats.csv", supervisor, s.getStatsCSV},

		{"GET", "/api/v1/ratings/reasons", public, s.ratingReasons},
		{"POST", "/api/v1/ratings", raters, s.rate},
		{"POST", "/api/v1/tickets/status/{token}/rating", public, s.phoneRating},
		{"GET", "/api/v1/ratings", supervisor, s.listRatings},
		{"GET", "/api/v1/ratings/followups", supervisor, s.listFollowups},
		{"POST", "/api/v1/ratings/{id}/callback", supervisor, s.ratingCallback},
		{"POST", "/api/v1/ratings/{id}/resolve", supervisor, s.ratingResolve},

		{"POST", "/api/v1/certificates/lookup", issuers, s.lookupCertificates},
		{"GET", "/api/v1/certificates/{serial}", watchers, s.getCertificate},
		{"POST", "/api/v1/certificates/{serial}/print", issuers, s.printCertificate},
		{"POST", "/api/v1/certificates/{serial}/revoke", supervisor, s.revokeCertificate},
		{"GET", "/api/v1/trust-list", public, s.trustList},
		{"GET", "/C/{code}", public, s.checkCertificate},

		{"GET", "/api/v1/province", supervisor, s.getProvince},
		{"POST", "/api/v1/province/replay", supervisor, s.replayProvince},
		{"POST", "/api/v1/province/discard", supervisor, s.discardProvince},
	}
}

// buildHandler mounts the route table on one ServeMux.
func (s *Server) buildHandler() http.Handler {
	mux := http.NewServeMux()
	allowed := map[string][]string{} // path pattern -> methods
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, s.guard(rt))
		allowed[rt.Pattern] = append(allowed[rt.Pattern], rt.Method)
	}
	web.Mount(mux) // the pages: console, display, phone ticket, supervisor
	// A known path with another method is 405 with Allow; anything else
	// under /api/ is a JSON 404.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for p, methods := range allowed {
			if pathMatches(p, r.URL.Path) {
				allow = append(allow, methods...)
			}
		}
		if len(allow) > 0 {
			slices.Sort(allow)
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, http.StatusMethodNotAllowed, codeInvalid, r.Method+" is not allowed here: use "+strings.Join(allow, " or "))
			return
		}
		writeError(w, http.StatusNotFound, codeNotFound, "no such API operation: see /api/v1/openapi.json")
	})
	return securityHeaders(mux)
}

// pathMatches reports whether path matches a route pattern whose {name}
// segments match any one segment.
func pathMatches(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, p := range ps {
		if !(strings.HasPrefix(p, "{") && xs[i] != "") && p != xs[i] {
			return false
		}
	}
	return true
}

// guard authenticates the caller, enforces the route's roles and CSRF,
// and records metrics, before the handler runs.
func (s *Server) guard(rt route) http.Handler {
	name := rt.Method + " " + rt.Pattern
	stream := rt.Pattern == "/api/v1/events"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			s.metrics.requests.WithLabelValues(name, strconv.Itoa(rec.status)).Inc()
			if !stream {
				s.metrics.duration.WithLabelValues(name).Observe(time.Since(start).Seconds())
			}
		}()
		p, how, err := s.authenticate(r)
		if err != nil {
			s.fail(rec, r, err)
			return
		}
		if rt.Roles != nil {
			if how == authNone {
				writeError(rec, http.StatusUnauthorized, codeUnauthenticated, "sign in first (or enroll this kiosk): this operation needs credentials")
				return
			}
			if !p.In(rt.Roles) {
				writeError(rec, http.StatusForbidden, codeForbidden, "your role ("+string(p.Role)+") may not do this")
				return
			}
			if how == authCookie && r.Method != http.MethodGet && r.Method != http.MethodHead && !csrfOK(r) {
				writeError(rec, http.StatusForbidden, codeForbidden, "missing or wrong X-CSRF-Token header: reload the page")
				return
			}
		}
		rt.h(rec, r, p)
	})
}

// statusRecorder remembers the status code for metrics; it passes Flush
// through for event streams.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// securityHeaders sets the headers every response carries.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) metricsHandler() func(http.ResponseWriter, *http.Request, auth.Principal) {
	h := promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})
	return func(w http.ResponseWriter, r *http.Request, _ auth.Principal) { h.ServeHTTP(w, r) }
}
