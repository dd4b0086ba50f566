package policy

import (
	"os"
	"path/filepath"
	"testing"
)

// benchPolicy writes a generated IPsec policy of 5,000 filter rules (each
// with an inline service and a key exchange rule: about 75,000 lines) to a
// file, as lint reads it.
func benchPolicy(b *testing.B) (string, int64) {
	data := generatePolicy(5_000)
	path := filepath.Join(b.TempDir(), "BENCH.policy")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	return path, int64(len(data))
}

// BenchmarkParsePolicy measures ParseFile's throughput (MB/s) on the
// generated policy: reading, lexing, the line grammar, the schema checks.
// BenchmarkReadPolicy reads the same file and is its peer: run both in
// one go test run and compare.
func BenchmarkParsePolicy(b *testing.B) {
	path, size := benchPolicy(b)
	b.SetBytes(size)
	for b.Loop() {
		if _, ds := ParseFile(path, Options{}); ds.HasErrors() {
			b.Fatalf("generated policy has errors: %v", ds[0].Summary)
		}
	}
}

// BenchmarkReadPolicy only reads the file BenchmarkParsePolicy parses.
func BenchmarkReadPolicy(b *testing.B) {
	path, size := benchPolicy(b)
	b.SetBytes(size)
	for b.Loop() {
		if _, err := os.ReadFile(path); err != nil {
			b.Fatal(err)
		}
	}
}
