package profile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// withLine inserts text into a generated profile at the first top-level
// TCPCONFIG statement from fraction at of its lines on (1: at the end).
func withLine(data []byte, text string, at float64) []byte {
	lines := bytes.SplitAfter(data, []byte("\n"))
	i := int(float64(len(lines)) * at)
	for i < len(lines) && !bytes.HasPrefix(lines[i], []byte("TCPCONFIG")) {
		i++
	}
	out := bytes.Join(lines[:i], nil)
	out = append(out, text...)
	return append(out, bytes.Join(lines[i:], nil)...)
}

// TestFallbackConvertsOnlyItsStatement checks that a statement that leaves
// the hand-written path costs participle's form of that statement, not of
// the whole profile: one bad line in a large profile made 900,000 tokens
// into participle's form and took five times as long as the parse.
func TestFallbackConvertsOnlyItsStatement(t *testing.T) {
	big := generateProfile(20_000)
	for _, c := range []struct {
		name, line string
	}{
		{"PORT", "PORT 23 TCQ TELNET\n"},
		{"VIPADISTRIBUTE", "VIPADYNAMIC\n VIPADISTRIBUTE DEFINE 10.1.1.1 PORT 60 DESTIP\nENDVIPADYNAMIC\n"},
	} {
		for _, at := range []float64{0, 0.5, 1} {
			t.Run(fmt.Sprintf("%s/%v", c.name, at), func(t *testing.T) {
				_, p := parse("BIG", withLine(big, c.line, at), Options{}, false)
				if p.viaParticiple != 1 {
					t.Fatalf("%d statements went to participle, want 1", p.viaParticiple)
				}
				// The statement, the next statement's keyword and a few
				// tokens of slack; the profile has some 200,000.
				if p.participleToks > 32 {
					t.Errorf("%d tokens made into participle's form for one statement of %d tokens, want at most 32",
						p.participleToks, len(p.toks))
				}
				if p.widened != 0 {
					t.Errorf("participle read past the statement's window %d times, want 0", p.widened)
				}
				if !p.diags.HasErrors() {
					t.Errorf("no syntax error reported")
				}
			})
		}
	}
}

// windowDisagreement describes how parsing data with participle given a
// window of the stream per statement differs from giving it the whole
// stream (as before windows), with and without the hand-written parsers,
// or returns "". widened counts the windows participle read past.
func windowDisagreement(name string, data []byte, opts Options) (msg string, widened int) {
	for _, only := range []bool{false, true} {
		win, wp := parseData(name, data, opts, mode{participleOnly: only}, false, nil)
		whole, hp := parseData(name, data, opts, mode{participleOnly: only, wholeStream: true}, false, nil)
		widened += wp.widened
		wp.diags.Sort()
		hp.diags.Sort()
		switch {
		case !reflect.DeepEqual(win.Statements, whole.Statements):
			return fmt.Sprintf("%s (participle only: %v): windows and the whole stream build different trees:\n%s\ninput:\n%s",
				name, only, treeDifference(win, whole), data), widened
		case !reflect.DeepEqual(win.TrailingComments, whole.TrailingComments):
			return fmt.Sprintf("%s: trailing comments differ", name), widened
		case !reflect.DeepEqual(wp.diags, hp.diags):
			return fmt.Sprintf("%s (participle only: %v): diagnostics differ (-whole stream +windows):\n%s\ninput:\n%s",
				name, only, cmp.Diff(hp.diags, wp.diags), data), widened
		case wp.viaParticiple != hp.viaParticiple:
			return fmt.Sprintf("%s: %d statements went to participle with windows, %d without", name, wp.viaParticiple, hp.viaParticiple), widened
		}
	}
	return "", widened
}

