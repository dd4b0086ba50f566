package sysplex

import (
	"net/netip"
	"sync"
	"time"

	"github.com/tcpipc/tcpipc/runtime/distributor"
)

// routingRole is the state of one address on one stack as far as routing
// goes: whether this stack routes the DVIPA and with which distributor,
// which stack routes it if not this one (the VIPA list), when this stack
// became its routing stack, whether it keeps connections to it after
// another stack took it (Moving), and its IPsec glue: the endpoint this
// stack runs for the address (a DVIPA it routes, or a home address), or
// whether the routing stack elsewhere protects it.
//
// Locking. A role has its own lock, so the packet path can ask a role-only
// question (which distributor, which endpoint, which router) without the
// stack's lock. Every change of a role happens with the stack's lock held
// too, taken first: the lock order is Stack.mu, then routingRole.mu, never
// the reverse. So a step that reads a role together with other stack
// fields (the late VIPA list check, VCRT, the settling check of the LAN
// path, the takeover decision) holds the stack's lock and sees every role
// as one consistent picture, as it did when the roles were maps under the
// stack's lock.
type routingRole struct {
	mu sync.Mutex
	// dist is the distributor while this stack routes the address.
	dist *distributor.Distributor
	// router is the stack the address's traffic comes from: this one
	// while it routes it, else the sender of the last VIPA list.
	router string
	// activatedAt is when this stack became the routing stack; for a
	// settle time after it, packets of connections nobody has reported
	// yet are held back rather than reset, while NEWCONN messages arrive.
	activatedAt time.Time
	// moving: another stack took the DVIPA over while this one still
	// serves connections to it.
	moving bool
	// sec is this stack's IPsec endpoint for the address; protected marks
	// a DVIPA whose routing stack (another one) protects it, so replies
	// go back to it.
	sec       *dvipaSec
	protected bool
	// idleFrom is the holder elsewhere of a MOVEABLE WHENIDLE DVIPA this
	// stack owns that announced it has no connections to it left
	// (msgIdle): the owner may take it back from that stack.
	idleFrom string
	// idleCheck: this stack holds a WHENIDLE DVIPA its owner wants back
	// and a look at whether its connections ended is scheduled.
	idleCheck bool
	// handingTo is the owner this stack handed a WHENIDLE DVIPA back to
	// (msgIdle) until the owner's VIPA list confirms it took it.
	handingTo string
	// quiescing: the timeline has said that this stack keeps a WHENIDLE
	// DVIPA its owner wants back until its connections end.
	quiescing bool
}

// roles holds a stack's routing roles keyed by address. A role, once made,
// stays for the stack's life; a restart resets it (resetAll).
type roles struct{ m sync.Map }

// get returns the role of a, making it (stack lock held: only writers make roles).
func (rs *roles) get(a netip.Addr) *routingRole {
	if r, ok := rs.m.Load(a); ok {
		return r.(*routingRole)
	}
	r, _ := rs.m.LoadOrStore(a, &routingRole{})
	return r.(*routingRole)
}

// lookup returns the role of a, or nil when this stack never had one: the
// packet path asks about every destination and must not make roles.
func (rs *roles) lookup(a netip.Addr) *routingRole {
	if r, ok := rs.m.Load(a); ok {
		return r.(*routingRole)
	}
	return nil
}

// each calls f for every role (stack lock held).
func (rs *roles) each(f func(a netip.Addr, r *routingRole)) {
	rs.m.Range(func(k, v any) bool {
		f(k.(netip.Addr), v.(*routingRole))
		return true
	})
}

// resetAll forgets every role: a stack started afresh routes, serves and
// protects nothing (stack lock held).
func (rs *roles) resetAll() {
	rs.each(func(_ netip.Addr, r *routingRole) {
		r.mu.Lock()
		r.dist, r.router, r.activatedAt = nil, "", time.Time{}
		r.moving, r.sec, r.protected = false, nil, false
		r.idleFrom, r.idleCheck, r.handingTo, r.quiescing = "", false, "", false
		r.mu.Unlock()
	})
}

// distributor returns the distributor while this stack routes the
// address, or nil. It is safe on a nil role.
func (r *routingRole) distributor() *distributor.Distributor {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dist
}

// routerOf returns the stack that routes the address, "" when unknown.
func (r *routingRole) routerOf() string {
	if r == nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.router
}

