package profile

import (
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
)

// TestSrcIPAddressPreferenceAlone checks that PUBLICADDRS and TEMPADDRS
// written in place of the source address are the entry's preference, not
// an interface name: IBM's IPv6 guide configures "a JOBNAME jobname
// TEMPADDRS entry on the SRCIP statement", and Netstat SRCIP shows
// TEMPADDRS as the entry's source.
func TestSrcIPAddressPreferenceAlone(t *testing.T) {
	in := "SRCIP\n JOBNAME USER1 TEMPADDRS\n JOBNAME USER2* CLIENTS PUBLICADDRS\n DESTINATION 2001:DB8::/32 TEMPADDRS\n JOBNAME USER3 VIPA6\nENDSRCIP\n"
	prof, ds := Parse("P", []byte(in), Options{})
	if len(ds) != 0 {
		t.Errorf("diagnostics %q", diag.FormatText(ds, prof.Sources()))
	}
	var got []string
	for _, st := range prof.Statements {
		s, ok := st.(*SrcIP)
		if !ok {
			continue
		}
		for _, e := range s.Entries {
			intf := "-"
			if e.SourceIntf != nil {
				intf = e.SourceIntf.Text
			}
			got = append(got, intf+"/"+e.Prefers+e.AddrPref)
		}
	}
	if want := "-/TEMPADDRS -/PUBLICADDRS -/TEMPADDRS VIPA6/"; strings.Join(got, " ") != want {
		t.Errorf("entries (interface/preference) %q, want %q", strings.Join(got, " "), want)
	}
	checkAgreement(t, "srcip-preference", []byte(in), Options{})
}
