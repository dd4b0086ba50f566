package profile

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
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
// iteration, and reports the ratio of the median times (issue 16's
// target: at most 2.1 with the collector running; medians, because one
// slow run on a shared machine would otherwise decide the figure).
//
// growth is measured with the garbage collector paused during each timed
// parse (and a collection between parses): that is the parser's own work.
// growth-gc is the same with the collector running, which adds a sawtooth
// to any program that keeps what it allocates: a collection starts each
// time the heap doubles, so how many full-heap collections fall inside a
// parse depends on where its final heap size sits between two doublings.
// gc-100k and gc-200k are the collections completed during the timed
// parses of growth-gc (medians), the evidence for that sawtooth;
// faults-100k and faults-200k (faults-gc-… with the collector running)
// the page faults taken during them (medians; 0 where the system does not
// count them): memory the runtime gave back to the system between parses
// and the next parse touched again, which costs the kernel a fresh page.
//
// growth-cpu and growth-gc-cpu are the same ratios of the process's CPU
// time (the collector's workers included) instead of the clock's: other
// programs on a shared machine move them less.
//
// growth-gc-alone is growth-gc with each profile parsed while nothing
// else of the benchmark is live, its bytes read from a file just before
// (untimed), as `tcpipc parse` reads its one file. In growth-gc both
// generated profiles stay live (17 MB) through every parse: the heap the
// collector paces from then starts at 24 MB, and that head start lets the
// 100,000-line parse (61 MB allocated, all of it kept by the tree) finish
// after one collection, where the 200,000-line one needs two, each
// marking a heap twice as large. growth-gc-fresh goes further: each
// parse runs in a process of its own, as a user's does. Both are reported
// beside growth-gc, never instead of it.
func BenchmarkParseGrowth(b *testing.B) {
	small, large := generateProfile(100_000), generateProfile(200_000)
	dir := b.TempDir()
	smallPath, largePath := filepath.Join(dir, "P100K"), filepath.Join(dir, "P200K")
	for path, data := range map[string][]byte{smallPath: small, largePath: large} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	inMemory := func(data []byte) func() []byte { return func() []byte { return data } }
	fromFile := func(path string) func() []byte {
		return func() []byte {
			data, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			return data
		}
	}
	n := b.N * 5
	paused := growthRatio(b, -1, n, inMemory(small), inMemory(large))
	b.ReportMetric(paused.wall, "growth")
	b.ReportMetric(paused.cpu, "growth-cpu")
	b.ReportMetric(paused.faults[0], "faults-100k")
	b.ReportMetric(paused.faults[1], "faults-200k")
	withGC := growthRatio(b, 100, n, inMemory(small), inMemory(large))
	b.ReportMetric(withGC.wall, "growth-gc")
	b.ReportMetric(withGC.cpu, "growth-gc-cpu")
	b.ReportMetric(withGC.gcs[0], "gc-100k")
	b.ReportMetric(withGC.gcs[1], "gc-200k")
	b.ReportMetric(withGC.faults[0], "faults-gc-100k")
	b.ReportMetric(withGC.faults[1], "faults-gc-200k")
	small, large = nil, nil // from here on, only the parse's own input is live
	alone := growthRatio(b, 100, n, fromFile(smallPath), fromFile(largePath))
	b.ReportMetric(alone.wall, "growth-gc-alone")
	b.ReportMetric(freshGrowth(b, n, smallPath, largePath), "growth-gc-fresh")
	b.ReportMetric(0, "ns/op") // the ratios are the result
}

// freshGrowth is the ratio large/small of the median times of parses made
// each in a process of its own (this test binary run again, see
// TestParseGrowthChild), as `tcpipc parse` and `tcpipc lint` parse: a fresh
// heap, the collector running, only the parse's own input live.
func freshGrowth(b *testing.B, n int, smallPath, largePath string) float64 {
	var times [2][]time.Duration
	for range n {
		for i, path := range []string{smallPath, largePath} {
			cmd := exec.Command(os.Args[0], "-test.run=^TestParseGrowthChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), growthChildEnv+"="+path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				b.Fatalf("child parse of %s: %v\n%s", path, err, out)
			}
			_, after, ok := strings.Cut(string(out), "growth-child-ns: ")
			ns, err := strconv.ParseInt(strings.Fields(after + " ")[0], 10, 64)
			if !ok || err != nil {
				b.Fatalf("child parse of %s printed no time:\n%s", path, out)
			}
			times[i] = append(times[i], time.Duration(ns))
		}
	}
	return float64(median(times[1])) / float64(median(times[0]))
}

// growthChildEnv names the profile TestParseGrowthChild parses.
const growthChildEnv = "TCPIPC_GROWTH_CHILD"

// TestParseGrowthChild is BenchmarkParseGrowth's child process: it reads
// the profile growthChildEnv names, parses it once and prints how long the
// parse took. Without the variable it does nothing.
func TestParseGrowthChild(t *testing.T) {
	path := os.Getenv(growthChildEnv)
	if path == "" {
		t.Skip("run by BenchmarkParseGrowth")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, ds := Parse("BENCH", data, Options{}); ds.HasErrors() {
		t.Fatalf("generated profile has errors: %v", ds[0].Summary)
	}
	fmt.Printf("growth-child-ns: %d\n", time.Since(start).Nanoseconds())
}

// growth is what growthRatio measured: the ratios large/small of the
// median wall and CPU times, and for each size the median number of
// collections completed and of page faults taken during its timed parses.
type growth struct {
	wall, cpu   float64
	gcs, faults [2]float64
}

// growthRatio parses the profiles small and large return, n times each in
// turn, with the collector set to gcPercent (-1: paused).
func growthRatio(b *testing.B, gcPercent, n int, small, large func() []byte) growth {
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	var times, cpus [2][]time.Duration
	var gcs, faults [2][]int
	timed := func(size int, input func() []byte) {
		data := input()
		runtime.GC()
		cycles, flt := gcCycles(), minorFaults()
		start, cpuStart := time.Now(), cputime.Process()
		parseGenerated(b, data)
		times[size] = append(times[size], time.Since(start))
		cpus[size] = append(cpus[size], cputime.Process()-cpuStart)
		gcs[size] = append(gcs[size], int(gcCycles()-cycles))
		faults[size] = append(faults[size], minorFaults()-flt)
	}
	for range n {
		timed(0, small)
		timed(1, large)
	}
	var g growth
	g.wall = float64(median(times[1])) / float64(median(times[0]))
	g.cpu = float64(median(cpus[1])) / float64(median(cpus[0]))
	for i := range 2 {
		g.gcs[i], g.faults[i] = float64(median(gcs[i])), float64(median(faults[i]))
	}
	return g
}

// gcCycles is the number of collections the process has completed.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func median[T time.Duration | int](ds []T) T {
	slices.Sort(ds)
	return ds[len(ds)/2]
}
