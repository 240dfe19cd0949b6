// Package live fans the hall's committed changes out to the pages that
// follow them (call display, staff console, phone ticket page) as
// Server-Sent Events. Each message is encoded once, kept in a ring so that
// a client that reconnects with Last-Event-ID catches up on what it
// missed, and handed to every subscriber without ever blocking the
// publisher: a subscriber that falls too far behind is dropped and
// reconnects.
package live
