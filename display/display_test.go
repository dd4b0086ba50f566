package display

import (
	"strings"
	"testing"
)

// TestDisplayErrors: an unknown stack or view is refused.
func TestDisplayErrors(t *testing.T) {
	p := figure9(t)
	var b strings.Builder
	if err := Write(&b, p, "vipadyn", "MVS9"); err == nil {
		t.Error("Write accepts an unknown stack")
	}
	if err := Write(&b, p, "netstat", ""); err == nil {
		t.Error("Write accepts an unknown view")
	}
}
