package ikesa

import (
	"fmt"
	"net/netip"
	"slices"
)

// Proposals narrows what one IKE SA we initiate offers: its IKE suites for
// IKE_SA_INIT and its ESP suites for the child SAs it creates (IKE_AUTH and
// CREATE_CHILD_SA). A stack renegotiating a tunnel recorded in the coupling
// facility offers the tunnel's negotiated transforms only, so the new SAs
// have the same security service characteristics as the old ones.
type Proposals struct {
	IKE, ESP []Suite
}

// InitiateProposing is InitiateWith offering only the suites of p that the
// daemon's own policy (Config.IKE, Config.ESP) accepts; an empty list of p
// offers the policy's. It fails with ErrNoProposal when p names none the
// policy accepts.
func (d *Daemon) InitiateProposing(peerName string, addr netip.AddrPort, ts Selectors, p Proposals) (*IKESA, error) {
	ike, err := suitesWithin(p.IKE, d.cfg.IKE, "IKE")
	if err != nil {
		return nil, err
	}
	esp, err := suitesWithin(p.ESP, d.cfg.ESP, "ESP")
	if err != nil {
		return nil, err
	}
	return d.initiate(peerName, addr, ts, &Proposals{IKE: ike, ESP: esp})
}

// suitesWithin keeps the suites of want that policy lists, in want's order.
func suitesWithin(want, policy []Suite, what string) ([]Suite, error) {
	if len(want) == 0 {
		return nil, nil
	}
	var out []Suite
	for _, s := range want {
		if slices.Contains(policy, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: the policy accepts none of the %s suites %v", ErrNoProposal, what, want)
	}
	return out, nil
}

// ikeSuites are the IKE suites this SA offers and accepts as initiator.
func (sa *IKESA) ikeSuites() []Suite {
	if sa.proposing != nil && len(sa.proposing.IKE) > 0 {
		return sa.proposing.IKE
	}
	return sa.d.cfg.IKE
}

// espSuites are the ESP suites this SA offers for the children it creates.
func (sa *IKESA) espSuites() []Suite {
	if sa.proposing != nil && len(sa.proposing.ESP) > 0 {
		return sa.proposing.ESP
	}
	return sa.d.cfg.ESP
}

// ikeAlgs are ikeSuites resolved; the daemon's policy was validated, and
// a narrowed list is part of it.
func (sa *IKESA) ikeAlgs() []*ikeAlgs {
	if sa.proposing == nil || len(sa.proposing.IKE) == 0 {
		return sa.d.ike
	}
	var out []*ikeAlgs
	for _, s := range sa.proposing.IKE {
		if a, err := resolveIKE(s); err == nil {
			out = append(out, a)
		}
	}
	return out
}
