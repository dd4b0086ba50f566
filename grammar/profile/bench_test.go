package profile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
	"time"
)

// generateProfile writes a realistic profile of about n lines: the
// statements of the figure 9 stacks repeated with varying addresses, many
// VIPADYNAMIC entries, IPSEC rules, PORT reservations, routes and comments.
func generateProfile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("; generated profile for the parser benchmark\n")
	b.WriteString("GLOBALCONFIG XCFGRPID 21 SYSPLEXMONITOR RECOVERY AUTOREJOIN TIMERSECS 60\n")
	b.WriteString("IPCONFIG IPSECURITY DATAGRAMFWD SYSPLEXROUTING SOURCEVIPA\n  DYNAMICXCF 193.9.200.1 255.255.255.240 1\n")
	lines := 5
	for i := 0; lines < n; i++ {
		a, c := (i/250)%250+1, i%250+1
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "; block %d\nVIPADYNAMIC\n", i)
			for j := 0; j < 20; j++ {
				fmt.Fprintf(&b, "  VIPADEFINE MOVEABLE IMMEDIATE 255.255.255.0 10.%d.%d.%d ; dvipa\n", a, c, j+1)
				fmt.Fprintf(&b, "  VIPADISTRIBUTE DEFINE DISTMETHOD ROUNDROBIN 10.%d.%d.%d PORT 60 61-70\n     DESTIP 193.9.200.2 WEIGHT 10 193.9.200.3\n", a, c, j+1)
				fmt.Fprintf(&b, "  VIPABACKUP 100 10.%d.%d.%d\n", a, c+1, j+1)
			}
			b.WriteString("ENDVIPADYNAMIC\n")
			lines += 82
		case 1:
			b.WriteString("IPSEC DVIPSEC LOGENABLE\n")
			for j := 0; j < 20; j++ {
				fmt.Fprintf(&b, "  IPSECRULE 10.%d.%d.0/24 * NOLOG PROTOCOL TCP SRCPORT 1024 65535 DESTPORT %d ROUTING EITHER\n", a, c, j+1)
			}
			b.WriteString("ENDIPSEC\n")
			lines += 22
		case 2:
			b.WriteString("PORT\n")
			for j := 0; j < 20; j++ {
				fmt.Fprintf(&b, "  %d TCP JOB%d NOAUTOLOG BIND 10.%d.%d.%d ; reserved\n", 1000+j, j, a, c, j+1)
			}
			lines += 21
		case 3:
			fmt.Fprintf(&b, "DEVICE OSA%d MPCIPA\nLINK ETH%d IPAQENET OSA%d\nHOME 10.%d.%d.1 ETH%d\n", i, i, i, a, c, i)
			b.WriteString("BEGINROUTES\n")
			for j := 0; j < 10; j++ {
				fmt.Fprintf(&b, "  ROUTE 10.%d.%d.0 255.255.255.0 = ETH%d MTU 1492\n", a, j, i)
			}
			b.WriteString("ENDROUTES\n")
			lines += 15
		case 4:
			fmt.Fprintf(&b, "TCPCONFIG TCPSENDBFRSIZE 65536 TCPRCVBUFRSIZE 65536\nINTERFACE IF%d DEFINE IPAQENET PORTNAME P%d IPADDR 10.%d.%d.9/24\n", i, i, a, c)
			lines += 2
		}
	}
	return b.Bytes()
}

func parseGenerated(b *testing.B, data []byte) {
	_, ds := Parse("BENCH", data, Options{})
	if ds.HasErrors() {
		b.Fatalf("generated profile has errors: %v", ds[0].Summary)
	}
}

// BenchmarkParse100k measures throughput (MB/s) on a 100,000-line profile.
func BenchmarkParse100k(b *testing.B) {
	data := generateProfile(100_000)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		parseGenerated(b, data)
	}
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
	for b.Loop() {
		if _, err := os.ReadFile(path); err != nil {
			b.Fatal(err)
		}
	}
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
func BenchmarkParseGrowth(b *testing.B) {
	small, large := generateProfile(100_000), generateProfile(200_000)
	ratio := func(gcPercent int) float64 {
		defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
		var tSmall, tLarge []time.Duration
		timed := func(data []byte) time.Duration {
			runtime.GC()
			start := time.Now()
			parseGenerated(b, data)
			return time.Since(start)
		}
		for i := 0; i < b.N*5; i++ {
			tSmall = append(tSmall, timed(small))
			tLarge = append(tLarge, timed(large))
		}
		return float64(median(tLarge)) / float64(median(tSmall))
	}
	b.ReportMetric(ratio(-1), "growth")
	b.ReportMetric(ratio(100), "growth-gc")
	b.ReportMetric(0, "ns/op") // the ratios are the result
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}
