package profile

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/cputime"
	"github.com/tcpipc/tcpipc/internal/testkit/profilegen"
)

// generateProfile is the benchmarks' profile of about n lines.
func generateProfile(n int) []byte { return profilegen.Generate(n) }

func parseGenerated(b *testing.B, data []byte) {
	_, ds := Parse("BENCH", data, Options{})
	if ds.HasErrors() {
		b.Fatalf("generated profile has errors: %v", ds[0].Summary)
	}
}

// BenchmarkParse100k measures throughput (MB/s) on a 100,000-line profile,
// and per second of the process's CPU time (cpu-MB/s, collector included),
// which other programs on a shared machine disturb less than the clock.
func BenchmarkParse100k(b *testing.B) {
	data := generateProfile(100_000)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	cpu := cputime.Process()
	for i := 0; i < b.N; i++ {
		parseGenerated(b, data)
	}
	cputime.Report(b, cpu, int64(len(data)))
}

// BenchmarkRead100k reads the profile BenchmarkParse100k parses from a
// file: the peer to compare the parser's throughput with in one run.
func BenchmarkRead100k(b *testing.B) {
	data := generateProfile(100_000)
	path := filepath.Join(b.TempDir(), "PROFILE.TCPIP")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	cpu := cputime.Process()
	for b.Loop() {
		if _, err := os.ReadFile(path); err != nil {
			b.Fatal(err)
		}
	}
	cputime.Report(b, cpu, int64(len(data)))
}

// BenchmarkParseGrowth checks that time grows linearly: it parses the
// 100,000-line and a 200,000-line profile in turn, five times per
// iteration, and reports the ratio of the median times (target: at most
// 2.2; medians, because one slow run on a shared machine would otherwise
// decide the figure).
//
// growth is measured with the garbage collector paused during each timed
// parse (and a collection between parses): that is the parser's own work.
// growth-gc is the same with the collector running, which adds a sawtooth
// to any program that keeps what it allocates: a collection starts each
// time the heap doubles, so how many full-heap collections fall inside a
// parse depends on where its final heap size sits between two doublings.
//
// growth-cpu and growth-gc-cpu are the same ratios of the process's CPU
// time (the collector's workers included) instead of the clock's: other
// programs on a shared machine move them less.
func BenchmarkParseGrowth(b *testing.B) {
	small, large := generateProfile(100_000), generateProfile(200_000)
	ratio := func(gcPercent int) (wall, cpu float64) {
		defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
		var tSmall, tLarge, cSmall, cLarge []time.Duration
		timed := func(data []byte, ts, cs *[]time.Duration) {
			runtime.GC()
			start, cpuStart := time.Now(), cputime.Process()
			parseGenerated(b, data)
			*ts = append(*ts, time.Since(start))
			*cs = append(*cs, cputime.Process()-cpuStart)
		}
		for i := 0; i < b.N*5; i++ {
			timed(small, &tSmall, &cSmall)
			timed(large, &tLarge, &cLarge)
		}
		return float64(median(tLarge)) / float64(median(tSmall)), float64(median(cLarge)) / float64(median(cSmall))
	}
	wall, cpu := ratio(-1)
	b.ReportMetric(wall, "growth")
	b.ReportMetric(cpu, "growth-cpu")
	wall, cpu = ratio(100)
	b.ReportMetric(wall, "growth-gc")
	b.ReportMetric(cpu, "growth-gc-cpu")
	b.ReportMetric(0, "ns/op") // the ratios are the result
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}
