package profile

import (
	"reflect"
	"testing"
)

// TestTreeKeepsNoParticipleTokens: after a parse no node holds tokens in
// participle's 64-byte form, whichever parser made it (the hand-written
// parsers' nodes and participle's, converted by toSpans), so the tree keeps
// only the compact stream alive; and every node's range is still found.
func TestTreeKeepsNoParticipleTokens(t *testing.T) {
	// plainProfile takes the plain path; the tricky statements make
	// participle parse some of them.
	inputs := append([]string{plainProfile}, trickyStatements...)
	via := 0
	for i, in := range inputs {
		prof, p := parse("PROFILE", []byte(in), plainOptions, false)
		via += p.viaParticiple
		for _, st := range prof.Statements {
			spans(reflect.ValueOf(st), func(n *Node) {
				if n.Tokens != nil {
					t.Errorf("input %d: a node of %s holds %d participle tokens", i, st.Info().Keyword, len(n.Tokens))
				}
				if n.Len() > 0 && prof.RangeOf(n).File == "" {
					t.Errorf("input %d: a node of %s has no range", i, st.Info().Keyword)
				}
			})
		}
	}
	if via == 0 {
		t.Error("no statement went through participle: the test no longer covers toSpans")
	}
}

// TestTokHasNoPointers: the garbage collector never scans the token
// array, and it stays a quarter of participle's token or less: 16 bytes,
// the column and the value's length being found from the line and value.
func TestTokHasNoPointers(t *testing.T) {
	typ := reflect.TypeOf(tok{})
	for i := 0; i < typ.NumField(); i++ {
		switch typ.Field(i).Type.Kind() {
		case reflect.Uint8, reflect.Int8, reflect.Uint16, reflect.Uint32:
		default:
			t.Errorf("tok.%s is a %s", typ.Field(i).Name, typ.Field(i).Type)
		}
	}
	if n := typ.Size(); n > 16 {
		t.Errorf("tok is %d bytes", n)
	}
}

// TestNodeSub: a sub-node of a statement covers the operand it names, in
// both forms of Node.
func TestNodeSub(t *testing.T) {
	prof, _ := Parse("PROFILE", []byte("VIPADYNAMIC\nVIPABACKUP 100 201.2.10.11\nENDVIPADYNAMIC\n"), Options{})
	vd := prof.Statements[0].(*VIPADynamic)
	var backup *VIPABackup
	for _, m := range vd.Statements {
		if b, ok := m.(*VIPABackup); ok {
			backup = b
		}
	}
	if backup == nil {
		t.Fatal("no VIPABACKUP")
	}
	rank := backup.Sub(1, 2)
	if got := prof.Text(&rank); got != "100" {
		t.Errorf("rank text %q, want 100", got)
	}
	last := backup.Sub(backup.Len()-1, backup.Len())
	if got := prof.Text(&last); got != "201.2.10.11" {
		t.Errorf("last operand %q, want 201.2.10.11", got)
	}
	withTokens := Node{Tokens: prof.stream.tokens(int(backup.first), int(backup.end))}
	sub := withTokens.Sub(1, 2)
	if got := prof.Text(&sub); got != "100" {
		t.Errorf("participle form: rank text %q, want 100", got)
	}
}
