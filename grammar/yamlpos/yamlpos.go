package yamlpos

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/internal/suggest"
)

// Reader reports problems of one YAML file under one rule id.
type Reader struct {
	File  *source.File
	Rule  string
	Diags *diag.Diagnostics
}

// errLine finds the line number in a YAML parser error.
var errLine = regexp.MustCompile(`line (\d+)`)

// Root parses the file and returns its top node, nil when the document
// is empty. A syntax error is reported as "WHAT is not valid YAML: …" at
// the start of the line the parser names, and ok is false.
func (r *Reader) Root(what string) (root *yaml.Node, ok bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(r.File.Text, &doc); err != nil {
		line := 1
		if m := errLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		off := r.File.Offset(line, 1)
		r.Diags.Errorf(r.Rule, r.File.Range(off, off), "%s is not valid YAML: %s", what, strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, false
	}
	if len(doc.Content) == 0 {
		return nil, true
	}
	return doc.Content[0], true
}

// Range is the range of a node: its first line, from its column to the
// end of a scalar's text (quotes included).
func (r *Reader) Range(n *yaml.Node) diag.Range {
	f := r.File
	start := f.Offset(n.Line, n.Column)
	end := start
	if n.Kind == yaml.ScalarNode {
		end = min(start+len(n.Value), len(f.Text))
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			end = min(end+2, len(f.Text))
		}
	}
	return f.Range(start, end)
}

// Errorf reports a problem at node n.
func (r *Reader) Errorf(n *yaml.Node, format string, args ...any) *diag.Diagnostic {
	return r.Diags.Errorf(r.Rule, r.Range(n), format, args...)
}

// Mapping calls fn for each key of a mapping node in order, reporting a
// node that is not a mapping ("WHERE must be a mapping"), keys that are not
// in allowed (with a suggestion and the list of known keys) and keys
// given twice; fn sees neither.
func (r *Reader) Mapping(n *yaml.Node, allowed []string, where string, fn func(key string, k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		r.Errorf(n, "%s must be a mapping", where)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !known(allowed, k.Value):
			d := r.Errorf(k, "unknown key %q in %s", k.Value, where)
			d.Detail = "Known keys: " + strings.Join(allowed, ", ") + "."
			if s := suggest.Closest(k.Value, allowed, nil); s != "" {
				d.Detail = "Did you mean " + s + "? " + d.Detail
			}
		case seen[k.Value]:
			r.Errorf(k, "key %q is given twice in %s", k.Value, where)
		default:
			seen[k.Value] = true
			fn(k.Value, k, v)
		}
	}
}

// Require reports, at a mapping, the keys of keys it lacks: "owner needs
// at and stack". A node that is no mapping is Mapping's to report.
func (r *Reader) Require(n *yaml.Node, where string, keys ...string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	var missing []string
	for _, want := range keys {
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			found = found || n.Content[i].Value == want
		}
		if !found {
			missing = append(missing, want)
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		r.Errorf(n, "%s needs %s", where, missing[0])
	default:
		r.Errorf(n, "%s needs %s and %s", where, strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
	}
}

func known(allowed []string, key string) bool {
	for _, a := range allowed {
		if a == key {
			return true
		}
	}
	return false
}