// treeDifference shows how two parses' trees differ: as rendered, or the
// first statement whose nodes differ.
func treeDifference(a, b *Profile) string {
	var ja, jb bytes.Buffer
	_ = a.WriteJSON(&ja)
	_ = b.WriteJSON(&jb)
	if d := cmp.Diff(jb.String(), ja.String()); d != "" {
		return d
	}
	for i := range min(len(a.Statements), len(b.Statements)) {
		if !reflect.DeepEqual(a.Statements[i], b.Statements[i]) {
			return fmt.Sprintf("statement %d (%s), its nodes:\n%+v\nagainst\n%+v", i, a.Statements[i].Info().Keyword, a.Statements[i], b.Statements[i])
		}
	}
	return fmt.Sprintf("%d statements against %d", len(a.Statements), len(b.Statements))
}

// broken makes every line of a profile wrong in one way (f), so that
// nearly every statement leaves the hand-written path.
func broken(data []byte, f func(fields []string) []string) []byte {
	var b bytes.Buffer
	for _, line := range strings.Split(string(data), "\n") {
		if fields := strings.Fields(line); len(fields) > 0 && !strings.HasPrefix(fields[0], ";") {
			line = " " + strings.Join(f(fields), " ")
		}
		b.WriteString(line + "\n")
	}
	return b.Bytes()
}

// TestWindowAgreesWithWholeStream checks that participle given a window of
// the stream per statement builds the same trees and reports the same
// diagnostics (positions, messages, what it expected) as given the whole
// stream: over the inputs the agreement of the two parsers is checked on,
// bad statements at the start, middle and end of a large profile, and
// profiles whose every statement is broken.
func TestWindowAgreesWithWholeStream(t *testing.T) {
	inputs := map[string][]byte{"plain": []byte(plainProfile)}
	for i, in := range trickyStatements {
		inputs[fmt.Sprintf("tricky%d", i)] = []byte(in)
	}
	gen := generateProfile(3_000)
	bad := map[string]string{
		"PORT":           "PORT 23 TCQ TELNET\n",
		"VIPADISTRIBUTE": "VIPADYNAMIC\n VIPADISTRIBUTE DEFINE 10.1.1.1 PORT 60 DESTIP\nENDVIPADYNAMIC\n",
		// participle reads the PORT statement after it as its operand.
		"reads on":     "VIPADYNAMIC\n VIPADISTRIBUTE DEFINE 10.1.1.1 PORT 60 DESTIP\nPORT 23 TCP X\nPORT 24 TCP Y\nENDVIPADYNAMIC\n",
		"unterminated": "VIPADYNAMIC\n VIPADEFINE 255.255.255.0\n",
	}
	for what, line := range bad {
		for _, at := range []float64{0, 0.5, 1} {
			inputs[fmt.Sprintf("%s at %v", what, at)] = withLine(gen, line, at)
		}
	}
	small := generateProfile(400)
	inputs["last operand dropped"] = broken(small, func(f []string) []string { return f[:len(f)-1] })
	inputs["PORT after each"] = broken(small, func(f []string) []string { return append(f, "PORT") })
	inputs["number for each operand"] = broken(small, func(f []string) []string {
		for i := 1; i < len(f); i++ {
			f[i] = "7"
		}
		return f
	})
	inputs["operands reversed"] = broken(small, func(f []string) []string {
		slices.Reverse(f[1:])
		return f
	})
	seeds, _ := filepath.Glob("testdata/fuzz/*/*")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if in, ok := fuzzSeedBytes(data); ok {
			inputs[s] = in
		}
	}
	widened := 0
	for name, data := range inputs {
		msg, n := windowDisagreement(name, data, fuzzOptions)
		if msg != "" {
			t.Error(msg)
		}
		widened += n
	}
	if widened == 0 {
		t.Error("participle never read past a window: the test no longer covers widening it")
	}
}

// FuzzWindowAgrees compares windows with the whole stream on any input.
// Seeds: the tricky statements and testdata/fuzz/FuzzWindowAgrees.
func FuzzWindowAgrees(f *testing.F) {
	for _, in := range trickyStatements {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		result := make(chan string, 1)
		go func() { msg, _ := windowDisagreement("FUZZ", data, fuzzOptions); result <- msg }()
		select {
		case msg := <-result:
			if msg != "" {
				t.Fatal(msg)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("parsing %d bytes four ways did not finish in 10s", len(data))
		}
	})
}
