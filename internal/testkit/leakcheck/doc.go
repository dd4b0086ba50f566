// Package leakcheck fails a test that leaves goroutines behind.
//
// The runtime's rule is that every goroutine has an owner that stops it
// (docs: DESIGN.md, "The runtime"). Check enforces it: it remembers which
// goroutines exist when a test starts and, when the test ends, waits a short
// while for every goroutine started since to exit. Comparing goroutine ids
// rather than counts keeps the check honest when the testing package or a
// library starts long-lived goroutines of its own before the test begins.
package leakcheck
