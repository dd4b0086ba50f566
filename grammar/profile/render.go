package profile

import (
	"bufio"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/tcpipc/tcpipc/diag"
)

// WriteTree prints the syntax tree in a stable, indented text form: one
// line per statement with its position, its comments and why the stack
// ignores it, then its operands (zero values left out).
//
// The text streams through a buffered writer: a 100,000-line profile
// prints some 13 MB, and building it in memory first cost more (fresh
// memory, copies as it grew) than writing it.
func (prof *Profile) WriteTree(w io.Writer) error {
	tw := NewTreeWriter(w)
	for _, st := range prof.Statements {
		tw.Statement(st)
	}
	return tw.Finish(prof.TrailingComments)
}

// TreeWriter writes a syntax tree a top-level statement at a time, as
// WriteTree does, for a parse that does not keep its statements
// (StreamFile).
type TreeWriter struct{ tw *treeWriter }

// NewTreeWriter returns a TreeWriter that writes to w.
func NewTreeWriter(w io.Writer) *TreeWriter {
	return &TreeWriter{&treeWriter{Writer: bufio.NewWriterSize(w, 64<<10), paths: map[string]string{}}}
}

// Statement writes a top-level statement and everything in it.
func (t *TreeWriter) Statement(st Statement) { t.tw.statement(st, "") }

// Finish writes the profile's trailing comments and flushes what is
// buffered; it reports the first write error.
func (t *TreeWriter) Finish(trailing []string) error {
	for _, c := range trailing {
		t.tw.WriteString("; ")
		t.tw.WriteString(c)
		t.tw.WriteByte('\n')
	}
	// A write error sticks in the writer: Flush reports the first one.
	return t.tw.Flush()
}

// treeWriter writes a tree. It remembers each file's display path:
// diag.DisplayPath of an absolute path asks the system for the working
// directory, which, once per statement, was most of the time `tcpipc
// parse` took on an absolute path.
type treeWriter struct {
	*bufio.Writer
	paths map[string]string // file name → display path
}

// statement writes a statement's header line, comments, why it is
// ignored, then its operands.
func (w *treeWriter) statement(st Statement, indent string) {
	m := st.Info()
	w.WriteString(indent)
	w.position(m.Range)
	w.WriteByte(' ')
	w.WriteString(m.Keyword)
	w.WriteString(" (")
	w.WriteString(typeName(st))
	w.WriteString(")\n")
	for _, c := range m.Comments {
		w.WriteString(indent)
		w.WriteString("  ; ")
		w.WriteString(c)
		w.WriteByte('\n')
	}
	if m.Ignored != "" {
		w.WriteString(indent)
		w.WriteString("  ! ignored: ")
		w.WriteString(m.Ignored)
		w.WriteByte('\n')
	}
	w.fields(reflect.ValueOf(st).Elem(), deeper(indent))
}

// deeper is indent and two spaces more: a slice of blanks rather than a
// new string per statement (that was most of the tree writer's objects).
func deeper(indent string) string {
	if n := len(indent) + 2; n <= len(blanks) && strings.Trim(indent, " ") == "" {
		return blanks[:n]
	}
	return indent + "  "
}

const blanks = "                                                                "

// position writes a range as diag.Range.String does (file:line:col).
func (w *treeWriter) position(r diag.Range) {
	if r.IsZero() {
		w.WriteString("-")
		return
	}
	path, ok := w.paths[r.File]
	if !ok {
		path = diag.DisplayPath(r.File)
		w.paths[r.File] = path
	}
	w.WriteString(path)
	w.WriteByte(':')
	w.Write(strconv.AppendInt(w.AvailableBuffer(), int64(r.Start.Line), 10))
	w.WriteByte(':')
	w.Write(strconv.AppendInt(w.AvailableBuffer(), int64(r.Start.Column), 10))
}

