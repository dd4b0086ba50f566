package profile

import (
	"errors"
	"strings"
	"testing"
)

// failingWriter fails every write, as a closed pipe or a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestWriteTreeReportsWriteError checks that the streamed tree still
// reports a failed write (the buffered writer keeps the first error).
func TestWriteTreeReportsWriteError(t *testing.T) {
	prof, _ := Parse("p", generateProfile(2_000), Options{})
	if err := prof.WriteTree(failingWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("WriteTree to a failing writer: %v, want the write error", err)
	}
}

// TestWriteTreeStreams checks that the tree is written in pieces as it is
// rendered, not built whole in memory first: no single write is larger
// than the buffer.
func TestWriteTreeStreams(t *testing.T) {
	prof, _ := Parse("p", generateProfile(20_000), Options{})
	var w countingWriter
	if err := prof.WriteTree(&w); err != nil {
		t.Fatal(err)
	}
	if w.writes < 2 || w.largest > 64<<10 {
		t.Fatalf("%d bytes in %d writes, the largest %d bytes: want writes of at most 64 KiB", w.total, w.writes, w.largest)
	}
}

type countingWriter struct{ writes, total, largest int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	w.total += len(p)
	w.largest = max(w.largest, len(p))
	return len(p), nil
}
