package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fullPlan is the figure 9 plan with every optional field the compiler
// leaves out for figure 9 set to a valid value, so that every constraint
// of the schema has a value to break.
func fullPlan(t *testing.T) map[string]any {
	t.Helper()
	p := figure9(t)
	one, zero := 1, 0
	s := &p.Stacks[0]
	s.SPD.Filters[0].ICMPType = &PortRange{0, 255}
	s.SPD.Filters[0].ICMPCode = &PortRange{0, 255}
	s.SPD.Filters[0].OSPFType = &one
	s.SPD.Filters[0].ManualTunnel = "x"
	s.SPD.Filters[0].Group, s.SPD.Filters[0].LocalStartAction = "g", "ls"
	s.VIPARanges = []VIPARange{{Prefix: netip.MustParsePrefix("201.3.10.0/24"), Moveable: "NONDISRUPTIVE"}}
	s.VIPARoutes = []VIPARoute{{DestXCF: "DEFAULT", Target: netip.MustParseAddr("201.1.10.99")}}
	s.KeyRing = &KeyRing{Name: "IKED/RING", Cert: "c.pem", Key: "k.pem", CA: "ca.pem", Fingerprint: strings.Repeat("ab", 32), CAFingerprint: strings.Repeat("cd", 32), Identities: []string{"FQDN x"}}
	for i := range p.Stacks {
		if peers := p.Stacks[i].IKE.Peers; len(peers) > 0 {
			peers[0].CertPresents, peers[0].ReauthSeconds = true, 3600
			break
		}
	}
	for i := range p.Stacks {
		if v := p.Stacks[i].SPD.VPNActions; len(v) > 0 {
			v[0].PFS = &Transform{Type: "DH", ID: 19, Name: "ECP256"}
			v[0].Refused = []Refused{{Offer: "DES", Reason: "weak"}}
			v[0].Proposals[0].Mode = "TUNNEL"
			v[0].Proposals[0].Offer = "x"
			break
		}
	}
	d := &p.DVIPAs[0]
	d.IntfName = "DVA1"
	d.Notes = []string{"x"}
	dist := &d.Distributions[0]
	dist.OptLocal = &zero
	dist.NoAutoSwitchBack = true
	dist.NoHealthSwitch = true
	dist.Targets[0].Weight = &one
	dist.Targets[0].Role = "PREFERRED"
	dist.Targets[0].BackupRank = &one
	d.SWSA = SWSA{Protected: true, Eligible: true, IKEv2: true, Reasons: []Reason{}}
	p.DVIPAs[1].SWSA = SWSA{Protected: true, Reasons: []Reason{{Stack: "MVS5", Code: "no-dvipsec", Text: "x"}}}
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	dec := json.NewDecoder(&b)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// violation is one edit of a valid plan that breaks one constraint of the
// schema: at the instance path, set the value (or delete the key).
type violation struct {
	constraint string // the schema pointer of the keyword, e.g. #/$defs/ports/properties/from/minimum
	path       []any  // keys and indexes into the document
	del        bool
	value      any
}

func (v violation) where() string {
	var b strings.Builder
	for _, p := range v.path {
		switch k := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(k)
		case int:
			fmt.Fprintf(&b, "[%d]", k)
		}
	}
	return b.String()
}

// violations walks the schema and a valid document together and derives,
// for each constraint the first time it applies to a value, a value that
// breaks it: an enum or const gets a value outside it, a range its bound
// minus or plus one, a pattern a string it cannot match, a length bound a
// string or list one too short or long, a required key goes, a closed
// object gets an unknown key, and every value once becomes null and once a
// value of another type.
type deriver struct {
	root map[string]any
	seen map[string]bool
	out  []violation
}

func (d *deriver) add(constraint string, path []any, del bool, value any) {
	if d.seen[constraint] {
		return
	}
	d.seen[constraint] = true
	d.out = append(d.out, violation{constraint, slices.Clone(path), del, value})
}

func (d *deriver) walk(ptr string, s map[string]any, inst any, path []any) {
	if ref, ok := s["$ref"].(string); ok {
		d.walk(ref, d.resolve(ref), inst, path)
		return
	}
	d.add(ptr+"/(null)", path, false, nil)
	for kw, arg := range s {
		at := ptr + "/" + kw
		switch kw {
		case "type":
			d.add(at, path, false, otherType(arg.(string)))
		case "enum":
			d.add(at, path, false, outside(arg.([]any)))
		case "const":
			d.add(at, path, false, "bogus")
		case "minimum":
			d.add(at, path, false, json.Number(strconv.Itoa(num(arg)-1)))
		case "maximum":
			d.add(at, path, false, json.Number(strconv.Itoa(num(arg)+1)))
		case "pattern":
			d.add(at, path, false, "~")
		case "minLength":
			d.add(at, path, false, "")
		case "maxLength":
			d.add(at, path, false, strings.Repeat("X", num(arg)+1))
		case "minItems":
			d.add(at, path, false, []any{})
		case "uniqueItems":
			if arr, _ := inst.([]any); len(arr) > 0 {
				d.add(at, path, false, append(slices.Clone(arr), arr[0]))
			}
		case "anyOf":
			// The only anyOf: an address is IPv4 or IPv6 (format), which
			// the pattern's character class alone does not say.
			d.add(at, path, false, "1.2.3")
		case "required":
			for _, k := range arg.([]any) {
				d.add(at+"/"+k.(string), append(path, k.(string)), true, nil)
			}
		case "additionalProperties":
			if arg == false {
				d.add(at, append(path, "bogus"), false, "x")
			}
		case "properties":
			obj, _ := inst.(map[string]any)
			for k, sub := range arg.(map[string]any) {
				if v, ok := obj[k]; ok {
					d.walk(at+"/"+k, sub.(map[string]any), v, append(path, k))
				}
			}
		case "items":
			arr, _ := inst.([]any)
			for i, v := range arr {
				d.walk(at, arg.(map[string]any), v, append(path, i))
			}
		case "then":
			// The only conditional: an eligible DVIPA has no reasons.
			if obj, _ := inst.(map[string]any); obj["eligible"] == true {
				d.add(at+"/properties/reasons/maxItems", append(path, "reasons"), false,
					[]any{map[string]any{"stack": "MVS1", "code": "no-dvipsec", "text": "x"}})
			}
		}
	}
}

