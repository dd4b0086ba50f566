package ikesa

import (
	"net/netip"
	"testing"
)

// TestInitialContactByIdentityPair: two daemons of one host (two DVIPAs of
// a stack) that share Identities and one local identity towards the same
// peer. While one holds an IKE SA with the peer, the other's IKE_AUTH must
// not carry INITIAL_CONTACT, or the peer would drop the first one's SAs
// (RFC 7296 section 2.4); a daemon counting alone does not know, and once
// the first SA is gone the other may send it again.
func TestInitialContactByIdentityPair(t *testing.T) {
	n, initiator, responder := pair(t, setup{})
	establish(t, initiator, responder)
	sends := func(d *Daemon) bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		p := &d.cfg.Peers[0]
		return !d.hasEstablished(p, &IKESA{d: d, remote: p.Addr})
	}

	cfg := initiator.d.cfg // its Identities too
	cfg.Local = netip.AddrPortFrom(netip.MustParseAddr("203.0.113.78"), cfg.Local.Port())
	sibling := newNode(t, n, cfg)
	if sends(sibling.d) {
		t.Error("a daemon sharing the host's Identities would send INITIAL_CONTACT while another holds an IKE SA between the same identities")
	}
	cfg.Identities = nil
	cfg.Local = netip.AddrPortFrom(netip.MustParseAddr("203.0.113.79"), cfg.Local.Port())
	if alone := newNode(t, n, cfg); !sends(alone.d) {
		t.Error("a daemon with Identities of its own counts another daemon's IKE SA")
	}
	initiator.d.Close()
	if !sends(sibling.d) {
		t.Error("the IKE SA is gone but still counted")
	}
}
