package sysplex

import (
	"encoding/json"
	"net/netip"

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
	// old owner keeps its connections (Moving) and reports them.
	msgRangeMove
	// msgConnsDone: the target has sent every NEWCONN it has for the
	// DVIPA; restored entries of it that it did not confirm are gone.
	msgConnsDone
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
