// Package hallserver is the hall server's HTTP side: the /api/v1 routes
// (one route table, each route with the roles allowed to call it), the
// authentication of staff sessions and kiosk device tokens, the live event
// stream, health and metrics. The state lives in package store; the queue
// rules in package queue.
package hallserver