// activate makes self the routing stack with dist, from now. A takeover
// by a bind (VIPARANGE) also ends Moving: the connections come back here.
func (r *routingRole) activate(dist *distributor.Distributor, self string, now time.Time, endMoving bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dist, r.router, r.activatedAt = dist, self, now
	r.idleFrom, r.handingTo = "", ""
	if endMoving {
		r.moving = false
	}
}

// giveUp stops routing the address and returns the distributor this stack
// had, or nil; to, when known, routes it now.
func (r *routingRole) giveUp(to string) *distributor.Distributor {
	r.mu.Lock()
	defer r.mu.Unlock()
	dist := r.dist
	r.dist = nil
	if to != "" {
		r.router = to
	}
	return dist
}

// forget stops routing the address and forgets who routes it, when this
// stack is the router (the last bind of a VIPARANGE DVIPA closed); it
// reports whether it did.
func (r *routingRole) forget(self string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.router != self {
		return false
	}
	r.dist, r.router = nil, ""
	return true
}

// heardVIPAList records a VIPA list: from routes the address, protected
// or not. A list that comes while this stack routes the address was sent
// before this stack took it (back) and is ignored; it reports whether it
// took the list.
func (r *routingRole) heardVIPAList(from string, protected bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handingTo == from {
		r.handingTo = "" // the owner took the DVIPA back
	}
	if r.dist != nil {
		return false
	}
	r.router, r.protected = from, protected
	if r.idleFrom == from {
		r.idleFrom = "" // it routes the DVIPA afresh: busy until it says otherwise
	}
	return true
}

// heardIdle records that from, the holder of the address, has no
// connections to it left (msgIdle). A notice that comes while this stack
// routes the address is stale and ignored.
func (r *routingRole) heardIdle(from string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dist == nil {
		r.idleFrom = from
	}
}

// idleHolder returns the holder that announced it is idle, or "". It is
// safe on a nil role.
func (r *routingRole) idleHolder() string {
	if r == nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.idleFrom
}

// armIdleCheck marks a look at idleness as scheduled; it reports false
// when one already is.
func (r *routingRole) armIdleCheck() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.idleCheck {
		return false
	}
	r.idleCheck = true
	return true
}

// handOver records that this stack handed the address back to owner
// (msgIdle) and waits for its VIPA list.
func (r *routingRole) handOver(owner string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handingTo = owner
}

// handingOver returns the owner this stack handed the address back to
// and has not heard from yet, or "".
func (r *routingRole) handingOver() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handingTo
}

// setQuiescing records whether this stack quiesces the address now; it
// reports whether that is news (the timeline says it once).
func (r *routingRole) setQuiescing(on bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	news := on && !r.quiescing
	r.quiescing = on
	return news
}

// idleChecked clears the mark when the scheduled look happens.
func (r *routingRole) idleChecked() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.idleCheck = false
}

// settling reports whether the address became routed here less than
// grace before now.
func (r *routingRole) settling(now time.Time, grace time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return now.Before(r.activatedAt.Add(grace))
}

// setMoving marks (or unmarks) the connections kept here as Moving.
func (r *routingRole) setMoving(moving bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.moving = moving
}

// isMoving reports the Moving mark. It is safe on a nil role.
func (r *routingRole) isMoving() bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.moving
}

// setSec records the IPsec endpoint this stack runs for the address.
func (r *routingRole) setSec(sec *dvipaSec) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sec = sec
}

// takeSec removes the endpoint and returns it, for closing.
func (r *routingRole) takeSec() *dvipaSec {
	r.mu.Lock()
	defer r.mu.Unlock()
	sec := r.sec
	r.sec = nil
	return sec
}

// endpoint returns the IPsec endpoint, or nil. It is safe on a nil role.
func (r *routingRole) endpoint() *dvipaSec {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sec
}

// outbound says, in one look at the role, what a packet from the address
// needs: this stack's endpoint, or the routing stack elsewhere that
// protects it, or neither. It is safe on a nil role.
func (r *routingRole) outbound(self string) (*dvipaSec, string) {
	if r == nil {
		return nil, ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sec != nil {
		return r.sec, ""
	}
	if r.router != "" && r.router != self && r.protected {
		return nil, r.router
	}
	return nil, ""
}
