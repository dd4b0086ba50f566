package model

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/plan"
)

// FilterRule is one IP filter rule as the stack installs it, from the
// profile's IPSEC block or (with Policy Agent) from the IPsec policy.
type FilterRule struct {
	// Name is SYSDEFAULTRULE.n for profile rules, the IpFilterRule name
	// for policy rules; one written inline without a name has a name made
	// from where it is written (inlineNames) and Unnamed set.
	Name     string   `json:"name"`
	Unnamed  bool     `json:"unnamed,omitempty"`
	V6       bool     `json:"v6,omitempty"`
	Src      AddrSel  `json:"src"`
	Dst      AddrSel  `json:"dst"`
	Protocol Protocol `json:"protocol"`
	SrcPorts PortSel  `json:"srcPorts,omitzero"`
	DstPorts PortSel  `json:"dstPorts,omitzero"`
	// ICMPType and ICMPCode select ICMP or ICMPv6 messages, OSPFType
	// OSPF packets; nil is any.
	ICMPType *TypeSel `json:"icmpType,omitempty"`
	ICMPCode *TypeSel `json:"icmpCode,omitempty"`
	OSPFType *TypeSel `json:"ospfType,omitempty"`
	Routing  string   `json:"routing"` // LOCAL, ROUTED, EITHER
	// FragmentsOnly is ROUTING ROUTED FRAGMENTSONLY: the rule matches
	// only fragments of routed packets.
	FragmentsOnly bool   `json:"fragmentsOnly,omitempty"`
	Direction     string `json:"direction"` // BIDIRECTIONAL, INBOUND, OUTBOUND
	Connect       string `json:"connect,omitempty"`
	SecClass      int    `json:"secClass,omitempty"`
	Log           bool   `json:"log,omitempty"`
	Action        string `json:"action"` // PERMIT, DENY, IPSEC
	// Policy is set for rules from the Policy Agent policy; Extension
	// numbers the simple filters one IpFilterRule splits into.
	Policy    bool `json:"policy,omitempty"`
	Extension int  `json:"extension,omitempty"`
	// LocalIPGranularity is IpLocalStartAction LocalIpGranularity (RULE or
	// PACKET): whether a locally started dynamic SA takes its local
	// address from the rule or from the packet. "" without the action.
	LocalIPGranularity string `json:"localIpGranularity,omitempty"`
	// Group names the IpFilterGroup the rule is written in or referenced
	// from, LocalStartAction the rule's IpLocalStartAction: "" without
	// (ipsec -f display: GroupName, LocalStartActionName).
	Group            string `json:"group,omitempty"`
	LocalStartAction string `json:"localStartAction,omitempty"`
	// DynVPN and ManVPN are the rule's tunnel action, for IPSEC rules.
	// Unread names the sides ("source", "destination", "source and
	// destination") whose addresses were written but could not be read;
	// such a side stands as All, and Policy Agent refuses the policy.
	Unread string        `json:"unread,omitempty"`
	DynVPN *DynVpnAction `json:"dynVpn,omitempty"`
	ManVPN *ManVpnAction `json:"manVpn,omitempty"`
	Range  diag.Range    `json:"range"`
}

// AddrSel selects addresses: all, a prefix (a host is a /32 or /128) or
// an inclusive range.
type AddrSel struct {
	All    bool         `json:"all,omitempty"`
	Prefix netip.Prefix `json:"prefix,omitzero"`
	From   netip.Addr   `json:"from,omitzero"`
	To     netip.Addr   `json:"to,omitzero"`
}

// IsRange reports whether the selector is an address range.
func (a AddrSel) IsRange() bool { return a.From.IsValid() }

// IsHost reports whether the selector names exactly one address.
func (a AddrSel) IsHost() bool {
	switch {
	case a.All:
		return false
	case a.IsRange():
		return a.From == a.To
	}
	return a.Prefix.IsValid() && a.Prefix.IsSingleIP()
}

// Selector is the plan's form of the selector: the one type every filter
// decision of tcpipc matches with (compile, the displays, the runtime's
// SPD, and lint through Contains and Covers). A selector with neither a
// range nor a valid prefix selects nothing.
func (a AddrSel) Selector() plan.Selector {
	switch {
	case a.All:
		return plan.Selector{All: true}
	case a.IsRange():
		return plan.Selector{Lo: a.From, Hi: a.To}
	case a.Prefix.IsValid():
		return plan.PrefixSelector(a.Prefix)
	}
	return plan.Selector{}
}

// Contains reports whether addr is selected.
func (a AddrSel) Contains(addr netip.Addr) bool { return addr.IsValid() && a.Selector().Contains(addr) }

// Covers reports whether every address b selects is also selected by a.
func (a AddrSel) Covers(b AddrSel) bool { return a.Selector().Includes(b.Selector()) }

func (a AddrSel) String() string {
	switch {
	case a.All:
		return "*"
	case a.IsRange():
		return a.From.String() + "-" + a.To.String()
	case a.Prefix.IsValid() && a.Prefix.IsSingleIP():
		return a.Prefix.Addr().String()
	case a.Prefix.IsValid():
		return a.Prefix.String()
	}
	return "?"
}

// Protocol is an IP protocol number; -1 means any.
type Protocol int

// AnyProtocol matches every protocol.
const AnyProtocol Protocol = -1

