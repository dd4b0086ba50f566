package model

import "testing"

// TestPortDenyDropsStatement checks that a PORT statement with DENY on an
// UNRSV entry whose job name is not * reserves nothing: the stack ignores
// the entire statement (EZZ0146I), not only that entry. A later PORT
// statement still counts.
func TestPortDenyDropsStatement(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"sysplex.yaml": "sysplex: P\nstacks:\n  - name: SYSA\n    profile: SYSA.TCPIP\n",
		"SYSA.TCPIP":   "PORT 23 TCP TN3270\n     UNRSV TCP FTPD* DENY\nPORT 21 TCP FTPD1\n",
	})
	sx, _ := Load(dir, Options{})
	if len(sx.Stacks) != 1 {
		t.Fatalf("%d stacks", len(sx.Stacks))
	}
	var got []int
	for _, p := range sx.Stacks[0].Ports {
		got = append(got, p.Port)
	}
	if len(got) != 1 || got[0] != 21 {
		t.Errorf("reserved ports %v, want [21]", got)
	}
}
