package main

import (
	"strings"
	"testing"
)

// TestParseDirectoryIsUsageError checks that parse given a directory says
// what to pass instead of reporting a read error.
func TestParseDirectoryIsUsageError(t *testing.T) {
	var out, errb strings.Builder
	dir := "../../testdata/profiles/figure9"
	if got := run([]string{"parse", dir}, &out, &errb); got != ExitUsage {
		t.Errorf("exit %d, want %d", got, ExitUsage)
	}
	if msg := errb.String(); !strings.Contains(msg, "is a directory: parse reads files") || !strings.Contains(msg, "tcpipc lint") || strings.Contains(msg, "I/O error") {
		t.Errorf("message %q does not say what to pass", msg)
	}
}
