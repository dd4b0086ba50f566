package compile

import (
	"testing"

	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/plan"
)

// TestICMPTypeAndCodeZero: ICMP type 0 (echo reply) and code 0 are values
// like any other (IPSEC statement: TYPE * | TYPE n [m], CODE * | CODE n
// [m]; IpService TypeRange and CodeRange), not "any": the plan's filter
// keeps them, from the profile and from the policy alike (they were
// dropped, and the filter permitted every ICMP message). OSPF's TYPE is
// an OSPF packet type, not a port.
func TestICMPTypeAndCodeZero(t *testing.T) {
	dir := writeSysplex(t, map[string]string{
		"sysplex.yaml": "sysplex: ICMP\nstacks:\n  - {name: A, profile: A/P}\n  - {name: B, profile: B/P, policy: [B.policy]}\n",
		"A/P": "IPCONFIG IPSECURITY\nIPSEC\n" +
			" IPSECRULE 9.1.1.0/24 * PROTOCOL ICMP TYPE 0 CODE 0\n" +
			" IPSECRULE 9.1.1.0/24 * PROTOCOL ICMP TYPE 3 CODE 0\n" +
			" IPSECRULE 9.1.1.0/24 * PROTOCOL ICMP CODE 0 1\n" +
			" IPSECRULE 9.1.1.0/24 * PROTOCOL ICMP\n" +
			" IPSECRULE 9.1.1.0/24 * PROTOCOL OSPF TYPE 1\n" +
			"ENDIPSEC\n",
		"B/P": "IPCONFIG IPSECURITY\n",
		"B.policy": "IpFilterPolicy\n{\n IpFilterRule echo-reply\n {\n  IpSourceAddr 9.1.1.1\n  IpDestAddr All4\n" +
			"  IpService\n  {\n   Protocol Icmp\n   TypeRange 0\n   CodeRange 0\n  }\n  IpGenericFilterActionRef permit\n }\n}\n" +
			"IpGenericFilterAction permit\n{\n IpFilterAction Permit\n}\n",
	})
	sx, ds := model.Load(dir, model.Options{})
	if ds.HasErrors() {
		t.Fatalf("%v", ds)
	}
	p, _ := Compile(sx)
	r := func(from, to int) string { return plan.PortRange{From: from, To: to}.String() }
	want := map[string]string{ // filter name → icmp type/code, ospf type
		"A SYSDEFAULTRULE.1": "type " + r(0, 0) + " code " + r(0, 0),
		"A SYSDEFAULTRULE.2": "type " + r(3, 3) + " code " + r(0, 0),
		"A SYSDEFAULTRULE.3": "type * code " + r(0, 1),
		"A SYSDEFAULTRULE.4": "type * code *",
		"A SYSDEFAULTRULE.5": "ospf 1",
		"B echo-reply":       "type " + r(0, 0) + " code " + r(0, 0),
	}
	got := map[string]string{}
	for _, st := range p.Stacks {
		for _, f := range st.SPD.Filters {
			key := st.Name + " " + f.Name
			if _, ok := want[key]; !ok || f.Direction != plan.Outbound {
				continue
			}
			got[key] = icmpText(f)
			if f.LocalPorts != plan.AnyPort || f.RemotePorts != plan.AnyPort {
				t.Errorf("%s: ports %v -> %v, want none", key, f.LocalPorts, f.RemotePorts)
			}
		}
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
}

func icmpText(f plan.Filter) string {
	if f.OSPFType != nil {
		return "ospf " + plan.PortRange{From: *f.OSPFType, To: *f.OSPFType}.String()
	}
	s := func(p *plan.PortRange) string {
		if p == nil {
			return "*"
		}
		return p.String()
	}
	return "type " + s(f.ICMPType) + " code " + s(f.ICMPCode)
}
