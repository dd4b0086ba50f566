package profile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/tcpipc/tcpipc/grammar/source"
)

// memFiles is an in-memory file system for INCLUDE tests: data set names
// are file names, and reads are counted.
type memFiles struct {
	files map[string]string
	reads map[string]int
}

func newMemFiles() *memFiles {
	return &memFiles{files: map[string]string{}, reads: map[string]int{}}
}

func (m *memFiles) Resolve(dsn, from string) (string, error) {
	if _, ok := m.files[dsn]; !ok {
		return dsn, fmt.Errorf("no file for %s", dsn)
	}
	return dsn, nil
}

func (m *memFiles) ReadFile(name string) ([]byte, error) {
	m.reads[name]++
	text, ok := m.files[name]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return []byte(text), nil
}

func (m *memFiles) options() Options { return Options{Resolver: m, ReadFile: m.ReadFile} }

// parseWithin fails the test when the parse does not end in time, rather
// than hanging the test binary.
func parseWithin(t testing.TB, d time.Duration, main string, opts Options) (*Profile, []string) {
	t.Helper()
	type result struct {
		prof *Profile
		ds   []string
	}
	done := make(chan result, 1)
	go func() {
		prof, ds := Parse("MAIN", []byte(main), opts)
		var out []string
		for _, d := range ds {
			out = append(out, fmt.Sprintf("%s: %s [%s]", d.Range, d.Summary, d.Rule))
		}
		done <- result{prof, out}
	}()
	select {
	case r := <-done:
		return r.prof, r.ds
	case <-time.After(d):
		t.Fatalf("parse did not end within %v", d)
		return nil, nil
	}
}

// TestIncludeAmplificationStops: 16 members of about 4.5 KB, each
// including the next four times, would splice in 4^15 copies of the last
// one. The parse stops at the limit, says so once, and ends quickly.
func TestIncludeAmplificationStops(t *testing.T) {
	m := newMemFiles()
	pad := strings.Repeat("; padding comment to make the member realistically long ..........\n", 64)
	for i := 0; i < 16; i++ {
		text := pad + fmt.Sprintf("HOME 10.1.1.%d ETH1\n", i+1)
		if i < 15 {
			text += strings.Repeat(fmt.Sprintf("INCLUDE M%d\n", i+1), 4)
		}
		m.files[fmt.Sprintf("M%d", i)] = text
	}
	prof, ds := parseWithin(t, 20*time.Second, "INCLUDE M0\n", m.options())
	var limits []string
	for _, d := range ds {
		if strings.Contains(d, "limit") {
			limits = append(limits, d)
		}
	}
	if len(limits) != 1 || !strings.Contains(limits[0], "[INCLUDE]") {
		t.Fatalf("want one INCLUDE limit diagnostic, got %d:\n%s", len(limits), strings.Join(ds, "\n"))
	}
	// Each inclusion adds at most one HOME statement.
	if n := len(prof.Statements); n > DefaultMaxIncludes {
		t.Errorf("%d statements spliced in, more than the %d INCLUDEs allowed", n, DefaultMaxIncludes)
	}
	for name, n := range m.reads {
		if n > 1 {
			t.Errorf("%s read %d times; a member is read once per parse", name, n)
		}
	}
}

// TestIncludeLimitPosition: the limit is reported at the first INCLUDE
// past it, and the INCLUDEs before it are followed.
func TestIncludeLimitPosition(t *testing.T) {
	m := newMemFiles()
	m.files["A"] = "HOME 10.1.1.1 ETH1\n"
	opts := m.options()
	opts.MaxIncludes = 3
	prof, ds := parseWithin(t, 10*time.Second, strings.Repeat("INCLUDE A\n", 5), opts)
	if len(ds) != 1 || !strings.HasPrefix(ds[0], "MAIN:4:1") || !strings.Contains(ds[0], "limit of 3 INCLUDEs") {
		t.Fatalf("diagnostics:\n%s", strings.Join(ds, "\n"))
	}
	homes := 0
	for _, st := range prof.Statements {
		if _, ok := st.(*Home); ok {
			homes++
		}
	}
	if homes != 3 {
		t.Errorf("%d HOME statements spliced in, want 3", homes)
	}
}

