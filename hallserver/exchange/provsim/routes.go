package provsim

import (
	"net/http"

	"onestop/hallserver/exchange"
)

// route is one entry of the route table: a ServeMux pattern and its
// handler. The OpenAPI document lists exactly these (a test checks it).
type route struct {
	pattern string
	handler http.Handler
}

func (p *Province) routeTable() []route {
	return []route{
		// The exchange API: faults first, then the signature (all but the key).
		{"POST " + exchange.PathEvents, p.exchangeRoute(p.handlePush)},
		{"GET " + exchange.PathCatalogue, p.exchangeRoute(p.signedGet(p.handleCatalogue))},
		{"GET " + exchange.PathTrust, p.exchangeRoute(p.signedGet(p.handleTrust))},
		{"GET " + exchange.PathApplicationUpdates, p.exchangeRoute(p.signedGet(p.handleApplicationUpdates))},
		{"GET " + exchange.PathProvinceKey, p.exchangeRoute(p.handleProvinceKey)},

		// Observation: no faults, no signature, nothing personal.
		{"GET /debug/stats", http.HandlerFunc(p.handleStats)},
		{"GET /debug/halls/{code}", http.HandlerFunc(p.handleHallView)},
		{"GET /healthz", http.HandlerFunc(p.handleHealth)},
		{"GET /{$}", http.HandlerFunc(p.handleIndex)},

		// Administration: a bearer token, or loopback clients only.
		{"GET /admin/faults", p.admin(p.handleGetFaults)},
		{"PUT /admin/faults", p.admin(p.handlePutFaults)},
		{"PUT /admin/catalogue", p.admin(p.handlePutCatalogue)},
		{"POST /admin/halls", p.admin(p.handleAddHall)},
		{"POST /admin/halls/{code}/application-updates", p.admin(p.handleAddUpdate)},
		{"POST /admin/halls/{code}/keys/{kid}/revoke", p.admin(p.handleRevokeKey)},
	}
}

func (p *Province) mux() http.Handler {
	m := http.NewServeMux()
	for _, r := range p.routes {
		m.Handle(r.pattern, r.handler)
	}
	return m
}

// Handler serves the exchange API, /debug, /admin, /healthz and a small
// HTML page at /.
func (p *Province) Handler() http.Handler { return p.handler }
