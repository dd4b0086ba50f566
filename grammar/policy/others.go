package policy

import (
	"fmt"
	"sort"
	"strings"
)

// The statements of the policy files tcpipc recognises but does not model:
// AT-TLS, IDS, QoS and routing policy. Policy Agent reads each type from its
// own files (TTLSConfig, IDSConfig, QOSConfig, RoutingConfig and their
// Common… forms; QoS policy may also stand in the image file), and no type
// may be mixed into another's file. Sources: IP Configuration Reference,
// "AT-TLS policy statements" (z/OS 2.4, the full AT-TLS list) and the
// Policy Agent statement summary table (z/OS 2.1, IDS statements and the
// statements it marks Reusable); "Policy-based routing policy" (IP
// Configuration Guide) for routing. The QoS list follows IBM's examples
// and is not confirmed complete.
var otherPolicies = []struct {
	kind  Kind
	names string
}{
	{ATTLS, "TTLSRule TTLSGroupAction TTLSEnvironmentAction TTLSConnectionAction TTLSKeyringParms " +
		"TTLSCipherParms TTLSSignatureParms TTLSGroupAdvancedParms TTLSEnvironmentAdvancedParms " +
		"TTLSConnectionAdvancedParms TTLSGskAdvancedParms TTLSGskHttpCdpParms TTLSGskLdapParms TTLSGskOcspParms"},
	{IDS, "IDSRule IDSAction IDSAttackCondition IDSExclusion IDSReportSet IDSScanEventCondition " +
		"IDSScanExclusion IDSScanGlobalCondition IDSTRCondition"},
	{QoS, "PolicyRule PolicyAction ServiceCategories ServicePolicyRules PolicyPerfMonitorForSDR SetSubnetPrioTosMask"},
	{Routing, "RoutingRule RoutingAction RouteTable TrafficDescriptor TrafficDescriptorGroup"},
}

// reusableNames are the statements IBM's table marks Reusable: any of the
// unmodelled policy types may define them. IpAddr, IpAddrSet and
// IpAddrGroup are also IPsec statements of the schema.
const reusableNames = "IpAddr IpAddrSet IpAddrGroup PortRange PortGroup IpProtocolRange IpProtocolGroup " +
	"IpOptionRange IpOptionGroup Ipv6NextHdrRange Ipv6NextHdrGroup PolicyTimeCondition"

// otherStatement is a statement tcpipc recognises without modelling it.
type otherStatement struct {
	name string
	kind Kind // Auto for a reusable statement
}

// validIn reports whether the statement may stand in a file of kind k.
func (o otherStatement) validIn(k Kind) bool {
	switch {
	case o.kind == Auto:
		return !k.Modelled() || k == IPSecPolicy && schema[o.name] != nil
	case o.kind == k:
		return true
	}
	// QoS policy may be written in the image file itself.
	return o.kind == QoS && k == PagentMain
}

var (
	// otherStatements maps the upper-case spelling of every unmodelled
	// statement to it.
	otherStatements = map[string]otherStatement{}
	// reusable holds the reusable statement types by canonical name.
	reusable = map[string]bool{}
)

func init() {
	for _, p := range otherPolicies {
		for _, n := range strings.Fields(p.names) {
			otherStatements[strings.ToUpper(n)] = otherStatement{name: n, kind: p.kind}
		}
	}
	for _, n := range strings.Fields(reusableNames) {
		reusable[n] = true
		if schema[n] == nil {
			otherStatements[strings.ToUpper(n)] = otherStatement{name: n, kind: Auto}
		}
	}
}

// guessFileKind picks the kind most of the recognised top-level
// statements belong to; the first one breaks a tie. Reusable statements
// (IpAddr, PortRange, …) stand in several kinds, so they count only when
// nothing else does, and then for an IPsec policy file. A file with no
// recognised statement is taken for a pagent file.
func guessFileKind(es []*Entry) Kind {
	count := map[Kind]int{}
	var first []Kind
	weak := false
	for _, e := range es {
		k, ok := statementKind(e.Keyword)
		switch {
		case ok:
			if count[k] == 0 {
				first = append(first, k)
			}
			count[k]++
		case k == IPSecPolicy:
			weak = true
		}
	}
	best := PagentMain
	if weak {
		best = IPSecPolicy
	}
	for i, k := range first {
		if i == 0 || count[k] > count[best] {
			best = k
		}
	}
	return best
}