// TestIncludeBytesLimit: the bytes of every inclusion count.
func TestIncludeBytesLimit(t *testing.T) {
	m := newMemFiles()
	m.files["A"] = "HOME 10.1.1.1 ETH1\n" // 19 bytes
	opts := m.options()
	opts.MaxIncludeBytes = 40
	_, ds := parseWithin(t, 10*time.Second, "INCLUDE A\nINCLUDE A\nINCLUDE A\n", opts)
	if len(ds) != 1 || !strings.HasPrefix(ds[0], "MAIN:3:1") || !strings.Contains(ds[0], "40 included bytes") {
		t.Fatalf("diagnostics:\n%s", strings.Join(ds, "\n"))
	}
}

// includeAllocs is the number of bytes a parse of a profile of n INCLUDE
// lines allocates.
func includeAllocs(t testing.TB, n int) uint64 {
	m := newMemFiles()
	m.files["A"] = "HOME 10.1.1.1 ETH1\n"
	main := []byte(strings.Repeat("INCLUDE A\n", n))
	opts := m.options()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, ds := Parse("MAIN", main, opts)
	runtime.ReadMemStats(&after)
	if len(ds) > 0 {
		t.Fatalf("%d includes: %s", n, ds[0].Summary)
	}
	return after.TotalAlloc - before.TotalAlloc
}

// TestIncludeSpliceLinear: the memory a parse allocates per INCLUDE does
// not grow with the number of INCLUDEs. Splicing by copying the whole
// stream each time made it grow with the stream (8,000 INCLUDEs took 40 s).
// Bytes allocated, unlike time, do not depend on the machine's load.
func TestIncludeSpliceLinear(t *testing.T) {
	small, large := includeAllocs(t, 500), includeAllocs(t, 4000)
	perSmall, perLarge := float64(small)/500, float64(large)/4000
	if perLarge > 2*perSmall {
		t.Errorf("bytes allocated per INCLUDE: %.0f at 500, %.0f at 4,000: the splice is not linear", perSmall, perLarge)
	}
}

// outsideFiles resolves every data set name to a path outside the root.
type outsideFiles struct{ memFiles }

func (o *outsideFiles) Resolve(dsn, from string) (string, error) {
	return "../" + dsn, fmt.Errorf("../%s: %w", dsn, ErrOutside)
}

// TestIncludeOutside: an INCLUDE the resolver places outside the root is
// an OUTSIDE diagnostic at the INCLUDE, and nothing is read.
func TestIncludeOutside(t *testing.T) {
	o := &outsideFiles{*newMemFiles()}
	o.files["../SECRET"] = "secret text\n"
	_, ds := parseWithin(t, 10*time.Second, "HOME 10.1.1.1 ETH1\n  INCLUDE SECRET\n", Options{Resolver: o, ReadFile: o.ReadFile})
	if len(ds) != 1 || !strings.HasPrefix(ds[0], "MAIN:2:3:") || !strings.HasSuffix(ds[0], "[OUTSIDE]") {
		t.Fatalf("diagnostics:\n%s", strings.Join(ds, "\n"))
	}
	if len(o.reads) != 0 {
		t.Errorf("read %v", o.reads)
	}
}

// TestIncludeReadErrors: a missing member is a finding (INCLUDE); one that
// exists but cannot be read is an I/O error (READ) with the OS's reason.
func TestIncludeReadErrors(t *testing.T) {
	m := newMemFiles()
	m.files["DIR"] = ""
	opts := m.options()
	opts.ReadFile = func(name string) ([]byte, error) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	_, ds := parseWithin(t, 10*time.Second, "INCLUDE DIR\n", opts)
	if len(ds) != 1 || !strings.HasSuffix(ds[0], "[READ]") {
		t.Fatalf("diagnostics:\n%s", strings.Join(ds, "\n"))
	}
	_, ds = parseWithin(t, 10*time.Second, "INCLUDE DIR\n", m.options())
	if len(ds) != 0 {
		t.Fatalf("an empty member: %s", strings.Join(ds, "\n"))
	}
	opts.ReadFile = m.ReadFile
	delete(m.files, "DIR")
	m.files["GONE"] = ""
	opts.Resolver = resolveAll{}
	_, ds = parseWithin(t, 10*time.Second, "INCLUDE GONE2\n", opts)
	if len(ds) != 1 || !strings.HasSuffix(ds[0], "[INCLUDE]") {
		t.Fatalf("diagnostics:\n%s", strings.Join(ds, "\n"))
	}
}

// resolveAll resolves every name, existing or not.
type resolveAll struct{}