func (d *deriver) resolve(ref string) map[string]any {
	var s any = d.root
	for _, k := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		s = s.(map[string]any)[k]
	}
	return s.(map[string]any)
}

func num(v any) int {
	n, err := strconv.Atoi(string(v.(json.Number)))
	if err != nil {
		panic(err)
	}
	return n
}

func otherType(t string) any {
	if t == "string" {
		return json.Number("7")
	}
	return "x"
}

// outside returns a value that is not in the enumeration.
func outside(enum []any) any {
	if _, ok := enum[0].(string); ok {
		return "BOGUS"
	}
	return json.Number("100")
}

// constraints lists the pointer of every constraint keyword in the schema
// (the if of a conditional is a condition, not a constraint).
func constraints(ptr string, s any, out *[]string) {
	switch v := s.(type) {
	case map[string]any:
		for k, sub := range v {
			at := ptr + "/" + k
			switch k {
			case "if", "description", "$schema", "$id", "title":
				continue
			case "type", "enum", "const", "minimum", "maximum", "pattern", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "anyOf":
				*out = append(*out, at)
				continue
			case "required":
				for _, r := range sub.([]any) {
					*out = append(*out, at+"/"+r.(string))
				}
				continue
			case "additionalProperties":
				if sub == false {
					*out = append(*out, at)
				}
				continue
			case "properties", "$defs":
				for name, ps := range sub.(map[string]any) {
					constraints(at+"/"+name, ps, out)
				}
				continue
			}
			constraints(at, sub, out)
		}
	}
}

// set applies a violation to a copy of doc.
func (v violation) apply(doc map[string]any) map[string]any {
	cp := deepCopy(doc).(map[string]any)
	var cur any = cp
	for _, p := range v.path[:len(v.path)-1] {
		switch k := p.(type) {
		case string:
			cur = cur.(map[string]any)[k]
		case int:
			cur = cur.([]any)[k]
		}
	}
	switch k := v.path[len(v.path)-1].(type) {
	case string:
		if v.del {
			delete(cur.(map[string]any), k)
		} else {
			cur.(map[string]any)[k] = v.value
		}
	case int:
		cur.([]any)[k] = v.value
	}
	return cp
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

// TestValidateAgreesWithSchema derives a violation from every constraint
// of plan.schema.json (enumerations, ranges, patterns, lengths, required
// keys, closed objects, types, the SWSA conditional), applies each to a
// valid plan, and requires both the schema and ReadPlan to reject it,
// ReadPlan with the JSON path of the value. Every constraint of the schema
// must have been exercised, so a new one cannot go untested.
func TestValidateAgreesWithSchema(t *testing.T) {
	raw, err := os.ReadFile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		t.Fatal(err)
	}
	doc := fullPlan(t)
	if err := planSchema(t).Validate(jsonInstance(t, doc)); err != nil {
		t.Fatalf("the full plan does not validate: %v", err)
	}
	if _, err := Read(bytes.NewReader(marshal(t, doc))); err != nil {
		t.Fatalf("ReadPlan rejects the full plan: %v", err)
	}
	d := &deriver{root: root, seen: map[string]bool{}}
	d.walk("#", root, doc, nil)

	var all []string
	constraints("#", root, &all)
	for _, c := range all {
		if !d.seen[c] {
			t.Errorf("no violation derived for %s: give the full plan a value it applies to", c)
		}
	}
	for _, v := range d.out {
		if len(v.path) == 0 {
			continue // the document itself null or not an object: not a plan at all
		}
		name := v.constraint + " at " + v.where()
		broken := v.apply(doc)
		if planSchema(t).Validate(jsonInstance(t, broken)) == nil {
			t.Errorf("%s: the derived value %v does not break the schema", name, v.value)
			continue
		}
		_, err := Read(bytes.NewReader(marshal(t, broken)))
		switch {
		case err == nil:
			t.Errorf("%s: the schema rejects %v, ReadPlan accepts it", name, v.value)
		case !mentions(err.Error(), v):
			t.Errorf("%s: ReadPlan's error does not name %s:\n%v", name, v.where(), err)
		}
	}
	t.Logf("%d violations derived from %d constraints", len(d.out), len(all))
}

// mentions reports whether an error names the violation's path (the
// version check names the version instead).
func mentions(msg string, v violation) bool {
	if v.where() == "version" {
		return strings.Contains(msg, "plan version")
	}
	return regexp.MustCompile(`(^|\n|: )` + regexp.QuoteMeta(v.where()) + `[.:\[]`).MatchString(msg)
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jsonInstance(t *testing.T, doc any) any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(marshal(t, doc)))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}
