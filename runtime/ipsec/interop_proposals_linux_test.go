package ipsec

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/esp"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
)

// TestStrongSwanProposals: suites z/OS IKED offers (AES-CBC with
// HMAC-SHA1 or SHA-2, 256-bit keys, PRF SHA-384 and SHA-512, DH groups 14,
// 19 and 20) and strongSwan's defaults beside them, each negotiated with
// charon initiating and then us, traffic passing both times; and charon
// offering several proposals, and several algorithms of a type in one,
// from which we pick ours (one after an INVALID_KE_PAYLOAD).
func TestStrongSwanProposals(t *testing.T) {
	for _, c := range []struct{ ike, esp, ourIKE, ourESP, want string }{
		{ike: "aes128-sha1-modp2048", esp: "aes128-sha1", want: "AES_CBC_128-HMAC_SHA1_96-PRF_HMAC_SHA1-MODP_2048"},
		{ike: "aes256-sha256-ecp256", esp: "aes256-sha512", want: "AES_CBC_256-HMAC_SHA2_256_128-PRF_HMAC_SHA2_256-ECP_256"},
		{ike: "aes128-sha256-prfsha384-ecp384", esp: "aes256gcm16", want: "AES_CBC_128-HMAC_SHA2_256_128-PRF_HMAC_SHA2_384-ECP_384"},
		{ike: "aes256gcm16-prfsha512-x25519", esp: "aes128-sha384", want: "AES_GCM_16_256-PRF_HMAC_SHA2_512-CURVE25519"},
		{ike: "aes256-sha384-ecp384,aes128gcm16-prfsha256-x25519", esp: "aes256gcm16,aes128-sha256,aes128gcm16",
			ourIKE: "aes128gcm16-prfsha256-x25519", ourESP: "aes128gcm16,aes128-sha256", want: "AES_GCM_16_128-PRF_HMAC_SHA2_256-CURVE25519"},
		{ike: "aes256-aes128-sha512-sha1-ecp256-modp2048", esp: "aes256-aes128-sha512-sha1",
			ourIKE: "aes128-sha1-modp2048", ourESP: "aes128-sha1", want: "AES_CBC_128-HMAC_SHA1_96-PRF_HMAC_SHA1-MODP_2048"},
	} {
		t.Run(c.ike+"/"+c.esp, func(t *testing.T) {
			s := setupInteropWith(t, interopOpts{ike: c.ike, esp: c.esp, ourIKE: c.ourIKE, ourESP: c.ourESP})
			s.swanctl("--initiate", "--child", "net", "--timeout", "10")
			ike, _ := s.onlySA("the SAs charon initiated")
			if got := ike.Suite.String(); got != c.want {
				t.Errorf("charon initiating: IKE suite %s, want %s", got, c.want)
			}
			s.udpThroughTunnel(2)
			s.swanctl("--terminate", "--ike", "zos", "--timeout", "10")
			eventually(t, "our SAs deleted", func() bool { l := s.ep.SAs(); return len(l.IKE) == 0 && len(l.Dynamic) == 0 })
			s.weInitiate()
			if ike, _ := s.onlySA("the SAs we initiated"); ike.Suite.String() != c.want {
				t.Errorf("us initiating: IKE suite %s, want %s", ike.Suite, c.want)
			}
			noDropsExcept(t, s.ep)
		})
	}
}

// TestStrongSwanPFSGroup: the child's PFS group (ECP-384) is not the IKE
// SA's (Curve25519), and charon lists MODP-2048 first: its rekey's KE is
// refused with INVALID_KE_PAYLOAD naming ECP-384, it retries with that,
// and our own rekey uses ECP-384 at once. Both rekeys are PFS, traffic
// passes after each.
func TestStrongSwanPFSGroup(t *testing.T) {
	s := setupInteropWith(t, interopOpts{esp: "aes128gcm16-modp2048-ecp384", ike: "aes128gcm16-prfsha256-x25519",
		ourIKE: "aes128gcm16-prfsha256-x25519", ourESP: "aes128gcm16-ecp384"})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	_, child := s.onlySA("the SAs charon initiated")
	s.charonRekeysChild(child)
	_, child = s.onlySA("charon's rekeyed child")
	if !child.PFS || s.ep.Stats().IKE.Refused[wire.INVALID_KE_PAYLOAD] != 1 {
		t.Errorf("charon's rekey: PFS %v, stats %+v; want PFS after one INVALID_KE_PAYLOAD", child.PFS, s.ep.Stats().IKE)
	}
	s.udpThroughTunnel(2)
	s.ep.mu.Lock()
	ch := s.ep.children[child.InboundSPI]
	s.ep.mu.Unlock()
	s.ep.rekeyChild(ch)
	eventually(t, "our rekeyed child, alone", func() bool {
		l := s.ep.SAs()
		return len(l.Dynamic) == 1 && l.Dynamic[0].InboundSPI != child.InboundSPI && l.Dynamic[0].PFS && s.ep.sad.Len() == 1
	})
	if sas := s.swanctl("--list-sas"); !strings.Contains(sas, "ESP:AES_GCM_16-128/ECP_384") {
		t.Errorf("charon's child is not PFS with ECP-384:\n%s", sas)
	}
	s.udpThroughTunnel(2)
	noDropsExcept(t, s.ep)
}

