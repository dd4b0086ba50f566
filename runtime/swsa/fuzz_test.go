package swsa

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recordFields lists every JSON member name the record format has, at any
// depth; encoding/json matches member names without regard to case.
func recordFields() []string {
	var out []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice:
			walk(t.Elem())
		case reflect.Struct:
			for f := range t.Fields() {
				if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" {
					out = append(out, name)
					walk(f.Type)
				}
			}
		}
	}
	walk(reflect.TypeFor[Record]())
	return out
}

// FuzzDecodeRecord: Decode never panics; what it accepts is valid and
// encodes back to a record equal to it; and a known pre-shared key put
// into a record under any member name the format lacks (at the top or in
// a child SA) is refused, never carried: there is no way to store key
// bytes in a record.
func FuzzDecodeRecord(f *testing.F) {
	good, _ := Encode(sample(10))
	f.Add(good, "sharedKey")
	f.Add([]byte(`{"version":"tcpipc.swsa/v1"}`), "skeyseed")
	f.Add([]byte(`{"version":"tcpipc.swsa/v2"}`), "psk")
	fields := recordFields()
	f.Fuzz(func(t *testing.T, data []byte, member string) {
		r, err := Decode(data)
		if err != nil {
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("Decode accepted an invalid record: %v", err)
		}
		again, err := Encode(r)
		if err != nil {
			t.Fatalf("Encode of a decoded record: %v", err)
		}
		back, err := Decode(again)
		if err != nil {
			t.Fatalf("Decode of an encoded record: %v", err)
		}
		if diff := cmp.Diff(r, back, cmpOpts...); diff != "" {
			t.Fatalf("round trip differs:\n%s", diff)
		}
		for _, f := range fields {
			if strings.EqualFold(f, member) {
				return
			}
		}
		for _, smuggled := range smuggle(again, member, figPSK) {
			got, err := Decode(smuggled)
			if err == nil {
				t.Fatalf("a record with member %q was accepted", member)
			}
			if got != nil {
				out, _ := Encode(got)
				if bytes.Contains(out, []byte(figPSK)) {
					t.Fatalf("the key came through in %s", out)
				}
			}
		}
	})
}

// smuggle returns the record with an extra member holding the key: at the
// top level, and in the first child SA when there is one.
func smuggle(record []byte, member, key string) [][]byte {
	var top map[string]any
	if json.Unmarshal(record, &top) != nil {
		return nil
	}
	var out [][]byte
	add := func() {
		b, err := json.Marshal(top)
		if err == nil {
			out = append(out, b)
		}
	}
	top[member] = key
	add()
	delete(top, member)
	if children, _ := top["children"].([]any); len(children) > 0 {
		if c, ok := children[0].(map[string]any); ok {
			c[member] = key
			add()
		}
	}
	return out
}
