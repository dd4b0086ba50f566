// Package pump hands values from writers that must never block to a
// reader that may be slow: Put appends to a queue under a short lock, and
// one goroutine (Run) moves the queue, in order, to a channel.
//
// The coupling facility's watches and XCF group members both deliver
// events this way. A pump is unbounded unless its Options say otherwise:
// XCF bounds the messages queued for a slow reader and thins out a
// flapping peer's membership events, so that a reader that stops reading
// costs bounded memory (issue 11).
package pump