// TestStrongSwanProposalRefused: algorithms tcpipc does not implement
// are refused with NO_PROPOSAL_CHOSEN, and the refusal is counted with
// what was offered: AES-192 with MODP-3072 for the IKE SA (charon gives
// up), ChaCha20-Poly1305 for the child (the IKE SA comes up without it);
// and when we initiate to a charon that accepts none of ours, its
// NO_PROPOSAL_CHOSEN is counted and the waiting packet dropped as no SA.
func TestStrongSwanProposalRefused(t *testing.T) {
	refused := func(t *testing.T, s *interop, words ...string) {
		t.Helper()
		st := s.ep.Stats().IKE
		t.Logf("refused: %s", st.LastNoProposal)
		if st.Refused[wire.NO_PROPOSAL_CHOSEN] != 1 {
			t.Errorf("refusals %v, want one NO_PROPOSAL_CHOSEN", st.Refused)
		}
		for _, w := range words {
			if !strings.Contains(st.LastNoProposal, w) {
				t.Errorf("last refusal %q does not name %s", st.LastNoProposal, w)
			}
		}
	}
	t.Run("IKE", func(t *testing.T) {
		s := setupInteropWith(t, interopOpts{ike: "aes192-sha256-modp3072", esp: "aes128gcm16", ourIKE: "aes128-sha256-modp2048", ourESP: "aes128gcm16"})
		if out, err := s.trySwanctl("--initiate", "--child", "net", "--timeout", "10"); err == nil {
			t.Fatalf("charon got an IKE SA:\n%s", out)
		}
		refused(t, s, "IKE_SA_INIT", "AES_CBC_192", "MODP_3072", "AES_CBC_128-HMAC_SHA2_256_128-PRF_HMAC_SHA2_256-MODP_2048")
	})
	t.Run("child", func(t *testing.T) {
		s := setupInteropWith(t, interopOpts{ike: "aes128gcm16-prfsha256-x25519", esp: "chacha20poly1305", ourIKE: "aes128gcm16-prfsha256-x25519", ourESP: "aes128gcm16"})
		if out, err := s.trySwanctl("--initiate", "--child", "net", "--timeout", "10"); err == nil {
			t.Fatalf("charon got a child:\n%s", out)
		}
		eventually(t, "the IKE SA, without a child", func() bool {
			l := s.ep.SAs()
			return len(l.IKE) == 1 && l.IKE[0].State == ikesa.StateEstablished && len(l.Dynamic) == 0
		})
		refused(t, s, "IKE_AUTH", "CHACHA20_POLY1305")
	})
	t.Run("by charon", func(t *testing.T) {
		s := setupInteropWith(t, interopOpts{ike: "aes256-sha512-ecp521", esp: "aes256-sha512", ourIKE: "aes128gcm16-prfsha256-x25519", ourESP: "aes128gcm16"})
		s.ep.Outbound(udp4(appAddr, netip.MustParseAddr("10.99.0.2"), 7000, 7, []byte("refused")))
		eventually(t, "charon's refusal", func() bool {
			st := s.ep.Stats()
			return st.IKE.PeerRefused[wire.NO_PROPOSAL_CHOSEN] == 1 && st.Drops[DropNoSA] == 1
		})
	})
}

// TestStrongSwanRefusedRekeyBacksOff: charon takes PFS with ECP-384 only,
// we offer Curve25519 only, so the first child (IKE_AUTH, no KE) comes up
// and every rekey of ours is refused with NO_PROPOSAL_CHOSEN. Between our
// soft lifetime (1 s) and hard lifetime (15 s) we ask at most three
// times, the last before the hard lifetime, and the child then expires.
// Before, the rekey went again every 2 to 4 seconds: four to six times.
func TestStrongSwanRefusedRekeyBacksOff(t *testing.T) {
	f := Filter{Name: "client", Local: PrefixRange(netip.MustParsePrefix("10.1.1.0/24")),
		Remote: PrefixRange(netip.MustParsePrefix("10.99.0.2/32")),
		Tunnel: Tunnel{Lifetime: esp.Lifetime{SoftTime: time.Second, HardTime: 15 * time.Second}}}
	s := setupInteropWith(t, interopOpts{esp: "aes128gcm16-ecp384", ike: "aes128gcm16-prfsha256-x25519",
		ourIKE: "aes128gcm16-prfsha256-x25519", ourESP: "aes128gcm16-x25519", filter: &f})
	s.swanctl("--initiate", "--child", "net", "--timeout", "10")
	_, child := s.onlySA("the SAs charon initiated")
	refused := func() uint64 { return s.ep.Stats().IKE.PeerRefused[wire.NO_PROPOSAL_CHOSEN] }
	eventually(t, "our first rekey refused", func() bool { return refused() >= 1 })
	for deadline := time.Now().Add(30 * time.Second); len(s.ep.SAs().Dynamic) != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the child is still there after its hard lifetime: %+v", s.ep.SAs().Dynamic)
		}
	}
	n := refused()
	time.Sleep(3 * time.Second) // nothing more after the hard lifetime
	if m := refused(); n < 2 || n > 3 || m != n {
		t.Errorf("charon refused our rekeys of %08x %d times by the hard lifetime and %d in all, want 2 or 3 and none after",
			child.InboundSPI, n, m)
	}
}
