package profile

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
)

// WriteTree prints the syntax tree in a stable, indented text form: one
// line per statement with its position, its comments and why the stack
// ignores it, then its operands (zero values left out).
func (prof *Profile) WriteTree(w io.Writer) error {
	var b strings.Builder
	for _, st := range prof.Statements {
		writeStatement(&b, st, "")
	}
	for _, c := range prof.TrailingComments {
		fmt.Fprintf(&b, "; %s\n", c)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeStatement(b *strings.Builder, st Statement, indent string) {
	m := st.Info()
	fmt.Fprintf(b, "%s%s %s (%s)\n", indent, m.Range, m.Keyword, typeName(st))
	for _, c := range m.Comments {
		fmt.Fprintf(b, "%s  ; %s\n", indent, c)
	}
	if m.Ignored != "" {
		fmt.Fprintf(b, "%s  ! ignored: %s\n", indent, m.Ignored)
	}
	v := reflect.ValueOf(st).Elem()
	writeFields(b, v, indent+"  ")
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
	nodeType = reflect.TypeOf(Node{})
	metaType = reflect.TypeOf(Meta{})
	stmtType = reflect.TypeOf((*Statement)(nil)).Elem()
)

// writeFields prints the non-zero grammar fields of a struct.
func writeFields(b *strings.Builder, v reflect.Value, indent string) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if skipField(f) {
			continue
		}
		fv := v.Field(i)
		if fv.IsZero() {
			continue
		}
		// Members of blocks are statements of their own.
		if fv.Kind() == reflect.Slice && (fv.Type().Elem() == stmtType || fv.Type().Elem().Implements(stmtType)) {
			for j := 0; j < fv.Len(); j++ {
				writeStatement(b, fv.Index(j).Interface().(Statement), indent)
			}
			continue
		}
		if fv.Type().Implements(stmtType) {
			writeStatement(b, fv.Interface().(Statement), indent)
			continue
		}
		fmt.Fprintf(b, "%s%s: %s\n", indent, f.Name, inline(fv))
	}
}

// inline renders a value on one line: scalars as text, structs as
// {Field: value, …}, slices as [a, b].
func inline(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "<nil>"
		}
		return inline(v.Elem())
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = inline(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Struct:
		if o, ok := v.Addr().Interface().(*Option); ok {
			return strings.Join(append([]string{o.Name}, o.Values...), " ")
		}
		var parts []string
		var only reflect.StructField
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if skipField(f) || v.Field(i).IsZero() {
				continue
			}
			only = f
			parts = append(parts, f.Name+": "+inline(v.Field(i)))
		}
		if len(parts) == 1 {
			value := inline(v.FieldByIndex(only.Index))
			if t.NumField() <= 2 || only.Name == "Other" {
				// A single-value wrapper such as Addr or Name prints as
				// its value, and so does a kept option.
				return value
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case reflect.String:
		return v.String()
	}
	return fmt.Sprint(v.Interface())
}

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

// WriteJSON writes JSON() indented.
func (prof *Profile) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(prof.JSON())
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
