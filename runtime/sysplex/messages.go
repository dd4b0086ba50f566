package sysplex

import (
	"encoding/json"
	"fmt"
	"net/netip"

	"github.com/tcpipc/tcpipc/runtime/distributor"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// The XCF messages the stacks exchange (seed 003 figures 10 to 15).
const (
	// msgVIPAList: the stack now routes a DVIPA (it owns it); candidate
	// targets answer with SRVSTAT and NEWCONN.
	msgVIPAList xcf.MessageType = iota + 1
	// msgSrvStat: a target has this many servers listening on DVIPA:port.
	msgSrvStat
	// msgNewConn: a connection to the DVIPA lives on this target; route
	// its packets here.
	msgNewConn
	// msgConnEnd: a connection to the DVIPA ended on this target.
	msgConnEnd
	// msgRangeMove: the sender took a VIPARANGE DVIPA over by a bind; the
	// old owner keeps its connections (Moving) and reports them. It goes
	// to every stack: those that keep the DVIPA Moving learn its holder.
	msgRangeMove
	// msgConnsDone: the target has sent every NEWCONN it has for the
	// DVIPA; restored entries of it that it did not confirm are gone.
	msgConnsDone
	// msgIdle: the sender holds a MOVEABLE WHENIDLE DVIPA for its owner,
	// has no connections to it left and hands it back (seed 003 figure
	// 15); the owner takes it back. It goes to every stack, and again
	// until the owner's VIPA list comes (takeover.go, handBack).
	msgIdle
	// msgRangeTakeover: the sender's servers bind a VIPARANGE DVIPA whose
	// holder failed or left the group, and it holds the DVIPA now
	// (viparangefail.go). It goes to every stack.
	msgRangeTakeover
)

type vipaList struct {
	DVIPA netip.Addr `json:"dvipa"`
	// IPSec: the routing stack protects the DVIPA; targets send their
	// replies back to it (seed 003 figure 11).
	IPSec bool `json:"ipsec,omitempty"`
}

type srvStat struct {
	DVIPA netip.Addr `json:"dvipa"`
	Port  uint16     `json:"port"`
	Ready int        `json:"ready"`
}

type newConn struct {
	DVIPA  netip.Addr     `json:"dvipa"`
	Client netip.AddrPort `json:"client"`
	Port   uint16         `json:"port"`
	// Target is the stack serving the connection.
	Target string `json:"target"`
	IPSec  bool   `json:"ipsec"`
}

type connEnd struct {
	DVIPA  netip.Addr     `json:"dvipa"`
	Client netip.AddrPort `json:"client"`
	Port   uint16         `json:"port"`
}

func encode(t xcf.MessageType, v any) xcf.Message {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the message structs always marshal
	}
	return xcf.Message{Type: t, Payload: b}
}

// handlers is the dispatch table of the XCF messages: what a stack does
// with each type, once its payload decoded. A payload that does not
// decode is dropped. (Set in init: the handlers lead back to receive.)
var handlers map[xcf.MessageType]func(s *Stack, from string, payload []byte)

func init() {
	handlers = map[xcf.MessageType]func(s *Stack, from string, payload []byte){
		msgVIPAList:      on(func(s *Stack, from string, v vipaList) { s.vipaListFrom(from, v) }),
		msgSrvStat:       on(func(s *Stack, from string, v srvStat) { s.srvStatFrom(from, v) }),
		msgNewConn:       on(func(s *Stack, _ string, v newConn) { s.newConnFrom(v) }),
		msgRangeMove:     on(func(s *Stack, from string, v vipaList) { s.rangeHeard(v.DVIPA, from, v.IPSec, false) }),
		msgConnsDone:     on(func(s *Stack, from string, v vipaList) { s.connsDoneFrom(from, v) }),
		msgConnEnd:       on(func(s *Stack, _ string, v connEnd) { s.connEndFrom(v) }),
		msgIdle:          on(func(s *Stack, from string, v vipaList) { s.idleFrom(from, v) }),
		msgRangeTakeover: on(func(s *Stack, from string, v vipaList) { s.rangeHeard(v.DVIPA, from, v.IPSec, true) }),
	}
}

// on decodes a payload as T (the one codec, JSON) before handling it.
func on[T any](handle func(s *Stack, from string, v T)) func(*Stack, string, []byte) {
	return func(s *Stack, from string, payload []byte) {
		var v T
		if json.Unmarshal(payload, &v) != nil {
			return
		}
		handle(s, from, v)
	}
}

// receive handles one XCF message.
func (s *Stack) receive(from string, msg xcf.Message) {
	if s.dropMsg != nil && s.dropMsg(from, msg) {
		return
	}
	if h := handlers[msg.Type]; h != nil {
		h(s, from, msg.Payload)
	}
}

// vipaListFrom: from routes the DVIPA now; this stack reports to it.
func (s *Stack) vipaListFrom(from string, v vipaList) {
	// A VIPA list sent before this stack took the DVIPA (back) arrives
	// late: it routes the DVIPA now, the sender does not.
	s.mu.Lock()
	heard := s.roles.get(v.DVIPA).heardVIPAList(from, v.IPSec)
	if heard {
		s.ownerTookBackLocked(v.DVIPA, from)
	}
	s.mu.Unlock()
	if heard {
		s.reportTo(v.DVIPA, from)
	}
}

// srvStatFrom: a target's servers, for the DPT of a DVIPA this stack routes.
func (s *Stack) srvStatFrom(from string, v srvStat) {
	if dist := s.distributor(v.DVIPA); dist != nil {
		dist.ServerStatus(from, v.Port, v.Ready)
	}
}

// newConnFrom: a connection a target serves, for the CRT.
func (s *Stack) newConnFrom(v newConn) {
	if dist := s.distributor(v.DVIPA); dist != nil {
		dist.Adopt(distributor.ConnKey{Client: v.Client, Port: v.Port}, v.Target, v.IPSec)
	}
}

// connsDoneFrom: the target reported every connection it has; restored
// entries of it that it did not confirm are gone.
func (s *Stack) connsDoneFrom(from string, v vipaList) {
	if dist := s.distributor(v.DVIPA); dist != nil {
		if gone := dist.DropRestoredOf(from); gone > 0 {
			s.sx.record(s.plan.Name, fmt.Sprintf("drops %d restored connections to %s that %s did not report", gone, v.DVIPA, from))
		}
	}
}

// connEndFrom: a connection ended on its target.
func (s *Stack) connEndFrom(v connEnd) {
	if dist := s.distributor(v.DVIPA); dist != nil {
		dist.Ended(distributor.ConnKey{Client: v.Client, Port: v.Port})
	}
}

// idleFrom: the holder of a WHENIDLE DVIPA is idle and hands it back to
// its owner; every stack decides again: the owner takes it back, the
// others learn that the holder has no connections left.
func (s *Stack) idleFrom(from string, v vipaList) {
	s.mu.Lock()
	s.roles.get(v.DVIPA).heardIdle(from)
	s.mu.Unlock()
	s.reevaluate()
}

// send delivers a message, to this stack itself when it is the router.
func (s *Stack) send(m *xcf.Member, to string, msg xcf.Message) {
	if to == s.plan.Name {
		s.receive(to, msg)
		return
	}
	if m != nil {
		_ = m.Send(to, msg)
	}
}
