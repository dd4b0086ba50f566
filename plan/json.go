package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// WriteJSON writes the plan as indented JSON. The output depends only on
// the plan, so the same sysplex always gives the same bytes.
func (p *Plan) WriteJSON(w io.Writer) error { return WriteIndented(w, p) }

// WriteIndented writes v as the plan's JSON is written: indented by two
// spaces, "<redacted>" left readable. whatif writes its outcomes the same
// way.
func WriteIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // keep "<redacted>" readable
	return enc.Encode(v)
}

// Read reads a plan written by WriteJSON and checks it against its schema
// (see Validate and shape): every problem comes back in one error, each
// naming the JSON path of the value.
func Read(r io.Reader) (*Plan, error) {
	text, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	// A key given twice would silently keep the last value (an edited
	// owner, say); the plan is refused instead.
	if err := duplicateKeys(text); err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("reading plan: more than one JSON value")
	}
	if obj, ok := doc.(map[string]any); ok && obj["version"] != Version {
		return nil, fmt.Errorf("plan version %v, want %q", obj["version"], Version)
	}
	if err := invalid(shape("", doc, reflect.TypeFor[Plan]())); err != nil {
		return nil, err
	}
	// The form is right, so decoding cannot fail on it.
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// duplicateKeys reports an object key given twice in one object of a
// JSON document, with the path to it; a syntax error is left to the
// decoder to report.
func duplicateKeys(text []byte) error {
	return walkKeys(json.NewDecoder(bytes.NewReader(text)), "", 0)
}

// maxDepth bounds the nesting walkKeys follows (encoding/json's own limit).
const maxDepth = 10000

// walkKeys reads one JSON value from dec, checking the keys of every
// object in it.
func walkKeys(dec *json.Decoder, path string, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%s: nested more than %d deep", orRoot(path), maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil
			}
			key, _ := kt.(string)
			if seen[key] {
				return fmt.Errorf("%s: key %q is given twice", orRoot(path), key)
			}
			seen[key] = true
			if err := walkKeys(dec, join(path, key), depth+1); err != nil {
				return err
			}
		}
		_, _ = dec.Token() // }
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := walkKeys(dec, index(path, i), depth+1); err != nil {
				return err
			}
		}
		_, _ = dec.Token() // ]
	}
	return nil
}

// String writes a port range as the displays do: "*" for any port, one
// number for one port, else from-to.
func (p PortRange) String() string {
	switch {
	case p == AnyPort:
		return "*"
	case p.From == p.To:
		return fmt.Sprint(p.From)
	}
	return fmt.Sprintf("%d-%d", p.From, p.To)
}

// PortList writes port ranges as the displays and whatif do: "any" for
// none (every port), else each range as String writes it.
func PortList(ps []PortRange) string {
	if len(ps) == 0 {
		return "any"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, " ")
}
