package profile

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePage is the size of an x86-64 and arm64 transparent huge page.
const hugePage = 2 << 20

// adviseHugePages asks Linux to back the token array of a large profile
// with transparent huge pages (madvise MADV_HUGEPAGE), where the system
// leaves that to the program (transparent_hugepage=madvise, the common
// default). A 100,000-line profile has 635,000 tokens (18 MB of compact
// tokens, 40 MB in participle's form): touched for the first time, that is
// thousands of page faults of 4 KiB, and measured on the two-core
// development machine the faults were a third of a `tcpipc parse` run;
// 2 MiB pages make them a few dozen. Only the whole huge pages
// inside the array are advised, so nothing else shares the advice; it is
// a hint, and an error (an older kernel, THP off) changes nothing.
func adviseHugePages[T any](toks []T) {
	var zero T
	size := uintptr(len(toks)) * unsafe.Sizeof(zero)
	if size < 2*hugePage {
		return
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(toks)))
	first := (start + hugePage - 1) &^ (hugePage - 1)
	end := (start + size) &^ (hugePage - 1)
	if end <= first {
		return
	}
	// The advised range lies inside toks' array, which stays alive (and,
	// being a large object, in place) while the parse runs.
	mem := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(toks)), first-start)), end-first)
	_ = unix.Madvise(mem, unix.MADV_HUGEPAGE)
}
