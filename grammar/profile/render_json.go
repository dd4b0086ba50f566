package profile

import (
	"bufio"
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
)

// WriteIndentedJSON writes the tree exactly as encoding/json writes JSON()
// with json.MarshalIndent(prof.JSON(), prefix, "  "), without building it:
// JSON() makes a map for every node, and for a 100,000-line profile the
// maps and encoding/json's buffering of the whole document were nine
// tenths of `tcpipc parse --format json`. TestWriteIndentedJSONAgrees
// holds the two to the same bytes.
func (prof *Profile) WriteIndentedJSON(w io.Writer, prefix string) error {
	j := &jsonWriter{Writer: bufio.NewWriterSize(w, 64<<10), paths: map[string]string{}}
	in := prefix + "  "
	j.WriteByte('{')
	j.key(in, "file")
	j.str(j.displayPath(prof.Main))
	j.WriteByte(',')
	j.key(in, "statements")
	j.array(in, len(prof.Statements), func(i int, in string) { j.statement(prof.Statements[i], in) })
	if len(prof.TrailingComments) > 0 {
		j.WriteByte(',')
		j.key(in, "trailingComments")
		j.strs(in, prof.TrailingComments)
	}
	j.newline(prefix)
	j.WriteByte('}')
	return j.Flush()
}

// jsonWriter writes JSON values the way encoding/json indents them (two
// spaces a level, keys of an object sorted, HTML characters escaped).
type jsonWriter struct {
	*bufio.Writer
	paths map[string]string // file name → display path
}

func (j *jsonWriter) displayPath(file string) string {
	p, ok := j.paths[file]
	if !ok {
		p = diag.DisplayPath(file)
		j.paths[file] = p
	}
	return p
}

func (j *jsonWriter) newline(in string) {
	j.WriteByte('\n')
	j.WriteString(in)
}

// key starts an object member on a new line indented by in.
func (j *jsonWriter) key(in, k string) {
	j.newline(in)
	j.str(k)
	j.WriteString(": ")
}

// array writes n elements, each on its own line one level deeper than in
// (the indentation of the line the array starts on).
func (j *jsonWriter) array(in string, n int, elem func(i int, in string)) {
	if n == 0 {
		j.WriteString("[]")
		return
	}
	j.WriteByte('[')
	inner := deeper(in)
	for i := 0; i < n; i++ {
		if i > 0 {
			j.WriteByte(',')
		}
		j.newline(inner)
		elem(i, inner)
	}
	j.newline(in)
	j.WriteByte(']')
}

func (j *jsonWriter) strs(in string, list []string) {
	j.array(in, len(list), func(i int, _ string) { j.str(list[i]) })
}

// str writes a JSON string. Plain printable ASCII is written as it is;
// anything else is left to encoding/json, so escapes are its own.
func (j *jsonWriter) str(s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			j.Write(b)
			return
		}
	}
	j.WriteByte('"')
	j.WriteString(s)
	j.WriteByte('"')
}

func (j *jsonWriter) int(n int64) { j.Write(strconv.AppendInt(j.AvailableBuffer(), n, 10)) }

// rng writes a diag.Range as encoding/json does (by its field tags).
func (j *jsonWriter) rng(in string, r diag.Range) {
	j.WriteByte('{')
	inner := deeper(in)
	j.key(inner, "file")
	j.str(r.File)
	j.WriteByte(',')
	j.key(inner, "start")
	j.pos(inner, r.Start)
	j.WriteByte(',')
	j.key(inner, "end")
	j.pos(inner, r.End)
	j.newline(in)
	j.WriteByte('}')
}

func (j *jsonWriter) pos(in string, p diag.Pos) {
	inner := deeper(in)
	j.WriteByte('{')
	j.key(inner, "line")
	j.int(int64(p.Line))
	j.WriteByte(',')
	j.key(inner, "column")
	j.int(int64(p.Column))
	j.WriteByte(',')
	j.key(inner, "offset")
	j.int(int64(p.Offset))
	j.newline(in)
	j.WriteByte('}')
}

// member is one member of an object being written: its key, and the
// field it comes from (index ≥ 0) or the metadata it shows (index < 0).
type member struct {
	key   string
	index int
}

