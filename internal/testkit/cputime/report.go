package cputime

import (
	"testing"
	"time"
)

// Report adds the metric cpu-MB/s to b: bytes processed per second of
// process CPU time since start, over b.N operations of size bytes. It
// reports nothing when the CPU time is not known.
func Report(b *testing.B, start time.Duration, size int64) {
	used := Process() - start
	if start == 0 || used <= 0 {
		return
	}
	b.ReportMetric(float64(size)*float64(b.N)/used.Seconds()/1e6, "cpu-MB/s")
}
