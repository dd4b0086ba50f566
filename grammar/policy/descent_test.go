package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/tcpipc/tcpipc/grammar/source"
)

// trickyPolicies are inputs at the edges of the line grammar: empty
// lines and files, braces next to text, secrets whose value runs over
// several lines or holds braces, and no final line end.
var trickyPolicies = []string{
	"",
	"\n\n\n",
	"{",
	"}}}\n{{{",
	"IpFilterPolicy { IpFilterRuleRef a } # c\n",
	"IpFilterRule r\n{\n  IpService{Protocol tcp}\n}\n}\n",
	"KeyExchangeRule k\n{\n  SharedKey\n  Ascii my{key}\n  KeyExchangeActionRef a\n}\n",
	"KeyExchangeRule k\n{\n  SharedKey Ascii \\\n\n   key \\\n  more\n}",
	"KeyExchangeRule k\n{\n  SharedKey\n}\n",
	"SharedKey { }\n{ SharedKey Hex 0a0b\n",
	"IkeConfig\r\n{\r\n  KeyRing IKED#1/RING#2 # trailing\r\n}",
	"LogLevel 31\nTcpImage TCPIP /etc/x FLUSH PURGE 1800 extra words\n",
	"\x00\t{\x00}\t#\n#",
}

// parseBothPaths parses data with the hand-written line parser and with
// participle alone.
func parseBothPaths(name string, data []byte, opts Options) (fast, slow *File, fd, sd any) {
	fast, fds := parse(name, data, opts, false)
	slow, sds := parse(name, data, opts, true)
	return fast, slow, fds, sds
}

// policyDisagreement describes how the two paths differ on data: the line
// trees, the files built from them (entries, ranges, comments, secrets,
// kind) or the diagnostics (positions included); "" when they agree.
func policyDisagreement(name string, data []byte, opts Options) string {
	lx := Lex(source.Decode(name, data, opts.Encoding))
	hand, ok := descendLines(lx.Tokens)
	spec, err := participleLines(lx.Tokens)
	if !ok || err != nil {
		if ok != (err == nil) {
			return fmt.Sprintf("%s: hand-written parser ok=%v, participle error %v\ninput:\n%q", name, ok, err, data)
		}
	} else if !reflect.DeepEqual(hand, spec) {
		return fmt.Sprintf("%s: line trees differ:\n%s\ninput:\n%q", name, firstLineDifference(hand, spec), data)
	}
	fast, slow, fd, sd := parseBothPaths(name, data, opts)
	if !reflect.DeepEqual(fast, slow) {
		return fmt.Sprintf("%s: files differ (-participle +hand):\n%s\ninput:\n%q", name,
			cmp.Diff(slow, fast, cmp.AllowUnexported(File{}, source.File{})), data)
	}
	if !reflect.DeepEqual(fd, sd) {
		return fmt.Sprintf("%s: diagnostics differ (-participle +hand):\n%s\ninput:\n%q", name, cmp.Diff(sd, fd), data)
	}
	return ""
}

// participleLines runs the participle grammar on a token stream.
func participleLines(toks []lexer.Token) ([]*line, error) {
	pl, err := lexer.Upgrade(&sliceLexer{toks: toks})
	if err != nil {
		return nil, err
	}
	tree, err := lineParser().ParseFromLexer(pl)
	if err != nil {
		return nil, err
	}
	return tree.Lines, nil
}

func firstLineDifference(a, b []*line) string {
	for i := range min(len(a), len(b)) {
		if !reflect.DeepEqual(a[i], b[i]) {
			return fmt.Sprintf("line %d (-participle +hand):\n%s", i+1, cmp.Diff(b[i], a[i]))
		}
	}
	return fmt.Sprintf("%d lines against %d", len(a), len(b))
}