func (resolveAll) Resolve(dsn, from string) (string, error) { return dsn, nil }

// BenchmarkIncludeGrowth parses profiles of 1,000 and 8,000 INCLUDE lines
// in turn and reports their median times and the ratio: linear splicing
// keeps it near 8 (8,000 took 40 s when every splice copied the stream).
// The collector is paused during the timed parses, as in
// BenchmarkParseGrowth, so the figure is the parser's own work.
func BenchmarkIncludeGrowth(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	m := newMemFiles()
	m.files["A"] = "HOME 10.1.1.1 ETH1\n"
	small := []byte(strings.Repeat("INCLUDE A\n", 1000))
	large := []byte(strings.Repeat("INCLUDE A\n", 8000))
	timed := func(data []byte) time.Duration {
		runtime.GC()
		start := time.Now()
		if _, ds := Parse("MAIN", data, m.options()); len(ds) > 0 {
			b.Fatal(ds[0].Summary)
		}
		return time.Since(start)
	}
	var tSmall, tLarge []time.Duration
	for i := 0; i < b.N*5; i++ {
		tSmall = append(tSmall, timed(small))
		tLarge = append(tLarge, timed(large))
	}
	b.ReportMetric(float64(median(tSmall))/1e6, "ms-1000")
	b.ReportMetric(float64(median(tLarge))/1e6, "ms-8000")
	b.ReportMetric(float64(median(tLarge))/float64(median(tSmall)), "ratio")
	b.ReportMetric(0, "ns/op")
}

// TestIncludeUnixPathKeepsCase checks that an INCLUDE of a z/OS UNIX file
// ("/u/…") names the file as written, since z/OS UNIX file names are case
// sensitive, while an MVS data set name is folded to upper case as the
// stack folds profile text.
func TestIncludeUnixPathKeepsCase(t *testing.T) {
	m := newMemFiles()
	m.files["/u/tcpip/Common.prof"] = "ARPAGE 20\n"
	m.files["SYS1.TCPPARMS(COMMON)"] = "ARPAGE 30\n"
	_, ds := parseWithin(t, 10*time.Second, "INCLUDE /u/tcpip/Common.prof\nINCLUDE sys1.tcpparms(common)\n", m.options())
	for _, d := range ds {
		if strings.Contains(d, "[INCLUDE]") {
			t.Errorf("finding %s", d)
		}
	}
	if m.reads["/u/tcpip/Common.prof"] != 1 || m.reads["SYS1.TCPPARMS(COMMON)"] != 1 {
		t.Errorf("reads %v, want each file once", m.reads)
	}
	prof, _ := Parse("MAIN", []byte("INCLUDE '/u/tcpip/Common.prof'\n"), m.options())
	if got := prof.Statements[0].(*Include).DSN; got != "'/u/tcpip/Common.prof'" {
		t.Errorf("DSN %q, want the z/OS UNIX path as written", got)
	}
}

// TestIncludeUnixPathParsersAgree checks that participle's tree and the
// hand-written parser's keep a z/OS UNIX INCLUDE path alike.
func TestIncludeUnixPathParsersAgree(t *testing.T) {
	m := newMemFiles()
	m.files["/u/tcpip/Common.prof"] = "ARPAGE 20\n"
	if msg := disagreement("P", []byte("INCLUDE /u/tcpip/Common.prof\nINCLUDE '/u/tcpip/Common.prof'\n"), m.options()); msg != "" {
		t.Error(msg)
	}
}