var protocolNumbers = map[string]Protocol{
	"ICMP": 1, "IGMP": 2, "IPIP": 4, "TCP": 6, "UDP": 17, "GRE": 47, "ESP": 50, "AH": 51,
	"ICMPV6": 58, "OSPF": 89, "MH": 135,
}

// policyProtocolNumbers are the names IpService Protocol takes (IP
// Configuration Reference, IpService statement): there Ip is protocol 4
// (IP in IP) and Ipip is 94, IANA's IPIP.
var policyProtocolNumbers = map[string]Protocol{
	"ICMP": 1, "IGMP": 2, "IP": 4, "TCP": 6, "UDP": 17, "ESP": 50, "AH": 51,
	"ICMPV6": 58, "OSPF": 89, "IPIP": 94, "MIPV6": 135,
}

// ParseProtocol reads a protocol name or number of a profile IPSECRULE;
// "*" and "ALL" are any.
func ParseProtocol(s string) (Protocol, error) { return parseProtocol(protocolNumbers, s) }

// ParsePolicyProtocol reads a protocol name or number of a policy
// IpService; "ALL" is any.
func ParsePolicyProtocol(s string) (Protocol, error) { return parseProtocol(policyProtocolNumbers, s) }

func parseProtocol(names map[string]Protocol, s string) (Protocol, error) {
	s = strings.ToUpper(s)
	if s == "*" || s == "ALL" || s == "" {
		return AnyProtocol, nil
	}
	if p, ok := names[s]; ok {
		return p, nil
	}
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n < 0 || n > 255 || fmt.Sprint(n) != strings.TrimLeft(s, "0") && s != "0" {
		return AnyProtocol, fmt.Errorf("unknown protocol %q", s)
	}
	return Protocol(n), nil
}

func (p Protocol) String() string {
	if p == AnyProtocol {
		return "*"
	}
	for n, v := range protocolNumbers {
		if v == p {
			return fmt.Sprintf("%s(%d)", n, int(p))
		}
	}
	return fmt.Sprint(int(p))
}

// MarshalText writes the protocol for JSON.
func (p Protocol) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// PortSel selects TCP or UDP ports: the zero value is any, and so is port
// 0 alone, which no TCP or UDP packet carries (the stack keeps "any" as
// port 0, and ipsec -t takes port 0 for any port).
type PortSel struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Any reports whether every port is selected.
func (p PortSel) Any() bool { return p.From == 0 && (p.To == 0 || p.To == 65535) }

// Covers reports whether p selects every port q selects.
func (p PortSel) Covers(q PortSel) bool {
	if p.Any() {
		return true
	}
	if q.Any() {
		return false
	}
	return p.From <= q.From && q.To <= p.To
}

func (p PortSel) String() string {
	switch {
	case p.Any():
		return "*"
	case p.From == p.To:
		return fmt.Sprint(p.From)
	}
	return fmt.Sprintf("%d-%d", p.From, p.To)
}

// TypeSel selects ICMP types or codes, or OSPF packet types: a coded
// value is itself, 0 included (type 0 is echo reply); a nil *TypeSel is
// any (not coded, or *).
type TypeSel struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// typeSelCovers reports whether a selects every value b selects; nil is
// any, and so is 0-255.
func typeSelCovers(a, b *TypeSel) bool {
	switch {
	case a == nil || a.From <= 0 && a.To >= 255:
		return true
	case b == nil:
		return false
	}
	return a.From <= b.From && b.To <= a.To
}

// TypesCover reports whether r's ICMP types and codes and OSPF type
// include all of q's (the protocols being the same).
func (r *FilterRule) TypesCover(q *FilterRule) bool {
	return typeSelCovers(r.ICMPType, q.ICMPType) && typeSelCovers(r.ICMPCode, q.ICMPCode) &&
		typeSelCovers(r.OSPFType, q.OSPFType)
}

func (t *TypeSel) String() string {
	switch {
	case t == nil:
		return "*"
	case t.From == t.To:
		return fmt.Sprint(t.From)
	}
	return fmt.Sprintf("%d-%d", t.From, t.To)
}

// Local is the selector of the stack's own side. IBM defines IpSourceAddr
// (and IPSECRULE's source) as the source address a packet must carry, and
// only a bidirectional rule adds the mirror filter for inbound packets, so
// a one-way INBOUND rule's source is the remote sender and its destination
// is local; every other rule's source is local (IP Configuration
// Reference, "IpFilterRule statement"; IP Configuration Guide, "IP filter
// policy"). Everything that asks which side is local asks here.
func (r *FilterRule) Local() AddrSel {
	if r.Direction == "INBOUND" {
		return r.Dst
	}
	return r.Src
}

// Remote is the selector of the other side; see Local.
func (r *FilterRule) Remote() AddrSel {
	if r.Direction == "INBOUND" {
		return r.Src
	}
	return r.Dst
}

// LocalPorts and RemotePorts are the ports of the stack's side and of the
// other side, swapped for a one-way INBOUND rule as Local is.
func (r *FilterRule) LocalPorts() PortSel {
	if r.Direction == "INBOUND" {
		return r.DstPorts
	}
	return r.SrcPorts
}

// RemotePorts is the other side's ports; see LocalPorts.
func (r *FilterRule) RemotePorts() PortSel {
	if r.Direction == "INBOUND" {
		return r.SrcPorts
	}
	return r.DstPorts
}
