// Package api holds the hall server's wire types: the JSON bodies of
// /api/v1 as the server writes them and its clients (the kiosk, hallctl,
// hallbench) read them. It depends on nothing but the standard library,
// so a client does not link the server.
package api
