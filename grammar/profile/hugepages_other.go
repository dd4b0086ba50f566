//go:build !linux

package profile

import "github.com/alecthomas/participle/v2/lexer"

// adviseHugePages does nothing where there is no madvise(MADV_HUGEPAGE);
// see hugepages_linux.go.
func adviseHugePages([]lexer.Token) {}
