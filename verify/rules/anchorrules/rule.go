package anchorrules

import (
	_ "embed"
	"fmt"
	"reflect"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules/dvipaindex"
)

//go:embed doc.go
var doc string

// Rule is SWSA004.
var Rule = &verify.Rule{
	ID:       "SWSA004",
	Name:     "anchor-rules",
	Severity: diag.Error,
	Summary:  "the ordered filter rules for a DVIPA's traffic differ between its owner and a backup or target",
	Doc:      verify.DocOf(doc),
	Requires: []*verify.Rule{dvipaindex.Rule},
	Run:      run,
}

// view is what of a filter rule must agree across stacks: everything but
// its name and where it is written. Its fields make go-cmp's difference
// readable field by field.
type view struct {
	Action, Local, Remote, Protocol, Ports, Types, Routing, Direction string
	SecClass                                                          int
	VPN                                                               string
}

func viewOf(f *model.FilterRule) view {
	v := view{
		Action: strings.ToLower(f.Action), Local: f.Local().String(), Remote: f.Remote().String(), Protocol: f.Protocol.String(),
		Ports: f.LocalPorts().String() + " -> " + f.RemotePorts().String(), Routing: strings.ToLower(f.Routing),
		Types:     "icmp " + f.ICMPType.String() + "/" + f.ICMPCode.String() + " ospf " + f.OSPFType.String(),
		Direction: strings.TrimSpace(strings.ToLower(f.Direction + " " + f.Connect)), SecClass: f.SecClass,
	}
	// An address that could not be read is not "all addresses". The
	// source is the remote side of a one-way INBOUND rule.
	src, dst := &v.Local, &v.Remote
	if f.Direction == "INBOUND" {
		src, dst = dst, src
	}
	if strings.Contains(f.Unread, "source") {
		*src = "(unreadable)"
	}
	if strings.Contains(f.Unread, "destination") {
		*dst = "(unreadable)"
	}
	if f.DynVPN != nil {
		var offers []string
		for _, o := range f.DynVPN.Offers {
			offers = append(offers, fmt.Sprintf("%s %s/%d %s %s", o.AuthProtocol, o.Encrypt, o.KeyLength, o.AuthAlgorithm, o.Encap))
		}
		v.VPN = "dynamic [" + strings.Join(offers, ", ") + "]"
		if f.LocalIPGranularity != "" {
			v.VPN += " granularity " + strings.ToLower(f.LocalIPGranularity)
		}
	}
	if f.ManVPN != nil {
		v.VPN = "manual"
	}
	return v
}

func views(fs []*model.FilterRule) []view {
	out := make([]view, len(fs))
	for i, f := range fs {
		out[i] = viewOf(f)
	}
	return out
}

func run(p *verify.Pass) (any, error) {
	ix := p.ResultOf[dvipaindex.Rule].(*dvipaindex.Index)
	for _, v := range p.Sysplex.DVIPAs {
		if len(v.Defines) == 0 {
			continue
		}
		owner := v.Defines[0].Stack
		if _, protected := ix.Protected(owner, v.Addr); !protected {
			continue
		}
		want := ix.Anchors(owner, v.Addr)
		for _, s := range dvipaindex.Related(p.Sysplex, v) {
			if s == owner || ix.Filters[s] == nil {
				continue // stacks without IP filtering leave IPsec to the distributor
			}
			got := ix.Anchors(s, v.Addr)
			diff := difference(views(want), views(got), owner.Name, s.Name)
			if diff == "" {
				continue
			}
			at := diag.Range{File: s.Profile.Main, Start: diag.Pos{Line: 1, Column: 1}, End: diag.Pos{Line: 1, Column: 1}}
			if i := firstDifference(want, got); i < len(got) {
				at = got[i].Range
			} else if len(got) > 0 {
				at = got[len(got)-1].Range
			}
			r := p.Reportf(at, "filter rules for DVIPA %s on %s differ from those on its owner %s", v.Addr, s.Name, owner.Name)
			r.Detail = fmt.Sprintf("The rules that apply to the DVIPA's traffic must be identical, in the same order, on every stack that can own or serve it. Difference:\n%s", diff)
			if i := firstDifference(want, got); i < len(want) {
				r.Related = []diag.Related{{Range: want[i].Range, Message: owner.Name + " has " + want[i].Name + " here"}}
			}
		}
	}
	return nil, nil
}

// firstDifference returns the index of the first rule that differs.
func firstDifference(a, b []*model.FilterRule) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if viewOf(a[i]) != viewOf(b[i]) {
			return i
		}
	}
	return min(len(a), len(b))
}

// difference compares two ordered rule lists field by field, in words a
// network engineer reads: for each position, the fields that differ with
// both values, and the rules only one side has. It is "" when they agree.
func difference(a, b []view, nameA, nameB string) string {
	var out []string
	fields := reflect.TypeFor[view]()
	for i := 0; i < max(len(a), len(b)); i++ {
		switch {
		case i >= len(a):
			out = append(out, fmt.Sprintf("  rule %d is only on %s: %s", i+1, nameB, describe(b[i])))
		case i >= len(b):
			out = append(out, fmt.Sprintf("  rule %d is only on %s: %s", i+1, nameA, describe(a[i])))
		case a[i] != b[i]:
			out = append(out, fmt.Sprintf("  rule %d differs:", i+1))
			va, vb := reflect.ValueOf(a[i]), reflect.ValueOf(b[i])
			for f := 0; f < fields.NumField(); f++ {
				x, y := fmt.Sprint(va.Field(f).Interface()), fmt.Sprint(vb.Field(f).Interface())
				if x != y {
					out = append(out, fmt.Sprintf("    %-9s %s: %s; %s: %s", strings.ToLower(fields.Field(f).Name), nameA, orNone(x), nameB, orNone(y)))
				}
			}
		}
	}
	return strings.Join(out, "\n")
}

// describe is a rule's fields on one line.
func describe(v view) string {
	s := fmt.Sprintf("%s, local %s, remote %s, protocol %s, ports %s", v.Action, v.Local, v.Remote, v.Protocol, v.Ports)
	if v.Direction != "" {
		s += ", " + v.Direction
	}
	if v.VPN != "" {
		s += ", " + v.VPN
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