// repositoryPolicies returns every policy, pagent and IKED file the
// repository holds: the bundled sysplexes' files and every file of the
// policy golden archives (grammar and model).
func repositoryPolicies(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var paths []string
	for _, pat := range []string{"*.policy", "*/*.conf", "*/*.ttls", "*.ttls"} {
		m, _ := filepath.Glob("../../testdata/profiles/*/" + pat)
		paths = append(paths, m...)
	}
	if len(paths) < 20 {
		t.Fatalf("found %d bundled policy files", len(paths))
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = data
	}
	archives, _ := filepath.Glob("../testdata/policy/*.txtar")
	more, _ := filepath.Glob("../../model/testdata/policy*.txtar")
	if len(archives) < 5 || len(more) < 2 {
		t.Fatalf("found %d+%d policy golden archives", len(archives), len(more))
	}
	for _, path := range append(archives, more...) {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			out[path+"/"+f.Name] = f.Data
		}
	}
	return out
}

func TestDescentAgreesWithParticiple(t *testing.T) {
	for name, data := range repositoryPolicies(t) {
		for _, kind := range []Kind{Auto, IPSecPolicy} {
			if msg := policyDisagreement(name, data, Options{Kind: kind}); msg != "" {
				t.Fatal(msg)
			}
		}
	}
	for i, in := range trickyPolicies {
		if msg := policyDisagreement(fmt.Sprintf("tricky%d", i), []byte(in), Options{}); msg != "" {
			t.Fatal(msg)
		}
	}
	if msg := policyDisagreement("generated", generatePolicy(300), Options{}); msg != "" {
		t.Fatal(msg)
	}
}

// TestDescentRejectsWhatTheGrammarRejects feeds token streams the lexer
// never makes: the hand-written parser must refuse exactly those
// participle refuses, so that the driver's fallback gives them
// participle's treatment.
func TestDescentRejectsWhatTheGrammarRejects(t *testing.T) {
	tok := func(typ lexer.TokenType, v string) lexer.Token { return lexer.Token{Type: typ, Value: v} }
	for name, toks := range map[string][]lexer.Token{
		"secret first":        {tok(Secret, "k"), tok(Newline, "\n"), tok(EOF, "")},
		"secret after brace":  {tok(LBrace, "{"), tok(Secret, "k"), tok(Newline, "\n"), tok(EOF, "")},
		"no final line end":   {tok(Word, "LogLevel"), tok(EOF, "")},
		"no EOF":              {tok(Word, "LogLevel"), tok(Newline, "\n")},
		"well formed":         {tok(Word, "a"), tok(Secret, "b"), tok(LBrace, "{"), tok(Newline, "\n"), tok(EOF, "")},
		"only EOF":            {tok(EOF, "")},
		"blank lines and EOF": {tok(Newline, "\n"), tok(Newline, "\n"), tok(EOF, "")},
	} {
		hand, ok := descendLines(toks)
		spec, err := participleLines(toks)
		if ok != (err == nil) {
			t.Errorf("%s: hand-written ok=%v, participle error %v", name, ok, err)
			continue
		}
		if ok && !reflect.DeepEqual(hand, spec) {
			t.Errorf("%s: trees differ:\n%s", name, firstLineDifference(hand, spec))
		}
	}
}

// generatePolicy writes an IPsec policy with n filter rules, each with an
// inline service, a key exchange rule with a shared key, and comments.
func generatePolicy(n int) []byte {
	var b strings.Builder
	b.WriteString("# generated\nIpFilterPolicy\n{\n")
	for i := range n {
		fmt.Fprintf(&b, "  IpFilterRuleRef r%d # rule %d\n", i, i)
	}
	b.WriteString("}\n")
	for i := range n {
		fmt.Fprintf(&b, "IpFilterRule r%d\n{\n  IpSourceAddr 10.%d.%d.0/24\n  IpDestAddr All4\n", i, i/250, i%250)
		fmt.Fprintf(&b, "  IpService\n  {\n    Protocol Tcp\n    DestinationPortRange %d\n  }\n  IpGenericFilterActionRef permit\n}\n", 1000+i)
		fmt.Fprintf(&b, "KeyExchangeRule k%d\n{\n  SharedKey Ascii key-%d\n  KeyExchangeActionRef a\n}\n", i, i)
	}
	b.WriteString("IpGenericFilterAction permit\n{\n  IpFilterAction Permit\n}\n")
	return []byte(b.String())
}

