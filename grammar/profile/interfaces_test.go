package profile

import (
	"regexp"
	"testing"
)

// TestInterfaceOperands checks INTERFACE … DEFINE against the form of its
// interface type, as TestDeviceLinkOperands does for DEVICE and LINK:
// IBM's own examples are clean; an operand of another type is an error at
// the word, a bad value or a missing required operand a syntax error, a
// word tcpipc knows on no type a warning. Both parsers agree.
func TestInterfaceOperands(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: regexp of the one finding (error or warning), "" for none
	}{
		// IBM's conversions to the INTERFACE statement (IP Configuration
		// Guide): the operands in IBM's order, not the diagram's.
		{"INTERFACE QDIO4101L\nDEFINE IPAQENET\nINBPERF DYNAMIC\nIPADDR 172.16.1.1/24\nPORTNAME QDIO4101\nPRIROUTER\n", ``},
		{"INTERFACE HSINTF1\nDEFINE IPAQIDIO\nIPADDR 200.16.1.1/24\nCHPID FE\nSOURCEVIPAINTERFACE VIPA4811L\n", ``},
		{"INTERFACE VIPA1\nDEFINE VIRTUAL\nIPADDR 201.16.1.1\n", ``},
		{"INTERFACE OSA1500 DEFINE IPAQENET IPADDR 10.1.1.2/24 PORTNAME OSAP VLANID 702 MTU 1500 READSTORAGE GLOBAL INBPERF DYNAMIC WORKLOADQ\n", ``},
		{"INTERFACE V6OSA DEFINE IPAQENET6 PORTNAME PRT6 IPADDR 2001:DB8::1 2001:DB8::/64 INTFID 1:2:3:4 VMAC ROUTEALL\n", ``},
		{"INTERFACE EZ6XCF01 DEFINE MPCPTP6 TRLENAME CP01 IPADDR 2001:DB8::9\n", ``},
		// SOURCEVIPAINTerface: the abbreviation IBM's examples write
		// (IPCONFIG6 … SOURCEVIPAINT SVIPA1).
		{"INTERFACE H DEFINE IPAQIDIO CHPID F4 IPADDR 10.1.1.1/24 SOURCEVIPAINT VIPA1\n", ``},
		// Other actions are not checked against the type.
		{"INTERFACE OSA1 DELETE\n", ``},
		// An operand of another type, at the word.
		{"INTERFACE H DEFINE IPAQIDIO CHPID FE IPADDR 10.1.1.1/24 PRIROUTER\n", `^PRIROUTER is not an operand of IPAQIDIO interfaces$`},
		{"INTERFACE V DEFINE VIRTUAL IPADDR 10.1.1.1 PORTNAME P1\n", `^PORTNAME is not an operand of VIRTUAL interfaces$`},
		{"INTERFACE O DEFINE IPAQENET PORTNAME P IPADDR 10.1.1.1/24 INTFID 1:2:3:4\n", `^INTFID is not an operand of IPAQENET interfaces$`},
		{"INTERFACE O DEFINE IPAQENET6 PORTNAME P IPBCAST\n", `^IPBCAST is not an operand of IPAQENET6 interfaces$`},
		// Values of an option.
		{"INTERFACE O DEFINE IPAQENET PORTNAME P IPADDR 10.1.1.1/24 VLANID 5000\n", `^INTERFACE IPAQENET: unexpected 5000$`},
		{"INTERFACE O DEFINE IPAQENET PORTNAME P IPADDR 10.1.1.1/24 READSTORAGE HUGE\n", `^INTERFACE IPAQENET: unexpected HUGE$`},
		// A required operand left out.
		{"INTERFACE O DEFINE IPAQENET IPADDR 10.1.1.1/24\n", `^INTERFACE IPAQENET needs PORTNAME$`},
		{"INTERFACE H DEFINE IPAQIDIO IPADDR 10.1.1.1/24\n", `^INTERFACE IPAQIDIO needs CHPID$`},
		{"INTERFACE V DEFINE VIRTUAL\n", `^INTERFACE VIRTUAL needs IPADDR$`},
		// VIRTUAL's IPADDR is one address, no prefix (V2R4 IP Configuration
		// Reference, "INTERFACE - VIRTUAL interfaces statement").
		{"INTERFACE VIPAV4 DEFINE\n  VIRTUAL\n  IPADDR 9.1.1.1\n", ``},
		{"INTERFACE V DEFINE VIRTUAL IPADDR 9.1.1.1/24\n", `^INTERFACE VIRTUAL: unexpected 9.1.1.1/24$`},
		// A word no type knows: a warning, with a suggestion; a TCPIP.DATA
		// statement after an INTERFACE is no operand either.
		{"INTERFACE O DEFINE IPAQENET PORTNAME P IPADDR 10.1.1.1/24 PRIROUTR\n", `^unknown INTERFACE IPAQENET option PRIROUTR$`},
		{"INTERFACE V DEFINE VIRTUAL IPADDR 10.1.1.1\nDOMAINORIGIN\n", `^unknown INTERFACE VIRTUAL option DOMAINORIGIN$`},
	} {
		for _, only := range []bool{false, true} {
			_, p := parse("P", []byte(tc.in), Options{}, only)
			var got []string
			for _, d := range p.diags {
				if d.Severity.String() == "error" || d.Severity.String() == "warning" {
					got = append(got, d.Summary)
				}
			}
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("%q (participle only %v): unexpected %q", tc.in, only, got)
			case tc.want != "" && (len(got) != 1 || !regexp.MustCompile(tc.want).MatchString(got[0])):
				t.Errorf("%q (participle only %v): got %q, want one matching %s", tc.in, only, got, tc.want)
			}
		}
	}
}
