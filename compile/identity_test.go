package compile

import (
	"fmt"
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

// TestRemoteEndpointLocationsAndIdentityRef: a RemoteSecurityEndpoint's
// locations may come from LocationRef, LocationSetRef and LocationGroupRef
// and Location Any4 (IP Configuration Reference, RemoteSecurityEndpoint
// statement), and its identity from a RemoteIdentity statement; the plan
// carries them all. The Configuration Assistant's Identity IpAddr 0.0.0.0
// with a location group (IBM support Q&A) is every IPv4 peer. The
// locations were left out and RemoteIdentityRef made the policy refused.
func TestRemoteEndpointLocationsAndIdentityRef(t *testing.T) {
	rule := func(name, rse string) string {
		return "KeyExchangeRule " + name + "\n{\n LocalSecurityEndpoint\n {\n  Identity IpAddr 10.1.1.1\n  Location 10.1.1.1\n }\n" +
			" RemoteSecurityEndpointRef " + rse + "\n KeyExchangeActionRef ike\n SharedKey Ascii test-only-key\n}\n"
	}
	p := compileFiles(t, map[string]string{
		"sysplex.yaml": "sysplex: RSE\nstacks:\n  - {name: A, profile: A/P, policy: [A.policy]}\n",
		"A/P":          "IPCONFIG IPSECURITY\n",
		"A.policy": "IpFilterPolicy\n{\n IpFilterRuleRef all\n}\n" +
			"IpFilterRule all\n{\n IpGenericFilterActionRef permit\n}\n" +
			"IpGenericFilterAction permit\n{\n IpFilterAction Permit\n}\n" +
			"IpAddrGroup peers\n{\n IpAddr\n {\n  Addr 192.0.2.1\n }\n IpAddrSet\n {\n  Range 192.0.2.10-192.0.2.20\n }\n}\n" +
			"IpAddr gw\n{\n Addr 203.0.113.5\n}\n" +
			"IpAddrSet nets\n{\n Prefix 198.51.100.0/24\n}\n" +
			"RemoteIdentity branches\n{\n Identity Fqdn *.branch.example.com\n}\n" +
			"RemoteSecurityEndpoint group\n{\n Identity IpAddr 0.0.0.0\n LocationGroupRef peers\n}\n" +
			"RemoteSecurityEndpoint gateway\n{\n Identity IpAddr 203.0.113.5\n LocationRef gw\n}\n" +
			"RemoteSecurityEndpoint branch\n{\n Identity RemoteIdentityRef branches\n LocationSetRef nets\n}\n" +
			"RemoteSecurityEndpoint road\n{\n Identity Fqdn road.example.com\n Location Any4\n}\n" +
			"KeyExchangePolicy\n{\n KeyExchangeRuleRef r1\n KeyExchangeRuleRef r2\n KeyExchangeRuleRef r3\n KeyExchangeRuleRef r4\n}\n" +
			rule("r1", "group") + rule("r2", "gateway") + rule("r3", "branch") + rule("r4", "road") +
			"KeyExchangeAction ike\n{\n HowToInitiate IKEv2\n HowToAuthMe PresharedKey\n KeyExchangeOffer\n {\n" +
			"  HowToEncrypt AES_CBC KeyLength 128\n  HowToVerifyMsgs HMAC_SHA2_256_128\n  PseudoRandomFunction HMAC_SHA2_256\n  DHGroup Group19\n }\n}\n",
	})
	want := map[string]string{ // rule -> remote type, value and locations
		"r1": "IPADDR 0.0.0.0/0 at [192.0.2.1 192.0.2.10-192.0.2.20]",
		"r2": "IPADDR 203.0.113.5 at [203.0.113.5]",
		"r3": "FQDN *.branch.example.com at [198.51.100.0/24]",
		"r4": "FQDN road.example.com at [0.0.0.0/0]",
	}
	for _, peer := range p.Stacks[0].IKE.Peers {
		got := fmt.Sprintf("%s %s at %v", peer.Remote.Type, peer.Remote.Value, peer.Remote.Locations)
		if got != want[peer.Rule] {
			t.Errorf("%s: remote %s, want %s", peer.Rule, got, want[peer.Rule])
		}
		delete(want, peer.Rule)
	}
	if len(want) != 0 {
		t.Errorf("rules missing from the plan: %v", want)
	}
}
