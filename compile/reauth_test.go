package compile

import (
	"testing"
)

// TestReauthInterval: a KeyExchangeAction's ReauthInterval (minutes)
// reaches the plan as the peer's reauthSeconds, an action without one
// takes the KeyExchangePolicy's, and an IKEv1 action gets none
// (reauthentication is IKEv2's). ReauthInterval was parsed and dropped.
func TestReauthInterval(t *testing.T) {
	rule := func(name, action string) string {
		return " KeyExchangeRule " + name + "\n {\n  LocalSecurityEndpoint\n  {\n   Identity IpAddr 10.9.9.1\n  }\n" +
			"  RemoteSecurityEndpoint\n  {\n   Identity Fqdn " + name + ".example\n  }\n" +
			"  KeyExchangeAction\n  {\n" + action + "   HowToAuthMe PresharedKey\n   KeyExchangeOffer\n   {\n" +
			"    HowToEncrypt AES_CBC KeyLength 128\n    HowToVerifyMsgs HMAC_SHA2_256_128\n    HowToAuthMsgs SHA2_256\n" +
			"    HowToAuthPeers PresharedKey\n    PseudoRandomFunction HMAC_SHA2_256\n    DHGroup Group19\n   }\n  }\n" +
			"  SharedKey Ascii reauth-test\n }\n"
	}
	p := compileFiles(t, map[string]string{
		"sysplex.yaml": "sysplex: REAUTH\nstacks:\n  - {name: A, profile: A/P, policy: [A.policy]}\n",
		"A/P":          "IPCONFIG IPSECURITY\n",
		"A.policy": "IpFilterPolicy\n{\n IpFilterRule all\n {\n  IpGenericFilterActionRef permit\n }\n}\n" +
			"IpGenericFilterAction permit\n{\n IpFilterAction Permit\n}\n" +
			"KeyExchangePolicy\n{\n ReauthInterval 480\n" +
			rule("own", "   HowToInitiate IKEv2\n   ReauthInterval 30\n") +
			rule("inherits", "   HowToInitiate IKEv2\n") +
			rule("off", "   HowToInitiate IKEv2\n   ReauthInterval 0\n") +
			rule("ikev1", "   HowToInitiate Main\n   ReauthInterval 30\n") +
			"}\n",
	})
	want := map[string]int{"own": 1800, "inherits": 480 * 60, "off": 0, "ikev1": 0}
	got := map[string]int{}
	for _, peer := range p.Stacks[0].IKE.Peers {
		got[peer.Rule] = peer.ReauthSeconds
	}
	for rule, w := range want {
		if s, ok := got[rule]; !ok || s != w {
			t.Errorf("rule %s: reauthSeconds %d (present %v), want %d", rule, s, ok, w)
		}
	}
}
