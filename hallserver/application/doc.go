// Package application is the life of an application (办件) as pure logic:
// its steps 受理 → 审核 → 决定 → 制证 → 送达, requests for missing materials
// (补正) that stop the clock until the materials arrive, periods that do not
// count (hearing, testing, expert review), extensions, and completion. Like
// package queue it does no I/O and takes "now" as an argument: the store
// runs it inside a transaction and records every event; the working-day
// clock (package workday) reads the same events.
package application
