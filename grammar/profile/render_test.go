package profile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// failingWriter fails every write, as a closed pipe or a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestWriteTreeReportsWriteError checks that the streamed tree still
// reports a failed write (the buffered writer keeps the first error).
func TestWriteTreeReportsWriteError(t *testing.T) {
	prof, _ := Parse("p", generateProfile(2_000), Options{})
	if err := prof.WriteTree(failingWriter{}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("WriteTree to a failing writer: %v, want the write error", err)
	}
}

// TestWriteTreeStreams checks that the tree is written in pieces as it is
// rendered, not built whole in memory first: no single write is larger
// than the buffer.
func TestWriteTreeStreams(t *testing.T) {
	prof, _ := Parse("p", generateProfile(20_000), Options{})
	var w countingWriter
	if err := prof.WriteTree(&w); err != nil {
		t.Fatal(err)
	}
	if w.writes < 2 || w.largest > 64<<10 {
		t.Fatalf("%d bytes in %d writes, the largest %d bytes: want writes of at most 64 KiB", w.total, w.writes, w.largest)
	}
}

type countingWriter struct{ writes, total, largest int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	w.total += len(p)
	w.largest = max(w.largest, len(p))
	return len(p), nil
}

// TestIsZeroAgreesWithReflect: the renderers' isZero reads a field's
// memory instead of asking reflect; on every node of the bundled profiles
// and the tricky statements (participle's nodes included) it says what
// reflect's IsZero says, set or not.
func TestIsZeroAgreesWithReflect(t *testing.T) {
	inputs := [][]byte{[]byte(plainProfile), generateProfile(2_000)}
	for _, in := range trickyStatements {
		inputs = append(inputs, []byte(in))
	}
	paths, _ := filepath.Glob("../../testdata/profiles/*/*/PROFILE.TCPIP")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, data)
	}
	checked := map[reflect.Kind][2]int{} // zero, set
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Struct:
			fields := shownFields(v.Type())
			for k := range fields {
				f := &fields[k]
				want := v.Field(f.index).IsZero()
				if got := f.isZero(v); got != want {
					t.Errorf("%s.%s: isZero %v, reflect %v", v.Type(), f.name, got, want)
				}
				c := checked[f.kind]
				if want {
					c[0]++
				} else {
					c[1]++
				}
				checked[f.kind] = c
				walk(v.Field(f.index))
			}
		}
	}
	for _, in := range inputs {
		prof, _ := Parse("p", in, Options{})
		for _, st := range prof.Statements {
			walk(reflect.ValueOf(st))
		}
	}
	for _, k := range []reflect.Kind{reflect.Pointer, reflect.Slice, reflect.String, reflect.Bool, reflect.Int} {
		if c := checked[k]; c[0] == 0 || c[1] == 0 {
			t.Errorf("%s fields: %d zero, %d set: the inputs do not cover both", k, c[0], c[1])
		}
	}
}
