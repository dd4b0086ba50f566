package leakcheck

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Settle is how long Check waits for goroutines to exit after the test.
// Teardown is asynchronous in places (timers firing their last callback,
// gVisor's processors noticing a close), so a short grace period avoids
// false alarms without hiding a real leak.
var Settle = 5 * time.Second

// ignored lists goroutines that are not the test's to stop: the testing
// framework's own and the runtime's.
var ignored = []string{
	"testing.(*T).Run",
	"testing.(*M).",
	"testing.tRunner",
	"testing.runTests",
	"os/signal.signal_recv",
	"runtime.ensureSigM",
}

// Check records the goroutines alive now and registers a cleanup that fails
// t if goroutines started after this call are still alive when the test and
// its later cleanups have finished. Call it first in a test, so its cleanup
// runs last.
func Check(t testing.TB) {
	t.Helper()
	before := goroutines()
	t.Cleanup(func() {
		deadline := time.Now().Add(Settle)
		var leaked []string
		for {
			leaked = leaked[:0]
			for id, stack := range goroutines() {
				if _, ok := before[id]; !ok && !isIgnored(stack) {
					leaked = append(leaked, stack)
				}
			}
			if len(leaked) == 0 {
				return
			}
			if time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Errorf("%d goroutine(s) leaked:\n\n%s", len(leaked), strings.Join(leaked, "\n\n"))
	})
}

// goroutines returns the stack of every goroutine except the caller's,
// keyed by goroutine id.
func goroutines() map[uint64]string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := make(map[uint64]string)
	for i, g := range bytes.Split(buf, []byte("\n\n")) {
		if i == 0 {
			continue // the calling goroutine is always first
		}
		s := string(g)
		id, ok := goroutineID(s)
		if ok {
			out[id] = s
		}
	}
	return out
}

// goroutineID parses the header line "goroutine 42 [running]:".
func goroutineID(stack string) (uint64, bool) {
	rest, ok := strings.CutPrefix(stack, "goroutine ")
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, " ")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseUint(num, 10, 64)
	return id, err == nil
}

func isIgnored(stack string) bool {
	for _, s := range ignored {
		if strings.Contains(stack, s) {
			return true
		}
	}
	return false
}