// TestIncludeSystemSymbols checks that the system symbols in an INCLUDE's
// data set name are substituted from Options.Symbols before the name is
// resolved, as the stack substitutes them in the whole profile (IBM, IP
// Configuration Guide, "MVS system symbols"), and that a symbol without a
// value is an INCLUDE error at the INCLUDE, not a silent skip.
func TestIncludeSystemSymbols(t *testing.T) {
	m := newMemFiles()
	m.files["USER.TCPPARMS(MVS1)"] = "SOMAXCONN 10\n"
	m.files["SYS1.S1.TCPPARMS(COMMON)"] = "ARPAGE 20\n"
	opts := m.options()
	opts.Symbols = map[string]string{"SYSNAME": "MVS1", "SYSCLONE": "S1"}
	main := "INCLUDE USER.TCPPARMS(&SYSNAME.)\nINCLUDE SYS1.&SYSCLONE..TCPPARMS(COMMON)\nINCLUDE USER.TCPPARMS(&NOSUCH.)\n"
	prof, ds := Parse("MAIN", []byte(main), opts)
	var errs []string
	for _, d := range ds {
		if d.Rule == RuleInclude {
			errs = append(errs, d.Summary)
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "&NOSUCH.") || !strings.Contains(errs[0], "has no value") {
		t.Errorf("INCLUDE errors %q, want one about &NOSUCH.", errs)
	}
	var kw []string
	for _, st := range prof.Statements {
		kw = append(kw, st.Info().Keyword)
	}
	if got := strings.Join(kw, " "); got != "INCLUDE SOMAXCONN INCLUDE ARPAGE INCLUDE" {
		t.Errorf("statements %s", got)
	}
	// Without symbols (tcpipc parse on a loose file) the INCLUDE is
	// reported as one tcpipc cannot resolve.
	_, ds = Parse("MAIN", []byte(main), m.options())
	if n := len(ds); n != 3 || !strings.Contains(ds[0].Summary, "cannot resolve") {
		t.Errorf("without symbols: %d diagnostics, first %q", n, ds[0].Summary)
	}
}

// TestIncludeTooManyFiles: a token refers to its file by a 16-bit index,
// so the file after the 65,536th distinct one is refused with an INCLUDE
// error (at the file, included from its INCLUDE, as a file too large is),
// and every earlier file keeps its positions (an index that wrapped around
// would put a member's tokens in another file).
func TestIncludeTooManyFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("65,536 members")
	}
	m := newMemFiles()
	var main strings.Builder
	for i := range maxFiles {
		name := fmt.Sprintf("M%d", i)
		m.files[name] = "TCPCONFIG TCPSENDBFRSIZE 65536\n"
		fmt.Fprintf(&main, "INCLUDE %s\n", name)
	}
	opts := m.options()
	opts.MaxIncludes, opts.MaxIncludeBytes = 2*maxFiles, 1<<30
	prof, ds := parseWithin(t, 60*time.Second, main.String(), opts)
	if len(ds) != 1 || !strings.HasPrefix(ds[0], "M65535:1:1:") || !strings.Contains(ds[0], "past the 65536 distinct files") {
		t.Fatalf("diagnostics: %q", ds)
	}
	// The profile is the first file, M65534 the last one read; after it
	// comes the INCLUDE of M65535.
	n := len(prof.Statements)
	if r := prof.Statements[n-2].Info().Range; r.File != "M65534" || r.Start.Line != 1 || r.Start.Column != 1 {
		t.Errorf("last member's statement at %s, want M65534:1:1", r)
	}
	if r := prof.Statements[n-1].Info().Range; r.File != "MAIN" || r.Start.Line != maxFiles {
		t.Errorf("last statement at %s, want MAIN:%d", r, maxFiles)
	}
}

// TestIncludeCopiesStreamOnce: an INCLUDE at the top of a large profile
// costs one copy of its token stream, sized for the whole main file, not a
// stream grown by appending the rest of the main file to it (each growth a
// new array: several times the stream in all, which a cold `tcpipc parse`
// pays in fresh pages).
func TestIncludeCopiesStreamOnce(t *testing.T) {
	body := generateProfile(20_000)
	m := newMemFiles()
	m.files["A"] = "HOME 10.1.1.1 ETH1\n"
	allocs := func(data []byte) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, ds := Parse("MAIN", data, m.options())
		runtime.ReadMemStats(&after)
		if len(ds) > 0 {
			t.Fatalf("%s", ds[0].Summary)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	plain := allocs(body)
	lexed := Lex(decode("MAIN", body, source.Auto))
	stream := uint64(len(lexed.Tokens)) * uint64(unsafe.Sizeof(tok{}))
	// The INCLUDE goes at the top, before a block in the middle, or at the end.
	middle := len(body)/2 + bytes.Index(body[len(body)/2:], []byte("\nVIPADYNAMIC\n")) + 1
	for _, at := range []int{0, middle, len(body)} {
		data := append(append(append([]byte{}, body[:at]...), "INCLUDE A\n"...), body[at:]...)
		included := allocs(data)
		if extra := included - min(included, plain); extra > stream+stream/4 {
			t.Errorf("INCLUDE at byte %d of %d: it cost %d bytes more than the profile alone; one copy of its %d-byte token stream is the most it should", at, len(body), extra, stream)
		}
	}
}
