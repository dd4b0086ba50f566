package scenario

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/plan"
)

// RuleScenario is the id of problems in a scenario file.
const RuleScenario = "SCENARIO"

// Scenario is a parsed scenario file.
type Scenario struct {
	Name string
	// Sysplex is the sysplex directory the scenario is written for,
	// relative to the scenario file ("" when not given); SysplexRange is
	// where the file names it.
	Sysplex      string
	SysplexRange diag.Range
	// XCF is the heartbeat interval (`heartbeat:`) and the number of
	// missed heartbeats that declare a member failed (`missed:`);
	// plan.ScenarioXCFTiming where the file gives none.
	XCF plan.XCFTiming
	// Duration is how long the run lasts after the last event.
	Duration     time.Duration
	Applications []*Application
	Clients      []*Client
	Timeline     []*Event
	Expect       []*Expectation
}

// Behaviour is what an application does with a connection.
type Behaviour string

// Application behaviours.
const (
	Echo   Behaviour = "echo"   // sends back every byte it receives
	Sink   Behaviour = "sink"   // reads and discards
	Source Behaviour = "source" // writes a known pattern until closed
)

// Application is a server bound to DVIPA:port on some stacks.
type Application struct {
	Name      string
	Stacks    []string
	Bind      netip.AddrPort
	Behaviour Behaviour
	Range     diag.Range
	// NameRange and StackRanges (one per stack) place diagnostics on the
	// value at fault.
	NameRange   diag.Range
	StackRanges []diag.Range
}

// Client is a group of connections from a remote client to DVIPA:port.
type Client struct {
	Name    string
	From    netip.Addr
	Connect netip.AddrPort
	// Hosts is how many client hosts run it, at consecutive addresses
	// from From (1 when not given); each opens Connections connections.
	Hosts int
	// Connections is how many connections it opens; Bytes how many bytes
	// each one sends (echo: and expects back); Interval the pause between
	// writes of Chunk bytes, which sets the rate.
	Connections int
	Bytes       int
	Chunk       int
	Interval    time.Duration
	// Check verifies every byte that comes back.
	Check bool
	// IPsec makes the client an IPsec peer of the DVIPA, configured from
	// the plan's key exchange rule for it (IKEv2 and ESP in UDP 4500).
	IPsec bool
	// PSK and ID, when set, replace the rule's pre-shared key and the
	// client's identity (an address or a host name), IKE and ESP its
	// offers (strongSwan proposal syntax): a scenario can play a peer the
	// policy does not accept.
	PSK, ID  string
	IKE, ESP string
	// Cert, Key and CA, when set, make the client authenticate with a
	// certificate (PEM files: its chain, its private key, the CAs it
	// trusts for the DVIPA's certificate), paths relative to the
	// scenario file. ID should then be an identity the certificate
	// carries.
	Cert, Key, CA string
	Range         diag.Range
	// NameRange, FromRange and ConnectRange place diagnostics on values.
	NameRange, FromRange, ConnectRange diag.Range
}

// EventKind is what happens at a point of the timeline.
type EventKind string

// Timeline events.
const (
	Fail       EventKind = "fail"       // the stack fails: its connections die
	Recover    EventKind = "recover"    // a failed stack comes back
	LeaveGroup EventKind = "leavegroup" // VARY TCPIP,,SYSPLEX,LEAVEGROUP
	JoinGroup  EventKind = "joingroup"  // VARY TCPIP,,SYSPLEX,JOINGROUP
	Deactivate EventKind = "deactivate" // VARY TCPIP,,SYSPLEX,DEACTIVATE,DVIPA=
	Reactivate EventKind = "reactivate" // VARY TCPIP,,SYSPLEX,REACTIVATE,DVIPA=
	Cut        EventKind = "cut"        // the dynamic XCF (IP) link between two stacks goes down
	Restore    EventKind = "restore"    // and comes back
	Partition  EventKind = "partition"  // the stack loses XCF signalling with peer; SFM removes it
	Stop       EventKind = "stop"       // an application stops on a stack
)

// Event is one timeline entry.
type Event struct {
	At    time.Duration
	Kind  EventKind
	Stack string
	// Peer is the other end of a cut or restored link, or the system a
	// partitioned one lost signalling with; DVIPA the address
	// of a deactivation; App the application that stops.
	Peer  string
	DVIPA netip.Addr
	App   string
	Range diag.Range
	// AtRange, StackRange, PeerRange, DVIPARange and AppRange place
	// diagnostics on values (zero when the key is absent).
	AtRange, StackRange, PeerRange, DVIPARange, AppRange diag.Range
}

// Expectation is one check of the run's outcome.
type Expectation struct {
	// Owner: at time At, DVIPA is owned by Stack.
	Owner *OwnerAt
	// MaxResets: at most this many connections were reset; MaxFailed: at
	// most this many failed without a reset (timed out, closed, corrupt);
	// MaxLost: at most this many were reset or failed.
	MaxResets, MaxFailed, MaxLost *int
	// Echoed: every byte every client sent came back intact.
	Echoed bool
	// Takeover: after the event at time After, DVIPA is owned by a new
	// stack within Within.
	Takeover *TakeoverWithin
	// Tunnels: every new holder of DVIPA during the run renegotiated at
	// least Recovered IPsec tunnels from the SWSA records, the last
	// within Within of taking the DVIPA.
	Tunnels *TunnelsRecovered
	Range   diag.Range
}

// OwnerAt expects an owner at a time.
type OwnerAt struct {
	At    time.Duration
	DVIPA netip.Addr
	Stack string
	// AtRange, DVIPARange and StackRange place diagnostics on values.
	AtRange, DVIPARange, StackRange diag.Range
}

// TakeoverWithin expects a takeover to complete in time.
type TakeoverWithin struct {
	DVIPA      netip.Addr
	Within     time.Duration
	DVIPARange diag.Range
}

// TunnelsRecovered expects the SAs of a DVIPA to follow it (Sysplex-Wide
// Security Associations).
type TunnelsRecovered struct {
	DVIPA      netip.Addr
	Recovered  int
	Within     time.Duration
	DVIPARange diag.Range
}

// HostAddr is the address of the client's i-th host (from 0).
func (c *Client) HostAddr(i int) netip.Addr {
	a := c.From
	for range i {
		a = a.Next()
	}
	return a
}

// MaxTime bounds every time and duration of a scenario: a run plays on a
// laptop, and a longer value is a typo (30h for 30s), not a plan.
const MaxTime = 24 * time.Hour

// End is when the run ends: the scenario's duration after the last event.
func (sc *Scenario) End() time.Duration {
	var last time.Duration
	for _, e := range sc.Timeline {
		last = max(last, e.At)
	}
	return last + sc.Duration
}

// orRange is r, or fallback when r was not recorded.
func orRange(r, fallback diag.Range) diag.Range {
	if r.IsZero() {
		return fallback
	}
	return r
}

// String names an event for timelines.
func (e *Event) String() string {
	switch e.Kind {
	case Deactivate, Reactivate:
		return fmt.Sprintf("%s %s on %s", e.Kind, e.DVIPA, e.Stack)
	case Cut, Restore:
		return fmt.Sprintf("%s XCF link %s-%s", e.Kind, e.Stack, e.Peer)
	case Partition:
		return fmt.Sprintf("partition %s (signalling with %s lost)", e.Stack, e.Peer)
	case Stop:
		return fmt.Sprintf("stop %s on %s", e.App, e.Stack)
	}
	return fmt.Sprintf("%s %s", e.Kind, e.Stack)
}
