package profile

import (
	"reflect"
	"testing"
)

// TestNodeIsTwoIndexes: a node is the indexes of its first and last
// token in the stream, 8 bytes, whichever parser made it (participle's
// twins are copied, see twins.go), and every node's range is still found.
func TestNodeIsTwoIndexes(t *testing.T) {
	if n := reflect.TypeOf(Node{}).Size(); n != 8 {
		t.Errorf("Node is %d bytes", n)
	}
	// plainProfile takes the plain path; the tricky statements make
	// participle parse some of them.
	inputs := append([]string{plainProfile}, trickyStatements...)
	via := 0
	for i, in := range inputs {
		prof, p := parse("PROFILE", []byte(in), plainOptions, false)
		via += p.viaParticiple
		for _, st := range prof.Statements {
			spans(reflect.ValueOf(st), func(n *Node) {
				if n.Len() > 0 && prof.RangeOf(n).File == "" {
					t.Errorf("input %d: a node of %s has no range", i, st.Info().Keyword)
				}
			})
		}
	}
	if via == 0 {
		t.Error("no statement went through participle: the test no longer covers fromParticiple")
	}
}

// TestParticipleTwins: every twin participle fills has the fields and
// grammar tags of the tree's node it stands for, and the other way round
// (the fields the driver fills, untagged, excepted), down to the leaves.
func TestParticipleTwins(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var check func(tree, twin reflect.Type)
	check = func(tree, twin reflect.Type) {
		if seen[twin] {
			return
		}
		seen[twin] = true
		if twin.Name() != "p"+tree.Name() {
			t.Errorf("%s's twin is %s", tree.Name(), twin.Name())
		}
		for i := 0; i < twin.NumField(); i++ {
			f := twin.Field(i)
			if f.Type == pNodeType {
				continue
			}
			g, ok := tree.FieldByName(f.Name)
			if !ok || g.Tag != f.Tag {
				t.Errorf("%s.%s: the tree's field %v has tag %q, the twin's %q", tree.Name(), f.Name, ok, g.Tag, f.Tag)
				continue
			}
			ft, gt := f.Type, g.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				if gt.Kind() != ft.Kind() {
					t.Errorf("%s.%s: %s against %s", tree.Name(), f.Name, g.Type, f.Type)
					break
				}
				ft, gt = ft.Elem(), gt.Elem()
			}
			if ft != gt && ft.Kind() == reflect.Struct {
				check(gt, ft)
			} else if ft != gt {
				t.Errorf("%s.%s: %s against %s", tree.Name(), f.Name, g.Type, f.Type)
			}
		}
		for i := 0; i < tree.NumField(); i++ {
			g := tree.Field(i)
			if _, ok := twin.FieldByName(g.Name); !ok && g.Tag.Get("parser") != "" {
				t.Errorf("%s.%s has no twin field", tree.Name(), g.Name)
			}
		}
	}
	for _, sp := range allParsers() {
		check(sp.typ, sp.twin)
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

// TestNodeSub: a sub-node of a statement covers the operand it names.
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
}
