package model

import (
	"sort"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/policy"
)

// RulePolicyRef is the id of policy reference problems: a …Ref that names
// nothing (error) and a named object nothing uses (info).
const (
	RulePolicyRef    = "POLICYREF"
	RulePolicyUnused = "POLICYUNUSED"
)

// object is one named policy object: the last definition of its name.
type object struct {
	typ, name string
	entry     *policy.Entry
	file      *policy.File
	used      bool
}

// objectTable is the definitions/references table of one stack's IPsec
// policy, by statement type and case-sensitive name. Undefined references
// and unused objects both come out of it, not out of per-statement code.
type objectTable struct {
	byType map[string]map[string]*object
	ds     *diag.Diagnostics
}

func newObjectTable(ds *diag.Diagnostics) *objectTable {
	return &objectTable{byType: map[string]map[string]*object{}, ds: ds}
}

// define records every named statement of files (in order: the common file
// first, so the stack file's definitions override it). A name defined twice
// in one file keeps the last definition, with a warning.
func (t *objectTable) define(files []*policy.File) {
	for _, f := range files {
		inFile := map[string]*policy.Entry{}
		f.Walk(func(e, parent *policy.Entry) {
			spec, ok := policy.LookupStatement(e.Keyword)
			if !ok || e.Block == nil || e.Name() == "" || !spec.TopLevel {
				return
			}
			if parent != nil {
				if ps, ok := policy.LookupStatement(parent.Keyword); ok {
					if a, ok := ps.Attr(e.Keyword); !ok || !a.Inline {
						return
					}
				}
			}
			key := e.Keyword + "\x00" + e.Name()
			if first, dup := inFile[key]; dup {
				d := t.ds.Warnf(RulePolicyRef, e.KeywordRange, "%s %s is defined again; the last definition wins", e.Keyword, e.Name())
				d.Related = []diag.Related{{Range: first.KeywordRange, Message: "earlier definition"}}
			}
			inFile[key] = e
			if t.byType[e.Keyword] == nil {
				t.byType[e.Keyword] = map[string]*object{}
			}
			// An object written inline is used by the statement it is in.
			t.byType[e.Keyword][e.Name()] = &object{typ: e.Keyword, name: e.Name(), entry: e, file: f, used: parent != nil}
		})
	}
}

// resolve checks every …Ref of the files against the table, marking what
// is used and reporting what names nothing.
func (t *objectTable) resolve(files []*policy.File) {
	for _, f := range files {
		f.Walk(func(e, parent *policy.Entry) {
			if parent == nil {
				return
			}
			if v, ok := remoteIdentityRef(parent, e); ok {
				t.lookupValue("RemoteIdentity", e.Keyword+" "+e.Values[0].Text, v)
				return
			}
			ps, ok := policy.LookupStatement(parent.Keyword)
			if !ok {
				return
			}
			a, ok := ps.Attr(e.Keyword)
			if !ok || a.RefTo == "" || len(e.Values) == 0 {
				return
			}
			t.lookup(a.RefTo, e)
		})
	}
}

// lookup finds the object a …Ref entry names, reporting it when missing.
func (t *objectTable) lookup(typ string, ref *policy.Entry) *policy.Entry {
	if len(ref.Values) == 0 {
		return nil
	}
	return t.lookupValue(typ, ref.Keyword, ref.Values[0])
}

// lookupValue finds the object of a type that the value v names, which
// follows the words ref (IpFilterRuleRef, Identity RemoteIdentityRef),
// reporting it when missing.
func (t *objectTable) lookupValue(typ, ref string, v *policy.Value) *policy.Entry {
	name := v.Text
	if o, ok := t.byType[typ][name]; ok {
		o.used = true
		return o.entry
	}
	d := t.ds.Errorf(RulePolicyRef, v.Range, "%s %s names no %s", ref, name, typ)
	var names []string
	for n := range t.byType[typ] {
		names = append(names, n)
		if strings.EqualFold(n, name) {
			d.Detail = "Names are case-sensitive: did you mean " + n + "?"
		}
	}
	if d.Detail == "" {
		sort.Strings(names)
		if len(names) > 0 {
			d.Detail = "Defined " + typ + " names: " + strings.Join(names, ", ") + "."
		} else {
			d.Detail = "No " + typ + " is defined in the stack's policy files."
		}
	}
	return nil
}

// find returns a defined object without reporting anything.
func (t *objectTable) find(typ, name string) *policy.Entry {
	if o, ok := t.byType[typ][name]; ok {
		return o.entry
	}
	return nil
}

// unused returns the named objects no reference uses, in file order.
func (t *objectTable) unused() []*object {
	var out []*object
	for _, objs := range t.byType {
		for _, o := range objs {
			if !o.used && o.entry.Range.File != "" {
				out = append(out, o)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return diag.Compare(&diag.Diagnostic{Range: out[i].entry.Range}, &diag.Diagnostic{Range: out[j].entry.Range}) < 0
	})
	return out
}
