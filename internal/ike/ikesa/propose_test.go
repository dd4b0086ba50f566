package ikesa

import (
	"errors"
	"testing"

	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestInitiateProposing: an IKE SA started with narrowed proposals offers
// only those, so it comes up with the recorded transforms even where both
// ends prefer others; a proposal the policy does not accept is refused
// before anything is sent.
func TestInitiateProposing(t *testing.T) {
	cbc := Suite{Encr: wire.ENCR_AES_CBC, KeyBits: 128, Integ: wire.AUTH_HMAC_SHA2_256_128, PRF: wire.PRF_HMAC_SHA2_256, DH: wire.ECP256}
	espCBC := Suite{Encr: wire.ENCR_AES_CBC, KeyBits: 128, Integ: wire.AUTH_HMAC_SHA2_256_128}
	both := setup{initIKE: []Suite{gcm128, cbc}, initESP: []Suite{espGCM, espCBC}}
	_, initiator, responder := pair(t, both)
	sa, err := initiator.d.InitiateProposing("gw", respAddr, Selectors{}, Proposals{IKE: []Suite{cbc}, ESP: []Suite{espCBC}})
	if err != nil {
		t.Fatal(err)
	}
	if ev := wait(t, initiator.ike, "IKE SA up"); ev.err != nil || ev.info.Suite != cbc || ev.info.ID != sa.Info().ID {
		t.Fatalf("IKE SA %+v %v; want suite %s", ev.info, ev.err, cbc)
	}
	if c := wait(t, initiator.children, "child"); c.Encr != wire.ENCR_AES_CBC || c.Integ != wire.AUTH_HMAC_SHA2_256_128 {
		t.Fatalf("child %s; want AES-CBC with HMAC-SHA2-256", c)
	}
	wait(t, responder.children, "responder child")

	other := Suite{Encr: wire.ENCR_AES_GCM_16, KeyBits: 256, PRF: wire.PRF_HMAC_SHA2_256, DH: wire.Curve25519}
	if _, err := initiator.d.InitiateProposing("gw", respAddr, Selectors{}, Proposals{IKE: []Suite{other}}); !errors.Is(err, ErrNoProposal) {
		t.Fatalf("a suite outside the policy: %v", err)
	}
}
