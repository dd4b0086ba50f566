package anchorrules

import (
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/ruletest"
	"github.com/tcpipc/tcpipc/model"
)

func TestRule(t *testing.T) { ruletest.Run(t, Rule, "testdata/*.txtar") }

// TestDifferenceReadable checks that the difference between rule lists is
// a comparison of fields in words, never Go syntax.
func TestDifferenceReadable(t *testing.T) {
	a := []view{{Action: "ipsec", Local: "10.9.9.1", Remote: "*", VPN: "dynamic [ESP AES_GCM_16/128 NULL TUNNEL]"}}
	b := []view{{Action: "ipsec", Local: "10.9.9.1", Remote: "*", VPN: "dynamic [ESP AES_CBC/256 HMAC_SHA2_256_128 TUNNEL]"},
		{Action: "permit", Local: "*", Remote: "*", Protocol: "*"}}
	got := difference(a, b, "SYSA", "SYSB")
	for _, bad := range []string{"anchorrules.view", "anchors.view", "strings.Join", "{", "\u00a0"} {
		if strings.Contains(got, bad) {
			t.Errorf("difference shows Go syntax %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{
		"rule 1 differs:",
		"vpn       SYSA: dynamic [ESP AES_GCM_16/128 NULL TUNNEL]; SYSB: dynamic [ESP AES_CBC/256 HMAC_SHA2_256_128 TUNNEL]",
		"rule 2 is only on SYSB: permit, local *, remote *, protocol *",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("difference lacks %q:\n%s", want, got)
		}
	}
	if difference(a, a, "SYSA", "SYSB") != "" {
		t.Error("equal lists differ")
	}
}

// TestUnreadableAddressShown checks that a rule whose address could not be
// read is compared as unreadable, not as all addresses (the model keeps
// such a side as All).
func TestUnreadableAddressShown(t *testing.T) {
	f := &model.FilterRule{Action: "IPSEC", Src: model.AddrSel{All: true}, Dst: model.AddrSel{All: true}, Unread: "source"}
	v := viewOf(f)
	if v.Local != "(unreadable)" || v.Remote != "*" {
		t.Errorf("local %q, remote %q; want (unreadable) and *", v.Local, v.Remote)
	}
}
