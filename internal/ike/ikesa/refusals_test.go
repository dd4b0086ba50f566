package ikesa

import (
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestRefusalsCounted: a proposal we cannot serve is refused with
// NO_PROPOSAL_CHOSEN and counted on both sides, by notification: in
// IKE_SA_INIT (no IKE suite in common) and in IKE_AUTH (no ESP suite in
// common; the IKE SA comes up without its child). The responder says
// what the peer offered and what it accepts. Before, neither side
// counted anything: the responder's refusal left no trace at all.
func TestRefusalsCounted(t *testing.T) {
	t.Run("IKE_SA_INIT", func(t *testing.T) {
		offered := Suite{Encr: wire.ENCR_AES_CBC, KeyBits: 256, Integ: wire.AUTH_HMAC_SHA2_256_128, PRF: wire.PRF_HMAC_SHA2_256, DH: wire.MODP2048}
		_, initiator, responder := pair(t, setup{initIKE: []Suite{offered}, respIKE: []Suite{gcm128}})
		if _, err := initiator.d.Initiate("gw"); err != nil {
			t.Fatal(err)
		}
		wait(t, initiator.ike, "IKE SA failure")
		checkRefused(t, responder.d.Stats(), initiator.d.Stats(), "IKE_SA_INIT", "AES_CBC_256", "MODP_2048", gcm128.String())
	})
	t.Run("IKE_AUTH", func(t *testing.T) {
		espCBC := Suite{Encr: wire.ENCR_AES_CBC, KeyBits: 128, Integ: wire.AUTH_HMAC_SHA1_96}
		_, initiator, responder := pair(t, setup{initESP: []Suite{espCBC}, respESP: []Suite{espGCM}})
		if _, err := initiator.d.Initiate("gw"); err != nil {
			t.Fatal(err)
		}
		wait(t, initiator.refused, "the child refused")
		checkRefused(t, responder.d.Stats(), initiator.d.Stats(), "IKE_AUTH", "AES_CBC_128", "HMAC_SHA1_96", espGCM.String())
	})
}

func checkRefused(t *testing.T, resp, init Stats, words ...string) {
	t.Helper()
	if resp.Refused[wire.NO_PROPOSAL_CHOSEN] != 1 || init.PeerRefused[wire.NO_PROPOSAL_CHOSEN] != 1 {
		t.Errorf("responder refused %v, initiator was refused %v; want one NO_PROPOSAL_CHOSEN each", resp.Refused, init.PeerRefused)
	}
	for _, w := range words {
		if !strings.Contains(resp.LastNoProposal, w) {
			t.Errorf("responder's last refusal %q does not say %q", resp.LastNoProposal, w)
		}
	}
}