// skipField leaves out what is not an operand: participle's bookkeeping,
// the statement metadata, and the keyword the header line already shows.
func skipField(f reflect.StructField) bool {
	return f.Type == nodeType || f.Type == metaType || !f.IsExported() || f.Name == "Keyword"
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

var (
	optionType = reflect.TypeOf(Option{})
	nodeType   = reflect.TypeOf(Node{})
	metaType   = reflect.TypeOf(Meta{})
	stmtType   = reflect.TypeOf((*Statement)(nil)).Elem()
)

// shownField is a field of a syntax node the tree shows (skipField
// leaves it in), with what it holds.
type shownField struct {
	index   int
	name    string
	json    string // the name in JSON (lowerFirst)
	members bool   // a block's members: statements of their own
	stmt    bool   // one statement
	// offset and kind let isZero read the field's memory directly.
	offset uintptr
	kind   reflect.Kind
}

// isZero is v.Field(f.index).IsZero(), read from the field's memory for
// the kinds syntax nodes hold: asked of every field of every node, the
// reflect call was a tenth of `tcpipc parse`. The results are reflect's:
// a nil pointer, slice or interface, an empty string, false, 0.
func (f *shownField) isZero(v reflect.Value) bool {
	if !v.CanAddr() {
		return v.Field(f.index).IsZero()
	}
	p := unsafe.Add(unsafe.Pointer(v.UnsafeAddr()), f.offset)
	switch f.kind {
	case reflect.Pointer, reflect.Slice:
		// A slice's first word is its array: nil for a nil slice.
		return *(*unsafe.Pointer)(p) == nil
	case reflect.Interface:
		return *(*[2]unsafe.Pointer)(p) == [2]unsafe.Pointer{}
	case reflect.String:
		return len(*(*string)(p)) == 0
	case reflect.Bool:
		return !*(*bool)(p)
	case reflect.Int:
		return *(*int)(p) == 0
	}
	return v.Field(f.index).IsZero()
}

// shownFieldsOf caches shownFields by node type: looking fields up by
// reflection for every node was most of the renderer's time.
var shownFieldsOf sync.Map // reflect.Type → []shownField

// shownFields returns the fields of struct type t the tree shows.
func shownFields(t reflect.Type) []shownField {
	if fs, ok := shownFieldsOf.Load(t); ok {
		return fs.([]shownField)
	}
	var fs []shownField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if skipField(f) {
			continue
		}
		fs = append(fs, shownField{
			index:   i,
			name:    f.Name,
			json:    lowerFirst(f.Name),
			members: f.Type.Kind() == reflect.Slice && (f.Type.Elem() == stmtType || f.Type.Elem().Implements(stmtType)),
			stmt:    f.Type.Implements(stmtType),
			offset:  f.Offset,
			kind:    f.Type.Kind(),
		})
	}
	shownFieldsOf.Store(t, fs)
	return fs
}

// fields prints the non-zero grammar fields of a struct.
func (w *treeWriter) fields(v reflect.Value, indent string) {
	b := w.Writer
	fields := shownFields(v.Type())
	for k := range fields {
		f := &fields[k]
		if f.isZero(v) {
			continue
		}
		fv := v.Field(f.index)
		switch {
		case f.members:
			for j := 0; j < fv.Len(); j++ {
				w.statement(fv.Index(j).Interface().(Statement), indent)
			}
		case f.stmt:
			w.statement(fv.Interface().(Statement), indent)
		default:
			b.WriteString(indent)
			b.WriteString(f.name)
			b.WriteString(": ")
			writeInline(b, fv)
			b.WriteByte('\n')
		}
	}
}

