package profile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/tools/txtar"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
)

// streamAgrees checks that StreamFile with a TreeWriter writes the bytes
// ParseFile and WriteTree write, with the same diagnostics and count.
func streamAgrees(t *testing.T, name string, files map[string][]byte) {
	t.Helper()
	opts := Options{Resolver: memberResolver{}, ReadFile: func(p string) ([]byte, error) {
		if d, ok := files[filepath.ToSlash(p)]; ok {
			return bytes.Clone(d), nil
		}
		return nil, os.ErrNotExist
	}}
	prof, ds := ParseFile(name, opts)
	var want bytes.Buffer
	if err := prof.WriteTree(&want); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	tw := NewTreeWriter(&got)
	sprof, sds, n := StreamFile(name, opts, tw.Statement)
	if err := tw.Finish(sprof.TrailingComments); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("%s: streamed tree differs:\n%s", name, firstLineDifference(want.String(), got.String()))
	}
	if n != len(prof.Statements) || len(sprof.Statements) != 0 {
		t.Errorf("%s: streamed %d statements (kept %d), parsed %d", name, n, len(sprof.Statements), len(prof.Statements))
	}
	if a, b := diagText(ds), diagText(sds); a != b {
		t.Errorf("%s: diagnostics differ:\n%s\n%s", name, a, b)
	}
}

func diagText(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%s: %s [%s] %s %v\n", d.Range, d.Summary, d.Rule, d.Detail, d.IncludedFrom)
	}
	return b.String()
}

func firstLineDifference(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(la), len(lb))
}

// TestStreamFileAgrees: streaming a profile's tree, each statement written
// as soon as no comment can still join it, writes what parsing the whole
// profile and then writing its tree does, on the bundled profiles, the
// golden archives (INCLUDEs of members with comments on their last line
// among them), a profile whose every statement ends with a comment, and
// statements in error.
func TestStreamFileAgrees(t *testing.T) {
	streamAgrees(t, "PLAIN", map[string][]byte{"PLAIN": []byte(plainProfile)})
	streamAgrees(t, "GEN", map[string][]byte{"GEN": generateProfile(3_000)})
	for i, in := range trickyStatements {
		streamAgrees(t, fmt.Sprintf("TRICKY%d", i), map[string][]byte{fmt.Sprintf("TRICKY%d", i): []byte(in)})
	}
	streamAgrees(t, "MAIN", map[string][]byte{
		"MAIN": []byte("; first\nHOME 10.1.1.1 L1 ; home\nINCLUDE M1 ; include\nPORT 20 TCP FTP ; port\n  21 TCP FTP ; more\nINCLUDE M1\n; trailing\n"),
		"M1":   []byte("DEVICE D1 MPCIPA ; dev\nLINK L1 IPAQENET D1 ; last line of M1\n"),
	})
	// A member included once, whose last statement is not the last of
	// the stream: its end-of-line comment is its, the comment after it
	// belongs to nobody, and the main file's statements follow.
	streamAgrees(t, "ONCE", map[string][]byte{
		"ONCE": []byte("INCLUDE M2 ; include\nPORT 20 TCP FTP ; port\nPORT 23 TCP TN ; tn\n; trailing\n"),
		"M2":   []byte("; before\nDEVICE D1 MPCIPA ; dev\nLINK L1 IPAQENET D1 ; last line of M2\n; after M2's last statement\n"),
	})
	paths, _ := filepath.Glob("../../testdata/profiles/*/*/PROFILE.TCPIP")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		streamAgrees(t, "PROFILE.TCPIP", map[string][]byte{"PROFILE.TCPIP": data})
	}
	archives, _ := filepath.Glob("../testdata/profile/*.txtar")
	for _, path := range archives {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range ar.Files {
			files[f.Name] = f.Data
		}
		if files["in/PROFILE.TCPIP"] != nil {
			streamAgrees(t, "in/PROFILE.TCPIP", files)
		}
	}
}

// TestStreamFileLetsGo: a streamed statement is not kept once written, so
// the memory a large profile's tree holds at the end of the parse is a
// fraction of what the whole tree takes.
func TestStreamFileLetsGo(t *testing.T) {
	plain := streamLetsGo(t, "")
	// A member INCLUDEd at the top ends before the rest of the profile:
	// its last statement gets no later statement of its file, and must
	// not hold back every statement after it.
	included := streamLetsGo(t, "INCLUDE MEMBER\n")
	t.Logf("peak live while emitting: %d plain, %d with the INCLUDE", plain, included)
	if included > plain*3/2 {
		t.Errorf("with a member INCLUDEd at the top, %d bytes are live while statements are emitted, against %d without: the statements after it are held back", included, plain)
	}
	// Once spliced, the stream holds every token: the main file's own
	// array, which the splice copied, is not kept too.
	toks := uint64(len(Lex(decode("P", []byte(letsGoText("")), source.Auto)).Tokens)) * uint64(unsafe.Sizeof(tok{}))
	if included > plain+toks/2 {
		t.Errorf("with a member INCLUDEd at the top, %d bytes are live while statements are emitted, against %d without: more than half the main file's %d bytes of tokens more", included, plain, toks)
	}
}

// letsGoText is streamLetsGo's profile: a generated one after prefix, and
// many small top-level statements.
func letsGoText(prefix string) string {
	var text strings.Builder
	text.WriteString(prefix)
	text.Write(generateProfile(20_000))
	for i := range 30_000 { // top-level statements, each emitted on its own
		fmt.Fprintf(&text, "PORT %d TCP APP%d ; port %d\n", 1000+i, i, i)
	}
	return text.String()
}

// streamLetsGo streams a generated profile after prefix and returns the
// most bytes live while statements were being emitted; it checks that a
// streamed parse keeps far less than a whole one once done.
func streamLetsGo(t *testing.T, prefix string) (peak uint64) {
	m := newMemFiles()
	m.files["P"] = letsGoText(prefix)
	m.files["MEMBER"] = "PORT 21 TCP FTPD1 ; the member's last statement\n; a comment after it\n"
	opts := Options{Resolver: m, ReadFile: m.ReadFile}
	live := func(f func()) uint64 {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.GC()
		runtime.ReadMemStats(&after)
		return after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc)
	}
	var base runtime.MemStats
	n := 0
	sample := func(Statement) {
		if n++; n%200 == 0 {
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc-min(ms.HeapAlloc, base.HeapAlloc))
		}
	}
	var streamed *Profile
	stream := live(func() {
		runtime.ReadMemStats(&base)
		streamed, _, _ = StreamFile("P", opts, sample)
	})
	var kept *Profile
	whole := live(func() { kept, _ = ParseFile("P", opts) })
	runtime.KeepAlive(kept)
	runtime.KeepAlive(streamed)
	if stream*2 > whole {
		t.Errorf("a streamed parse keeps %d bytes, a whole one %d: the statements are kept", stream, whole)
	}
	return peak
}
