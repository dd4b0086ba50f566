//go:build !linux

package profile

// adviseHugePages does nothing where there is no madvise(MADV_HUGEPAGE);
// see hugepages_linux.go.
func adviseHugePages[T any]([]T) {}
