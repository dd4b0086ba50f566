package model

import (
	"sort"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/policy"
)

// TestEveryInlineKindNamed: every statement kind the schema lets an IPsec
// policy statement hold inline, written twice there without a name, gets
// two names: not empty, not the same, and policy names (at most 32
// characters, no blank or comma), so the plan, displays and findings can
// name them. The kinds come from the schema, so a kind added to it is
// covered. Only IpFilterRule and the VPN actions had names before.
func TestEveryInlineKindNamed(t *testing.T) {
	for _, parent := range sortedSpecs() {
		if parent.File != policy.IPSecPolicy {
			continue
		}
		for _, a := range parent.Attrs {
			if !a.Inline || a.NeedsName {
				continue
			}
			t.Run(parent.Type+"/"+a.Name, func(t *testing.T) {
				head := parent.Type + " holder\n"
				if !parent.NamedGlobal {
					head = parent.Type + "\n" // the policies take no name
				}
				src := head + "{\n " + a.Name + "\n {\n }\n " + a.Name + "\n {\n }\n}\n"
				file, names := namesIn(src)
				var got []string
				file.Walk(func(e, p *policy.Entry) {
					if p != nil && strings.EqualFold(e.Keyword, a.Name) && e.Block != nil {
						got = append(got, names.of(e))
					}
				})
				if len(got) != 2 {
					t.Fatalf("found %d inline %s, want 2", len(got), a.Name)
				}
				for _, n := range got {
					if n == "" || len(n) > 32 || strings.ContainsAny(n, " ,") {
						t.Errorf("inline %s named %q, not a policy name", a.Name, n)
					}
				}
				if got[0] == got[1] {
					t.Errorf("both inline %s named %q", a.Name, got[0])
				}
			})
		}
	}
}

// TestInlineNamesFollowTheHolder: an unnamed statement is named after the
// statement it is written in (its first such kind holder~inline, the n-th
// holder~inline<n>), so every stack reading the file names it alike; one
// written in a policy statement, which has no name, is named from where it
// is written; a long name keeps its start and a hash of the whole; a name
// some statement of the kind already has is not reused.
func TestInlineNamesFollowTheHolder(t *testing.T) {
	src := "IpDynVpnAction vpn\n{\n IpDataOffer\n {\n }\n IpDataOffer named\n {\n }\n IpDataOffer\n {\n }\n}\n" +
		"KeyExchangePolicy\n{\n KeyExchangeRule\n {\n  KeyExchangeAction\n  {\n   KeyExchangeOffer\n   {\n   }\n  }\n }\n}\n" +
		"KeyExchangeAction a-very-long-action-name-of-32ch\n{\n KeyExchangeOffer\n {\n }\n}\n" +
		"KeyExchangeAction taken\n{\n KeyExchangeOffer\n {\n }\n}\nKeyExchangeOffer taken~inline\n{\n}\n"
	file, names := namesIn(src)
	var got []string
	file.Walk(func(e, p *policy.Entry) {
		if p != nil && e.Block != nil && e.Name() == "" {
			got = append(got, e.Keyword+" "+names.of(e))
		}
	})
	rule := positionName("KeyExchangeRule", diag.Range{File: "p.policy", Start: diag.Pos{Line: 15, Column: 2}})
	want := []string{
		"IpDataOffer vpn~inline", "IpDataOffer vpn~inline3",
		"KeyExchangeRule " + rule, "KeyExchangeAction " + rule + "~inline", "KeyExchangeOffer " + rule[:23] + "~", // rule~inline~inline is too long
		"KeyExchangeOffer a-very-long-action-name~",
		"KeyExchangeOffer " + positionName("KeyExchangeOffer", diag.Range{File: "p.policy", Start: diag.Pos{Line: 33, Column: 2}}),
	}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		// A name cut short ends in "~" and a hash of eight hex digits.
		if cut, ok := strings.CutSuffix(want[i], "~"); ok && strings.HasPrefix(got[i], cut+"~") && len(got[i]) == len(want[i])+8 {
			continue
		}
		if got[i] != want[i] {
			t.Errorf("name %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

// namesIn parses an IPsec policy file, p.policy, and names its unnamed
// inline statements.
func namesIn(src string) (*policy.File, namesOf) {
	file, _ := policy.Parse("p.policy", []byte(src), policy.Options{Kind: policy.IPSecPolicy})
	var ds diag.Diagnostics
	tab := newObjectTable(&ds)
	tab.define([]*policy.File{file})
	return file, inlineNames([]*policy.File{file}, tab)
}

func sortedSpecs() []*policy.StatementSpec {
	var out []*policy.StatementSpec
	for _, s := range policy.Schema() {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// TestModelNamesInlineStatements: the model (what tcpipc model prints and
// compile, lint and run read) names every unnamed inline statement it
// keeps: key exchange rules, their endpoints, actions and offers, a VPN
// action's offers. They were "" (and left out of the JSON).
func TestModelNamesInlineStatements(t *testing.T) {
	rule := " KeyExchangeRule\n {\n  LocalSecurityEndpoint\n  {\n   Identity IpAddr 192.0.2.1\n  }\n" +
		"  RemoteSecurityEndpoint\n  {\n   Identity IpAddr 198.51.100.1\n  }\n" +
		"  KeyExchangeAction\n  {\n   KeyExchangeOffer\n   {\n   }\n   KeyExchangeOffer\n   {\n   }\n  }\n }\n"
	sx, ds := loadPolicy(t, "IpFilterPolicy\n{\n IpFilterRule vpn\n {\n  IpGenericFilterAction\n  {\n   IpFilterAction IpSec\n  }\n"+
		"  IpDynVpnAction\n  {\n   IpDataOffer\n   {\n   }\n   IpDataOffer\n   {\n   }\n  }\n }\n}\n"+
		"KeyExchangePolicy\n{\n"+rule+rule+"}\n")
	if ds.HasErrors() {
		t.Fatalf("%s", diag.FormatText(ds, sx.Sources))
	}
	p := sx.Stacks[0].Policy
	seen := map[string]bool{}
	name := func(kind, n string) {
		if n == "" || seen[kind+" "+n] {
			t.Errorf("%s named %q", kind, n)
		}
		seen[kind+" "+n] = true
	}
	for _, o := range p.FilterRules[0].DynVPN.Offers {
		name("IpDataOffer", o.Name)
	}
	for _, r := range p.KeyExchange.Rules {
		name("KeyExchangeRule", r.Name)
		name("LocalSecurityEndpoint", r.Local.Name)
		name("RemoteSecurityEndpoint", r.Remote.Name)
		name("KeyExchangeAction", r.Action.Name)
		for _, o := range r.Action.Offers {
			name("KeyExchangeOffer", o.Name)
		}
	}
	if len(seen) != 14 {
		t.Errorf("%d names, want 14: %v", len(seen), seen)
	}
}
