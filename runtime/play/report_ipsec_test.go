package play

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

// TestReportSaysWhenAPeerFragmented: an endpoint that put IKE messages
// together from a peer's RFC 7383 fragments says so in the report, with
// the warning that z/OS IKED is documented to do no such thing: the run
// works where the mainframe may not.
func TestReportSaysWhenAPeerFragmented(t *testing.T) {
	r := &Report{IPsec: []IPsecTotals{{Stack: "MVS1", DVIPA: netip.MustParseAddr("201.2.10.11"), IKESAs: 1, Reassembled: 2}}}
	var out bytes.Buffer
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	want := "2 IKE messages put together from a peer's fragments (RFC 7383), which z/OS IKED is not documented to accept"
	if !strings.Contains(out.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, out.String())
	}
	r.IPsec[0].Reassembled = 0
	out.Reset()
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "fragments") {
		t.Errorf("report speaks of fragments no peer sent:\n%s", out.String())
	}
}

// TestReportSaysWhenIKESAInitWasTurnedAway: an endpoint that asked for
// cookies or dropped IKE_SA_INIT requests under load says how many in its
// ipsec line; one that did not says nothing of it.
func TestReportSaysWhenIKESAInitWasTurnedAway(t *testing.T) {
	r := &Report{IPsec: []IPsecTotals{{Stack: "MVS1", DVIPA: netip.MustParseAddr("201.2.10.11"), IKESAs: 1,
		Cookies: 12, InitBlocked: 3, InitOverLimit: 5}}}
	var out bytes.Buffer
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"12 IKE_SA_INIT requests answered with a COOKIE under load (RFC 7296 2.6)",
		"3 IKE_SA_INIT requests dropped from addresses that held too many half-open IKE SAs",
		"5 IKE_SA_INIT requests dropped at the limit of half-open IKE SAs"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	r.IPsec[0].Cookies, r.IPsec[0].InitBlocked, r.IPsec[0].InitOverLimit = 0, 0, 0
	out.Reset()
	if err := r.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "IKE_SA_INIT") {
		t.Errorf("report speaks of IKE_SA_INIT turned away when none was:\n%s", out.String())
	}
}
