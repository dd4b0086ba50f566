//go:build !linux

package model

import (
	"errors"
	"os"
)

// errLinkInPath: see readresolved_linux.go.
var errLinkInPath = errors.New("a symbolic link appeared in the path after it was checked")

// readResolved reads the file at its checked, resolved path; only Linux
// has openat2 to refuse a link swapped in meanwhile.
func readResolved(real string) ([]byte, error) { return os.ReadFile(real) }
