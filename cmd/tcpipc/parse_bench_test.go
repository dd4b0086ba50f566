package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/cputime"
	"github.com/tcpipc/tcpipc/internal/testkit/profilegen"
)

// BenchmarkParseCommand100k runs `tcpipc parse` end to end (flags, read,
// parse, render, diagnostics) on the 100,000-line profile of the profile
// package's BenchmarkParse100k, in each output format, and
// reads the same file as the peer to compare with in the same run. The
// file is named relative to the working directory, as on a command line;
// text-abs names it by its absolute path. cpu-MB/s is the throughput per
// second of the process's CPU time.
func BenchmarkParseCommand100k(b *testing.B) {
	dir := b.TempDir()
	data := profilegen.Generate(100_000)
	if err := os.WriteFile(filepath.Join(dir, "PROFILE.TCPIP"), data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.Chdir(dir)
	// Two untimed runs first: the sub-benchmark that came first otherwise
	// paid for growing the process's heap and the collector's pacing
	// (two thirds of its speed), which the built binary's figure under
	// `time` shows instead; this benchmark measures a warm process.
	for range 2 {
		run([]string{"parse", "PROFILE.TCPIP"}, io.Discard, io.Discard)
	}
	command := func(args ...string) func(b *testing.B) {
		return func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			cpu := cputime.Process()
			for b.Loop() {
				if code := run(append([]string{"parse"}, args...), io.Discard, io.Discard); code != 0 {
					b.Fatalf("tcpipc parse %v: exit code %d", args, code)
				}
			}
			cputime.Report(b, cpu, int64(len(data)))
		}
	}
	b.Run("read", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		cpu := cputime.Process()
		for b.Loop() {
			if _, err := os.ReadFile("PROFILE.TCPIP"); err != nil {
				b.Fatal(err)
			}
		}
		cputime.Report(b, cpu, int64(len(data)))
	})
	b.Run("text", command("PROFILE.TCPIP"))
	b.Run("text-abs", command(filepath.Join(dir, "PROFILE.TCPIP")))
	b.Run("summary", command("--format", "summary", "PROFILE.TCPIP"))
	b.Run("json", command("--format", "json", "PROFILE.TCPIP"))
}
