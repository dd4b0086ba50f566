package compile

import (
	"testing"

	"github.com/tcpipc/tcpipc/plan"
)

// TestOneWayRuleSides: IBM defines IpSourceAddr as the source address an
// IP packet must carry for the rule to apply (IP Configuration Reference,
// "IpFilterRule statement"), and only Bidirectional adds the mirror
// filter. So a one-way Inbound rule's source is the remote sender and its
// destination the local side; an Outbound rule's source is local. The
// plan's filters are written from the stack's side (Local, Remote), so an
// Inbound rule's sides and ports swap on the way in; the profile's
// IPSECRULE DIRECTION INBOUND reads the same.
func TestOneWayRuleSides(t *testing.T) {
	p := compileFiles(t, map[string]string{
		"sysplex.yaml": "sysplex: DIR\nstacks:\n  - {name: A, profile: A/P}\n  - {name: B, profile: B/P, policy: [B.policy]}\n",
		"A/P": "IPCONFIG IPSECURITY\nIPSEC\n" +
			" IPSECRULE 192.0.2.9 10.1.1.1 PROTOCOL TCP SRCPORT 1024 65535 DESTPORT 80 DIRECTION INBOUND\n" +
			" IPSECRULE 10.1.1.1 192.0.2.9 PROTOCOL TCP SRCPORT 80 DESTPORT 1024 65535 DIRECTION OUTBOUND\n" +
			"ENDIPSEC\n",
		"B/P": "IPCONFIG IPSECURITY\n",
		"B.policy": "IpFilterPolicy\n{\n IpFilterRuleRef web-in\n IpFilterRuleRef web-out\n}\n" +
			"IpFilterRule web-in\n{\n IpSourceAddr 192.0.2.9\n IpDestAddr 10.1.1.1\n" +
			" IpService\n {\n  Protocol Tcp\n  SourcePortRange 1024 65535\n  DestinationPortRange 80\n  Direction Inbound\n }\n" +
			" IpGenericFilterActionRef permit\n}\n" +
			"IpFilterRule web-out\n{\n IpSourceAddr 10.1.1.1\n IpDestAddr 192.0.2.9\n" +
			" IpService\n {\n  Protocol Tcp\n  SourcePortRange 80\n  DestinationPortRange 1024 65535\n  Direction Outbound\n }\n" +
			" IpGenericFilterActionRef permit\n}\n" +
			"IpGenericFilterAction permit\n{\n IpFilterAction Permit\n}\n",
	})
	eph := plan.PortRange{From: 1024, To: 65535}
	http := plan.PortRange{From: 80, To: 80}
	want := map[string]plan.Filter{ // every one: local 10.1.1.1:80, remote 192.0.2.9 ephemeral
		"A SYSDEFAULTRULE.1": {Direction: plan.Inbound},
		"A SYSDEFAULTRULE.2": {Direction: plan.Outbound},
		"B web-in":           {Direction: plan.Inbound},
		"B web-out":          {Direction: plan.Outbound},
	}
	seen := 0
	for _, st := range p.Stacks {
		for _, f := range st.SPD.Filters {
			w, ok := want[st.Name+" "+f.Name]
			if !ok {
				continue
			}
			seen++
			if f.Direction != w.Direction || f.Local != "10.1.1.1" || f.Remote != "192.0.2.9" ||
				f.LocalPorts != http || f.RemotePorts != eph {
				t.Errorf("%s %s: %s local %s %v remote %s %v, want %s local 10.1.1.1 %v remote 192.0.2.9 %v",
					st.Name, f.Name, f.Direction, f.Local, f.LocalPorts, f.Remote, f.RemotePorts, w.Direction, http, eph)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("%d filters, want %d", seen, len(want))
	}
}
