package profile

import (
	"regexp"
	"testing"
)

// TestDeviceLinkOperands checks DEVICE and LINK against the form of their
// type: IBM's sample forms are clean; an operand of another type is an
// error at the word, a missing or malformed positional operand a syntax
// error, and a word tcpipc knows on no type a warning (the stack rejects
// it, tcpipc's option lists may be incomplete). Both parsers agree.
func TestDeviceLinkOperands(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: regexp of the one finding (error or warning), "" for none
	}{
		{"DEVICE CTC1 CTC D00 AUTORESTART\nLINK CTCD00 CTC 0 CTC1\n", ``},
		{"DEVICE RS6K CLAW 6B2 HOST PSCA NONE 26 26 AUTORESTART\nLINK IPLINK1 IP 0 RS6K\n", ``},
		{"DEVICE CISCO CLAW AD0 SM03DR4 CIPTCP NONE 20 20 4096 4096\n", ``},
		{"DEVICE CISCO CLAW AD0 SM03DR4 CIPTCP NOPE 20 20\n", `^DEVICE CLAW: unexpected NOPE$`},
		{"DEVICE CISCO CLAW AD0 SM03DR4\n", `^incomplete DEVICE CLAW statement$`},
		{"DEVICE CTC1 CTC XYZ1\n", `^DEVICE CTC: unexpected XYZ1$`},
		{"DEVICE SNALU0 SNAIUCV SNALINK LU000000 SNALINK AUTORESTART\nLINK SNA1 SAMEHOST 1 SNALU0\n", ``},
		{"DEVICE VDEV1 VIRTUAL 0\nLINK VLINK1 VIRTUAL 0 VDEV1\n", ``},
		{"DEVICE OSA1 ATM PORTNAME PORT1\nLINK LINK1 ATM OSA1 LIS LIS1\n", ``},
		{"DEVICE MPCIPA1 MPCIPA PRIROUTER AUTORESTART\nLINK L1 IPAQENET MPCIPA1 VMAC 020000000001 ROUTELCL INBPERF DYNAMIC WORKLOADQ VLANID 10\n", ``},
		{"DEVICE IUTSAMEH MPCPTP NOAUTORESTART\nLINK TOVTAM MPCPTP IUTSAMEH IFSPEED 4500000 CHECKSUM SECCLASS 255 NOMONSYSPLEX\n", ``},
		// An operand of another type, at the word.
		{"DEVICE LCS1 LCS BA0 PRIROUTER\n", `^PRIROUTER is not an operand of LCS devices$`},
		{"DEVICE CTC1 CTC D00 PORTNAME P1\n", `^PORTNAME is not an operand of CTC devices$`},
		{"DEVICE LCS1 LCS BA0\nLINK ETH1 ETHERNET 1 LCS1 VMAC\n", `^VMAC is not an operand of ETHERNET links$`},
		{"DEVICE M MPCIPA\nLINK L IPAQENET M LIS LIS1\n", `^LIS is not an operand of IPAQENET links$`},
		{"LINK H IPAQIDIO IUTIQDF4 INBPERF DYNAMIC\n", `^INBPERF is not an operand of IPAQIDIO links$`},
		// Values of an option.
		{"LINK L IPAQENET M VLANID 5000\n", `^LINK IPAQENET: unexpected 5000$`},
		{"LINK L IPAQENET M INBPERF FAST\n", `^LINK IPAQENET: unexpected FAST$`},
		// A word no type knows: a warning, with a suggestion.
		{"DEVICE M MPCIPA AUTORESTRT\n", `^unknown DEVICE MPCIPA option AUTORESTRT$`},
		{"DEVICE M MPCIPA\nDOMAINORIGIN\n", `^unknown DEVICE MPCIPA option DOMAINORIGIN$`},
		// The values after an unknown option are its own, not findings of
		// their own (no follow-on "unexpected 4500000"). The TCPIPCS
		// PROFILE sample writes IFSPEED, CHECKSUM and NOAUTORESTART in
		// capitals only: they have no shorter form.
		{"DEVICE D MPCPTP\nLINK L MPCPTP D IFSPEE 4500000\n", `^unknown LINK MPCPTP option IFSPEE$`},
		{"DEVICE D MPCPTP\nLINK L MPCPTP D CHECKSU SECCLASS 255\n", `^unknown LINK MPCPTP option CHECKSU$`},
		{"DEVICE D MPCPTP NOAUTORESTAR\n", `^unknown DEVICE MPCPTP option NOAUTORESTAR$`},
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

// TestDeviceAbbreviations checks the abbreviations IBM's TCPIPCS PROFILE
// sample writes in its syntax-diagram casing (IP Diagnosis Guide: "DEVice
// VIPA4815 VIRTual 0000", "AUTOLog 5 … ENDAUTOLog"): DEV, AUTOL and
// ENDAUTOL are statement keywords, and VIRT is the VIRTUAL type.
func TestDeviceAbbreviations(t *testing.T) {
	in := "DEV VIPA1 VIRT 0\nLINK VIPA1L VIRT 0 VIPA1\nAUTOL 5\n  FTP JOBNAME FTP1\nENDAUTOL\n"
	for _, only := range []bool{false, true} {
		prof, p := parse("P", []byte(in), Options{}, only)
		if len(p.diags) != 0 {
			t.Errorf("participle only %v: %s", only, messages(p.diags))
		}
		if len(prof.Statements) != 3 {
			t.Fatalf("participle only %v: %d statements", only, len(prof.Statements))
		}
		d, ok1 := prof.Statements[0].(*Device)
		l, ok2 := prof.Statements[1].(*Link)
		if !ok1 || !ok2 || d.Type != "VIRTUAL" || l.Type != "VIRTUAL" {
			t.Errorf("participle only %v: device %+v, link %+v", only, prof.Statements[0], prof.Statements[1])
		}
	}
}
