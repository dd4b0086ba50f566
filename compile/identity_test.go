package compile

import (
	"testing"
)

// TestKeyIDIdentity: IBM writes a KeyID identity with its format
// (Identity KeyID Ascii|Ebcdic|Hex authid, IP Configuration Reference,
// LocalSecurityEndpoint and RemoteSecurityEndpoint statements); the plan
// carries the ID_KEY_ID bytes in hex, whichever format wrote them, and
// UserAtFqdn as USERFQDN.
func TestKeyIDIdentity(t *testing.T) {
	p := compileFiles(t, map[string]string{
		"sysplex.yaml": "sysplex: KID\nstacks:\n  - {name: A, profile: A/P, policy: [A.policy]}\n",
		"A/P":          "IPCONFIG IPSECURITY\n",
		"A.policy": "IpFilterPolicy\n{\n IpFilterRuleRef all\n}\n" +
			"IpFilterRule all\n{\n IpGenericFilterActionRef permit\n}\n" +
			"IpGenericFilterAction permit\n{\n IpFilterAction Permit\n}\n" +
			"KeyExchangePolicy\n{\n KeyExchangeRuleRef r1\n KeyExchangeRuleRef r2\n}\n" +
			"KeyExchangeRule r1\n{\n LocalSecurityEndpoint\n {\n  Identity KeyID Ebcdic GW1\n  Location 10.1.1.1\n }\n" +
			" RemoteSecurityEndpoint\n {\n  Identity KeyID Hex 0A0b\n  Location 192.0.2.1\n }\n" +
			" KeyExchangeActionRef ike\n SharedKey Ascii test-only-key\n}\n" +
			"KeyExchangeRule r2\n{\n LocalSecurityEndpoint\n {\n  Identity KeyID Ascii gw1\n  Location 10.1.1.1\n }\n" +
			" RemoteSecurityEndpoint\n {\n  Identity UserAtFqdn ops@example.com\n  Location 192.0.2.2\n }\n" +
			" KeyExchangeActionRef ike\n SharedKey Ascii test-only-key\n}\n" +
			"KeyExchangeAction ike\n{\n HowToInitiate IKEv2\n HowToAuthMe PresharedKey\n KeyExchangeOfferRef o\n}\n" +
			"KeyExchangeOffer o\n{\n HowToEncrypt AES_CBC KeyLength 128\n HowToAuthPeers PresharedKey\n DHGroup Group14\n}\n",
	})
	want := map[string][2]string{ // rule -> local, remote as type value
		"r1": {"KEYID c7e6f1", "KEYID 0a0b"},
		"r2": {"KEYID 677731", "USERFQDN ops@example.com"},
	}
	for _, peer := range p.Stacks[0].IKE.Peers {
		w, ok := want[peer.Rule]
		if !ok {
			continue
		}
		delete(want, peer.Rule)
		if l, r := peer.Local.Type+" "+peer.Local.Value, peer.Remote.Type+" "+peer.Remote.Value; l != w[0] || r != w[1] {
			t.Errorf("%s: local %s remote %s, want %s and %s", peer.Rule, l, r, w[0], w[1])
		}
	}
	if len(want) != 0 {
		t.Errorf("rules missing from the plan: %v", want)
	}
}
