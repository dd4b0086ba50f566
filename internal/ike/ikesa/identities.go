package ikesa

import "sync"

// Identities counts established IKE SAs by identity pair (our identity,
// the peer's), for the daemons of one host. INITIAL_CONTACT asserts that
// the IKE SA being set up is the only one between the two identities (RFC
// 7296 section 2.4), so a daemon sends it only when no daemon sharing its
// Identities holds another: two DVIPAs of one stack whose rules share an
// FQDN or DN identity towards the same peer must not make the peer drop
// each other's SAs. It is safe for concurrent use; its lock is a leaf.
type Identities struct {
	mu sync.Mutex
	n  map[string]int
}

// NewIdentities returns an empty count.
func NewIdentities() *Identities { return &Identities{n: map[string]int{}} }

func (r *Identities) add(pair string, delta int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n[pair] += delta; r.n[pair] <= 0 {
		delete(r.n, pair)
	}
}

func (r *Identities) count(pair string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n[pair]
}

// identityPair names the identities of an IKE SA with p from remote. A
// peer configured without an address stands for a range of remotes that
// may share one identity: each remote address counts on its own, as in
// dropOthers.
func (d *Daemon) identityPair(p *Peer, remote string) string {
	peer := p.ID.String()
	if !p.Addr.IsValid() {
		peer += "@" + remote
	}
	return d.cfg.ID.String() + "\x00" + peer
}

// countEstablished adds sa to, or (delta -1) takes it from, the count of
// its identity pair; each SA counts once.
func (sa *IKESA) countEstablished(delta int) {
	if sa.peer == nil || sa.counted == (delta > 0) {
		return
	}
	sa.counted = delta > 0
	sa.d.cfg.Identities.add(sa.d.identityPair(sa.peer, sa.remote.Addr().String()), delta)
}