// statementKind is the kind of file a top-level statement belongs to. For
// a reusable statement ok is false, and the kind is IPSecPolicy when the
// IPsec schema has it.
func statementKind(word string) (Kind, bool) {
	if o, ok := otherStatements[strings.ToUpper(word)]; ok {
		return o.kind, o.kind != Auto
	}
	s, ok := LookupStatement(word)
	switch {
	case !ok || !s.TopLevel:
		return Auto, false
	case reusable[s.Type]:
		return s.File, false
	}
	return s.File, true
}

// validIn reports whether a schema statement may stand at the top level of
// a file of kind k.
func validIn(s *StatementSpec, k Kind) bool {
	return k == Auto || s.File == k || !k.Modelled() && reusable[s.Type]
}

// otherStatement handles a top-level statement of an unmodelled policy
// type: kept unchecked where it belongs, an error where it does not.
func (p *parser) otherStatement(e *Entry, o otherStatement, kind Kind) {
	e.Keyword = o.name
	if !o.validIn(kind) {
		d := p.diags.Errorf(RulePlacement, e.KeywordRange, "%s is not valid in %s", o.name, kind.describe())
		d.Detail = fmt.Sprintf("%s is %s statement; Policy Agent reads each policy type from its own files and rejects "+
			"a statement of another type.", o.name, o.kindName())
		return
	}
	p.unmodelled = append(p.unmodelled, e)
}

// kindName is "an AT-TLS policy", "a reusable policy", … for messages.
func (o otherStatement) kindName() string {
	if o.kind == Auto {
		return "a reusable policy"
	}
	return article(o.kind.policyName()) + " " + o.kind.policyName() + " policy"
}

// reportUnmodelled gives one info for the statements tcpipc keeps without
// modelling them: for a file of an unmodelled kind, one for the whole file;
// elsewhere (QoS in an image file), one per statement type.
func (p *parser) reportUnmodelled() {
	if len(p.unmodelled) == 0 {
		return
	}
	kind := p.file.Kind
	count := map[string]int{}
	first := map[string]*Entry{}
	for _, e := range p.unmodelled {
		if count[e.Keyword] == 0 {
			first[e.Keyword] = e
		}
		count[e.Keyword]++
	}
	var types []string
	for t := range count {
		types = append(types, fmt.Sprintf("%s ×%d", t, count[t]))
	}
	sort.Strings(types)
	if !kind.Modelled() {
		d := p.diags.Infof(RuleUnsupported, p.unmodelled[0].KeywordRange, "%s policy file: tcpipc does not model %s policy and keeps its %s unchecked",
			kind.policyName(), kind.policyName(), statements(len(p.unmodelled)))
		d.Detail = "Statements: " + strings.Join(types, ", ") + ". tcpipc knows every statement of this policy type, " +
			"reports misspelt and misplaced ones, and keeps the rest as written without checking their attributes."
		return
	}
	for _, e := range p.unmodelled {
		if first[e.Keyword] != e {
			continue
		}
		o := otherStatements[strings.ToUpper(e.Keyword)]
		d := p.diags.Infof(RuleUnsupported, e.KeywordRange, "%s is not modelled by tcpipc", e.Keyword)
		d.Detail = fmt.Sprintf("%s is %s statement: tcpipc keeps it as written but does not check it. "+
			"Only its first occurrence in each file is reported.", e.Keyword, o.kindName())
	}
}

// statements is "1 statement" or "n statements".
func statements(n int) string {
	if n == 1 {
		return "1 statement"
	}
	return fmt.Sprintf("%d statements", n)
}
