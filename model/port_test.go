package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
)

// loadProfile loads a one-stack sysplex whose profile is profile.
func loadProfile(t *testing.T, profile string) (*Stack, diag.Diagnostics) {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"sysplex.yaml": "sysplex: P\nstacks:\n  - name: SYSA\n    profile: SYSA.TCPIP\n",
		"SYSA.TCPIP":   profile,
	})
	sx, ds := Load(dir, Options{})
	if len(sx.Stacks) != 1 {
		t.Fatalf("%d stacks", len(sx.Stacks))
	}
	return sx.Stacks[0], ds
}

// TestPortDenyDropsStatement checks that a PORT statement with DENY on an
// UNRSV entry whose job name is not * reserves nothing: the stack ignores
// the entire statement (EZZ0146I), not only that entry. A later PORT
// statement still counts.
func TestPortDenyDropsStatement(t *testing.T) {
	s, _ := loadProfile(t, "PORT 23 TCP TN3270\n     UNRSV TCP FTPD* DENY\nPORT 21 TCP FTPD1\n")
	var got []int
	for _, p := range s.Ports {
		got = append(got, p.Port)
	}
	if len(got) != 1 || got[0] != 21 {
		t.Errorf("reserved ports %v, want [21]", got)
	}
}

// TestIgnoredPortSetsNoAccessControl: the WHENLISTEN of a PORT statement
// the stack ignores (EZZ0146I) is not the access control in effect, so a
// later WHENBIND entry conflicts with nothing (EZZ0147I).
func TestIgnoredPortSetsNoAccessControl(t *testing.T) {
	_, ds := loadProfile(t, "PORT UNRSV TCP FTPD* DENY\n     UNRSV TCP * WHENLISTEN\nPORT UNRSV TCP OMVS WHENBIND\n")
	for _, d := range ds {
		if strings.Contains(d.Summary, "conflicts") {
			t.Errorf("%d:%d: %s", d.Range.Start.Line, d.Range.Start.Column, d.Summary)
		}
	}
}

// TestRefusedInterfaceAddsNoHome: an IPv6 INTERFACE with an
// IPv4-compatible address among its IPADDRs is ignored whole (EZZ0714I),
// so none of its addresses becomes a home address.
func TestRefusedInterfaceAddsNoHome(t *testing.T) {
	s, ds := loadProfile(t, "INTERFACE OSA6 DEFINE IPAQENET6 PORTNAME OSAP1 IPADDR 2001:db8::1 ::10.1.1.1\n")
	if !strings.Contains(diag.FormatText(ds, nil), "IPv4-compatible") {
		t.Fatalf("no EZZ0714I finding:\n%s", diag.FormatText(ds, nil))
	}
	for _, h := range s.Home {
		t.Errorf("home address %s on %s from an ignored INTERFACE", h.Addr.Addr, h.Link)
	}
}

// TestDeletePortUnrsvAnywhere: a DELETE PORT whose UNRSV TCP entry
// follows another entry still lets the entries after it choose their
// access control again (EZZ0147I's response: delete the UNRSV TCP
// entries, then code the new ones); deleting UNRSV UDP entries does not.
func TestDeletePortUnrsvAnywhere(t *testing.T) {
	_, ds := loadProfile(t, "PORT 21 TCP FTPD1\n     UNRSV TCP * WHENLISTEN\n"+
		"DELETE PORT 21 TCP FTPD1\n            UNRSV TCP * WHENLISTEN\n"+
		"PORT UNRSV TCP * WHENBIND\n"+
		"DELETE PORT UNRSV UDP *\n"+
		"PORT UNRSV TCP OMVS WHENLISTEN\n")
	var got []string
	for _, d := range ds {
		if strings.Contains(d.Summary, "conflicts") {
			got = append(got, fmt.Sprintf("%d: %s", d.Range.Start.Line, d.Summary))
		}
	}
	want := []string{"7: PORT UNRSV TCP OMVS: WHENLISTEN conflicts with the WHENBIND in effect"}
	if !slices.Equal(got, want) {
		t.Errorf("conflicts %q, want %q", got, want)
	}
}
