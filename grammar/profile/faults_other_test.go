//go:build !unix

package profile

// minorFaults is 0 where the system does not count page faults.
func minorFaults() int { return 0 }