// Metadata members of a statement (statementJSON).
const (
	metaKind = -1 - iota
	metaKeyword
	metaRange
	metaComments
	metaIgnored
	metaIncludedFrom
)

// statement writes what statementJSON makes of st.
func (j *jsonWriter) statement(st Statement, in string) {
	m := st.Info()
	v := reflect.ValueOf(st).Elem()
	var buf [24]member
	ms := append(buf[:0], member{"kind", metaKind}, member{"keyword", metaKeyword}, member{"range", metaRange})
	if len(m.Comments) > 0 {
		ms = append(ms, member{"comments", metaComments})
	}
	if m.Ignored != "" {
		ms = append(ms, member{"ignored", metaIgnored})
	}
	if len(m.IncludedFrom) > 0 {
		ms = append(ms, member{"includedFrom", metaIncludedFrom})
	}
	meta := len(ms)
	fields := shownFields(v.Type())
	for k := range fields {
		f := &fields[k]
		if f.isZero(v) {
			continue
		}
		// A field named like a metadata member replaces it, as in
		// statementJSON's map.
		if k := slices.IndexFunc(ms[:meta], func(x member) bool { return x.key == f.json }); k >= 0 {
			ms[k].index = f.index
			continue
		}
		ms = append(ms, member{f.json, f.index})
	}
	j.object(in, ms, func(x member, in string) {
		switch x.index {
		case metaKind:
			j.str(typeName(st))
		case metaKeyword:
			j.str(m.Keyword)
		case metaRange:
			r := m.Range
			r.File = j.displayPath(r.File)
			j.rng(in, r)
		case metaComments:
			j.strs(in, m.Comments)
		case metaIgnored:
			j.str(m.Ignored)
		case metaIncludedFrom:
			j.array(in, len(m.IncludedFrom), func(i int, in string) { j.rng(in, m.IncludedFrom[i]) })
		default:
			j.value(v.Field(x.index), in)
		}
	})
}

// object writes members sorted by key, as encoding/json writes a map.
func (j *jsonWriter) object(in string, ms []member, write func(member, string)) {
	if len(ms) == 0 {
		j.WriteString("{}")
		return
	}
	slices.SortFunc(ms, func(a, b member) int { return strings.Compare(a.key, b.key) })
	j.WriteByte('{')
	inner := deeper(in)
	for i, x := range ms {
		if i > 0 {
			j.WriteByte(',')
		}
		j.key(inner, x.key)
		write(x, inner)
	}
	j.newline(in)
	j.WriteByte('}')
}

// value writes what valueJSON makes of v.
func (j *jsonWriter) value(v reflect.Value, in string) {
	if v.Type().Implements(stmtType) && !v.IsNil() {
		j.statement(v.Interface().(Statement), in)
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			j.WriteString("null")
			return
		}
		j.value(v.Elem(), in)
	case reflect.Slice:
		j.array(in, v.Len(), func(i int, in string) { j.value(v.Index(i), in) })
	case reflect.Struct:
		var buf [24]member
		ms := buf[:0]
		fields := shownFields(v.Type())
		for k := range fields {
			if f := &fields[k]; !f.isZero(v) {
				ms = append(ms, member{f.json, f.index})
			}
		}
		if len(ms) == 1 && v.Type().NumField() <= 2 {
			j.value(v.Field(ms[0].index), in)
			return
		}
		j.object(in, ms, func(x member, in string) { j.value(v.Field(x.index), in) })
	case reflect.String:
		if v.Type().PkgPath() == "" {
			j.str(v.String())
			return
		}
		j.marshal(v, in)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.Type().PkgPath() == "" {
			j.int(v.Int())
			return
		}
		j.marshal(v, in)
	case reflect.Bool:
		if v.Type().PkgPath() == "" {
			j.WriteString(strconv.FormatBool(v.Bool()))
			return
		}
		j.marshal(v, in)
	default:
		j.marshal(v, in)
	}
}

// marshal leaves a value of another kind, or of a named type (which may
// marshal itself), to encoding/json.
func (j *jsonWriter) marshal(v reflect.Value, in string) {
	b, err := json.MarshalIndent(v.Interface(), in, "  ")
	if err != nil {
		b, _ = json.Marshal(err.Error())
	}
	j.Write(b)
}