// writeInline renders a value on one line: scalars as text, structs as
// {Field: value, …}, slices as [a, b]. It writes straight to b: building
// each operand as a string first was most of the renderer's allocations.
func writeInline(b *bufio.Writer, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("<nil>")
			return
		}
		if text, ok := leafText(v); ok {
			b.WriteString(text)
			return
		}
		writeInline(b, v.Elem())
	case reflect.Slice:
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			writeInline(b, v.Index(i))
		}
		b.WriteByte(']')
	case reflect.Struct:
		t := v.Type()
		if t == optionType {
			o := v.Addr().Interface().(*Option)
			b.WriteString(o.Name)
			for _, val := range o.Values {
				b.WriteByte(' ')
				b.WriteString(val)
			}
			return
		}
		fields := shownFields(t)
		// Which fields are set, found once (nodes have a few dozen
		// fields at most; the rest are rare and take the slow path).
		var setBuf [32]bool
		set := setBuf[:0]
		if len(fields) > len(setBuf) {
			set = make([]bool, 0, len(fields))
		}
		n, only := 0, shownField{}
		for k := range fields {
			f := &fields[k]
			isSet := !f.isZero(v)
			set = append(set, isSet)
			if isSet {
				n, only = n+1, *f
			}
		}
		if n == 1 && (t.NumField() <= 2 || only.name == "Other") {
			// A single-value wrapper such as Addr or Name prints as its
			// value, and so does a kept option.
			writeInline(b, v.Field(only.index))
			return
		}
		b.WriteByte('{')
		first := true
		for k, f := range fields {
			if !set[k] {
				continue
			}
			fv := v.Field(f.index)
			if !first {
				b.WriteString(", ")
			}
			first = false
			b.WriteString(f.name)
			b.WriteString(": ")
			writeInline(b, fv)
		}
		b.WriteByte('}')
	case reflect.String:
		b.WriteString(v.String())
	case reflect.Int, reflect.Bool:
		if v.Type().PkgPath() != "" {
			fmt.Fprint(b, v.Interface()) // a named type may have a String method
		} else if v.Kind() == reflect.Int {
			b.Write(strconv.AppendInt(b.AvailableBuffer(), v.Int(), 10))
		} else {
			b.WriteString(strconv.FormatBool(v.Bool()))
		}
	default:
		fmt.Fprint(b, v.Interface())
	}
}

// leafText is the text of a non-nil *Addr, *Name or *Operand, the most
// frequent nodes, which print as their one set field (see writeInline's
// single-value wrappers); ok is false for other nodes and an empty leaf.
func leafText(v reflect.Value) (text string, ok bool) {
	switch v.Type() {
	case addrPtrType:
		text = (*Addr)(v.UnsafePointer()).Text
	case namePtrType:
		text = (*Name)(v.UnsafePointer()).Text
	case operandPtrType:
		text = (*Operand)(v.UnsafePointer()).Text
	}
	return text, text != ""
}

var (
	addrPtrType    = reflect.TypeOf((*Addr)(nil))
	namePtrType    = reflect.TypeOf((*Name)(nil))
	operandPtrType = reflect.TypeOf((*Operand)(nil))
)

// JSON returns the syntax tree as plain JSON values: each statement an
// object with its kind, keyword, range, comments, why it is ignored, the
// INCLUDE chain, and its non-zero operands.
func (prof *Profile) JSON() any {
	stmts := make([]any, 0, len(prof.Statements))
	for _, st := range prof.Statements {
		stmts = append(stmts, statementJSON(st))
	}
	out := map[string]any{"file": diag.DisplayPath(prof.Main), "statements": stmts}
	if len(prof.TrailingComments) > 0 {
		out["trailingComments"] = prof.TrailingComments
	}
	return out
}

// WriteJSON writes JSON() indented, as a json.Encoder with a two-space
// indent would, streamed (WriteIndentedJSON).
func (prof *Profile) WriteJSON(w io.Writer) error {
	if err := prof.WriteIndentedJSON(w, ""); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func statementJSON(st Statement) map[string]any {
	m := st.Info()
	r := m.Range
	r.File = diag.DisplayPath(r.File)
	out := map[string]any{"kind": typeName(st), "keyword": m.Keyword, "range": r}
	if len(m.Comments) > 0 {
		out["comments"] = m.Comments
	}
	if m.Ignored != "" {
		out["ignored"] = m.Ignored
	}
	if len(m.IncludedFrom) > 0 {
		out["includedFrom"] = m.IncludedFrom
	}
	for k, v := range fieldsJSON(reflect.ValueOf(st).Elem()) {
		out[k] = v
	}
	return out
}

func fieldsJSON(v reflect.Value) map[string]any {
	out := map[string]any{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if skipField(f) || v.Field(i).IsZero() {
			continue
		}
		out[lowerFirst(f.Name)] = valueJSON(v.Field(i))
	}
	return out
}

func valueJSON(v reflect.Value) any {
	if v.Type().Implements(stmtType) && !v.IsNil() {
		return statementJSON(v.Interface().(Statement))
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return valueJSON(v.Elem())
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = valueJSON(v.Index(i))
		}
		return out
	case reflect.Struct:
		fields := fieldsJSON(v)
		if len(fields) == 1 && v.Type().NumField() <= 2 {
			for _, x := range fields {
				return x
			}
		}
		return fields
	}
	return v.Interface()
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
