package display

import (
	"strings"
	"testing"
)

// TestLiveLayouts pins the layouts ctl prints from a running sysplex's
// rows: VCRT sorted by destination and source, CONN in the order given,
// ipsec -k and -y with their optional fields left out when empty.
func TestLiveLayouts(t *testing.T) {
	var b strings.Builder
	if err := WriteVCRT(&b, []VCRTEntry{
		{"201.2.10.11..60", "192.0.2.10..1025", "193.9.200.2"},
		{"201.2.10.11..60", "192.0.2.10..1024", "193.9.200.4"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := WriteConn(&b, []Socket{{User: "ECHO", ID: 0x2a, State: "Listen", Local: "201.2.10.11..60", Foreign: "0.0.0.0..0"}}); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := WriteIPsecHeader(&b, "TCPIP", "MVS1", "-k"); err != nil {
		t.Fatal(err)
	}
	if err := WriteIKETunnels(&b, []IKETunnel{{Rule: "r", Local: "201.2.10.11", Remote: "192.0.2.10", State: "ESTABLISHED",
		Role: "Responder", Encryption: "AES_GCM_16 128", PRF: "PRF_HMAC_SHA2_256", DHGroup: 19, NAT: "no NAT", SPIs: "1/2", DynamicTunnels: 1}}, &n); err != nil {
		t.Fatal(err)
	}
	if err := WriteDynamicTunnels(&b, []DynamicTunnel{{Rule: "r", Active: false, Encryption: "AES_CBC 128", Integrity: "HMAC_SHA2_256_128",
		Local: "201.2.10.11", Remote: "192.0.2.10", InboundSPI: 1, OutboundSPI: 2}}, &n); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"Dest:        201.2.10.11..60\n  Source:    192.0.2.10..1024\n  DestXCF:   193.9.200.4\nDest:        201.2.10.11..60\n  Source:    192.0.2.10..1025\n",
		"2 of 2 Records Displayed\n",
		"ECHO     0000002A Listen\n  Local Socket:   201.2.10.11..60\n  Foreign Socket: 0.0.0.0..0\n1 of 1 Records Displayed\n",
		"ipsec Stack Name: TCPIP (MVS1)  Primary: IKE tunnel  Function: Display\n",
		"TunnelID:                  K1\n",
		"DiffieHellmanGroup:        19\n",
		"TunnelID:                  Y2\n",
		"State:                     EXPIRED\n",
		"HowToAuth:                 ESP HMAC_SHA2_256_128\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	for _, absent := range []string{"IntegrityAlgorithm", "Established:", "Lifetime:", "ReauthInterval:"} {
		if strings.Contains(got, absent) {
			t.Errorf("%s printed although empty", absent)
		}
	}
}

// TestIKETunnelReauthInterval: ipsec -k shows an IKE tunnel's
// reauthentication interval (KeyExchangeAction ReauthInterval) when one
// is configured.
func TestIKETunnelReauthInterval(t *testing.T) {
	var b strings.Builder
	n := 0
	if err := WriteIKETunnels(&b, []IKETunnel{{Rule: "r", State: "ESTABLISHED", ReauthSeconds: 3600}}, &n); err != nil {
		t.Fatal(err)
	}
	if want := "ReauthInterval:            3600 seconds\n"; !strings.Contains(b.String(), want) {
		t.Errorf("missing %q in:\n%s", want, b.String())
	}
}
