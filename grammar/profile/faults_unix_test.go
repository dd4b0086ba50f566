//go:build unix

package profile

import "syscall"

// minorFaults is the number of page faults the process has taken that
// needed no I/O: mostly the kernel handing out a fresh page of memory.
func minorFaults() int {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return int(ru.Minflt)
}