// FuzzPolicyDescentAgrees checks that the hand-written line parser and
// participle agree on any input: the same tree, the same File (entries,
// ranges, comments, secret spans) and the same diagnostics. Seeds:
// testdata/fuzz/FuzzPolicyDescentAgrees, and the tricky inputs above.
func FuzzPolicyDescentAgrees(f *testing.F) {
	for _, in := range trickyPolicies {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return // participle is slow; size is not what this target explores
		}
		if msg := policyDisagreement("FUZZ", data, Options{}); msg != "" {
			t.Fatal(msg)
		}
	})
}

// TestTokenRanges checks the parser's shortcut for token ranges (from the
// lexer's line and column) against the file's line table, for every word
// and brace of every policy file in the repository and the tricky inputs.
func TestTokenRanges(t *testing.T) {
	files := repositoryPolicies(t)
	for i, in := range append(trickyPolicies, "a\r\nb\n\n  c\td {", "SharedKey\n\n Ascii x\\\n y") {
		files[fmt.Sprintf("tricky%d", i)] = []byte(in)
	}
	for name, data := range files {
		src := source.Decode(name, data, source.Auto)
		p := &parser{src: src}
		for _, tok := range Lex(src).Tokens {
			if tok.Type == EOF || tok.Type == Newline {
				continue // the parser takes no range of these
			}
			got, want := p.tokRange(tok), src.Range(tok.Pos.Offset, tok.Pos.Offset+len(tok.Value))
			if got != want {
				t.Fatalf("%s: token %q at offset %d: range %+v, the line table says %+v", name, tok.Value, tok.Pos.Offset, got, want)
			}
		}
	}
}

// TestWordEndTables checks the lexer's byte tables against isBlank.
func TestWordEndTables(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		if want := isBlank(b) || b == '\n' || b == '{' || b == '}'; wordEnds[b] != want {
			t.Errorf("wordEnds[%#x] = %v", b, wordEnds[b])
		}
		if want := isBlank(b) || b == '\n'; secretWordEnds[b] != want {
			t.Errorf("secretWordEnds[%#x] = %v", b, secretWordEnds[b])
		}
	}
}

// TestTokenReuseKeepsFiles checks that a parsed file holds on to nothing
// of the token array the next parse reuses: every file renders the same
// after other files (and itself again) were parsed, also concurrently.
func TestTokenReuseKeepsFiles(t *testing.T) {
	type parsed struct {
		f     *File
		tree  string
		diags string
	}
	render := func(f *File, ds any) (string, string) {
		var b strings.Builder
		if err := f.WriteTree(&b); err != nil {
			t.Fatal(err)
		}
		return b.String(), fmt.Sprintf("%+v", ds)
	}
	var files []parsed
	inputs := append([]string{string(generatePolicy(200))}, trickyPolicies...)
	for name, data := range repositoryPolicies(t) {
		if strings.HasSuffix(name, ".policy") {
			inputs = append(inputs, string(data))
		}
	}
	for i, in := range inputs {
		f, ds := Parse(fmt.Sprintf("f%d", i), []byte(in), Options{})
		tree, d := render(f, ds)
		files = append(files, parsed{f, tree, d + fmt.Sprint(f.JSON())})
	}
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for _, in := range inputs {
				Parse("other", []byte(strings.ToUpper(in)), Options{})
			}
		}()
	}
	for range 4 {
		<-done
	}
	for i, p := range files {
		tree, _ := render(p.f, nil)
		if tree != p.tree {
			t.Fatalf("file %d renders differently after later parses:\n%s", i, cmp.Diff(p.tree, tree))
		}
	}
}
