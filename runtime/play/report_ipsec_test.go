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
