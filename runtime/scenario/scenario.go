package scenario

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/internal/suggest"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
)

// RuleScenario is the id of problems in a scenario file.
const RuleScenario = "SCENARIO"

// Scenario is a parsed scenario file.
type Scenario struct {
	Name string
	// Sysplex is the sysplex directory the scenario is written for,
	// relative to the scenario file ("" when not given).
	Sysplex string
	// Heartbeat is the XCF heartbeat interval and Missed the number of
	// missed heartbeats that declare a member failed.
	Heartbeat time.Duration
	Missed    int
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
	Range    diag.Range
	// NameRange, FromRange and ConnectRange place diagnostics on values.
	NameRange, FromRange, ConnectRange diag.Range
}

// UsesIPsec reports whether a client of the scenario is an IPsec peer: the
// sysplex must then run its IPsec policy.
func (sc *Scenario) UsesIPsec() bool {
	for _, c := range sc.Clients {
		if c.IPsec {
			return true
		}
	}
	return false
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
	Range    diag.Range
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

var (
	topKeys    = []string{"name", "sysplex", "heartbeat", "missed", "duration", "applications", "clients", "timeline", "expect"}
	appKeys    = []string{"name", "stacks", "bind", "behaviour"}
	clientKeys = []string{"name", "from", "connect", "connections", "bytes", "chunk", "interval", "check", "ipsec"}
	ipsecKeys  = []string{"psk", "id", "ike", "esp"}
	eventKeys  = []string{"at", "fail", "recover", "leavegroup", "joingroup", "deactivate", "reactivate", "cut", "restore", "partition", "stop", "dvipa", "peer", "app"}
	expectKeys = []string{"owner", "resets", "failed", "lost", "echoed", "takeover"}
)

// Read parses a scenario file; problems come back as diagnostics with
// positions in the file.
func Read(path string) (*Scenario, *source.File, diag.Diagnostics) {
	var ds diag.Diagnostics
	name := filepath.ToSlash(path)
	data, err := os.ReadFile(path)
	if err != nil {
		ds.Errorf(RuleScenario, diag.Range{File: name}, "cannot read scenario: %v", err)
		return nil, nil, ds
	}
	sc, f, pds := Parse(name, data)
	return sc, f, append(ds, pds...)
}

// Parse parses scenario text.
func Parse(name string, data []byte) (*Scenario, *source.File, diag.Diagnostics) {
	var ds diag.Diagnostics
	f := source.New(name, data, source.UTF8)
	r := &reader{f: f, ds: &ds}
	sc := &Scenario{Heartbeat: time.Second, Missed: 3, Duration: 2 * time.Second}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 1
		if m := regexp.MustCompile(`line (\d+)`).FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		off := f.Offset(line, 1)
		ds.Errorf(RuleScenario, f.Range(off, off), "scenario is not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return sc, f, ds
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		ds.Errorf(RuleScenario, f.Range(0, 0), "a scenario is a mapping with name, applications, clients, timeline and expect")
		return sc, f, ds
	}
	r.mapping(doc.Content[0], topKeys, "scenario", func(key string, v *yaml.Node) {
		switch key {
		case "name":
			sc.Name = r.str(v)
		case "sysplex":
			sc.Sysplex = r.str(v)
		case "heartbeat":
			sc.Heartbeat = r.heartbeat(v)
		case "missed":
			sc.Missed = r.positive(v)
		case "duration":
			sc.Duration = r.duration(v)
		case "applications":
			r.list(v, func(n *yaml.Node) { sc.Applications = append(sc.Applications, r.application(n)) })
		case "clients":
			r.list(v, func(n *yaml.Node) { sc.Clients = append(sc.Clients, r.client(n)) })
		case "timeline":
			r.list(v, func(n *yaml.Node) { sc.Timeline = append(sc.Timeline, r.event(n)) })
		case "expect":
			r.list(v, func(n *yaml.Node) { sc.Expect = append(sc.Expect, r.expectation(n)) })
		}
	})
	r.crossCheck(sc)
	return sc, f, ds
}

type reader struct {
	f  *source.File
	ds *diag.Diagnostics
}

func (r *reader) rng(n *yaml.Node) diag.Range {
	start := r.f.Offset(n.Line, n.Column)
	end := start
	if n.Kind == yaml.ScalarNode {
		end = min(start+len(n.Value), len(r.f.Text))
	}
	return r.f.Range(start, end)
}

func (r *reader) errorf(n *yaml.Node, format string, args ...any) *diag.Diagnostic {
	return r.ds.Errorf(RuleScenario, r.rng(n), format, args...)
}

func (r *reader) mapping(n *yaml.Node, allowed []string, where string, fn func(key string, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		r.errorf(n, "%s must be a mapping", where)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		known := false
		for _, a := range allowed {
			known = known || a == k.Value
		}
		switch {
		case !known:
			d := r.errorf(k, "unknown key %q in %s", k.Value, where)
			d.Detail = "Known keys: " + strings.Join(allowed, ", ") + "."
			if s := suggest.Closest(k.Value, allowed, nil); s != "" {
				d.Detail = "Did you mean " + s + "? " + d.Detail
			}
		case seen[k.Value]:
			r.errorf(k, "key %q is given twice in %s", k.Value, where)
		default:
			seen[k.Value] = true
			fn(k.Value, v)
		}
	}
}

func (r *reader) list(n *yaml.Node, fn func(*yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		r.errorf(n, "expected a list")
		return
	}
	for _, c := range n.Content {
		fn(c)
	}
}

func (r *reader) str(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		r.errorf(n, "expected a single value")
		return ""
	}
	return n.Value
}

// strs reads one name or a list of names, upper case, with their ranges.
func (r *reader) strs(n *yaml.Node) ([]string, []diag.Range) {
	if n.Kind == yaml.ScalarNode {
		return []string{strings.ToUpper(n.Value)}, []diag.Range{r.rng(n)}
	}
	var out []string
	var rs []diag.Range
	r.list(n, func(c *yaml.Node) {
		out, rs = append(out, strings.ToUpper(r.str(c))), append(rs, r.rng(c))
	})
	return out, rs
}

// MaxTime bounds every time and duration of a scenario: a run plays on a
// laptop, and a longer value is a typo (30h for 30s), not a plan.
const MaxTime = 24 * time.Hour

func (r *reader) duration(n *yaml.Node) time.Duration {
	d, err := time.ParseDuration(r.str(n))
	switch {
	case err != nil || d < 0:
		r.errorf(n, "%q is not a duration (for example 500ms, 2s, 1m)", n.Value)
		return 0
	case d > MaxTime:
		r.errorf(n, "%s is longer than 24h, the longest a scenario may run", d)
		return 0
	}
	return d
}

func (r *reader) positive(n *yaml.Node) int {
	v, err := strconv.Atoi(r.str(n))
	if err != nil || v <= 0 {
		r.errorf(n, "%q is not a positive number", n.Value)
		return 0
	}
	return v
}

func (r *reader) nonNegative(n *yaml.Node) int {
	v, err := strconv.Atoi(r.str(n))
	if err != nil || v < 0 {
		r.errorf(n, "%q is not a number", n.Value)
		return 0
	}
	return v
}

func (r *reader) boolean(n *yaml.Node) bool {
	switch strings.ToLower(r.str(n)) {
	case "true", "yes":
		return true
	case "false", "no":
		return false
	}
	r.errorf(n, "%q is not true or false", n.Value)
	return false
}

func (r *reader) addr(n *yaml.Node) netip.Addr {
	a, err := netip.ParseAddr(r.str(n))
	if err != nil {
		r.errorf(n, "%q is not an IP address", n.Value)
	}
	return a
}

func (r *reader) addrPort(n *yaml.Node) netip.AddrPort {
	ap, err := netip.ParseAddrPort(r.str(n))
	if err != nil {
		r.errorf(n, "%q is not address:port (for example 201.2.10.11:60)", n.Value)
	}
	return ap
}

func (r *reader) application(n *yaml.Node) *Application {
	a := &Application{Behaviour: Echo, Range: r.rng(n)}
	r.mapping(n, appKeys, "application", func(key string, v *yaml.Node) {
		switch key {
		case "name":
			a.Name, a.NameRange = r.str(v), r.rng(v)
		case "stacks":
			a.Stacks, a.StackRanges = r.strs(v)
		case "bind":
			a.Bind = r.addrPort(v)
		case "behaviour":
			a.Behaviour = Behaviour(strings.ToLower(r.str(v)))
			if a.Behaviour != Echo && a.Behaviour != Sink && a.Behaviour != Source {
				r.errorf(v, "behaviour %q is not echo, sink or source", v.Value)
			}
		}
	})
	if a.Name == "" || len(a.Stacks) == 0 || !a.Bind.IsValid() {
		r.ds.Errorf(RuleScenario, a.Range, "an application needs name, stacks and bind")
	}
	return a
}

func (r *reader) client(n *yaml.Node) *Client {
	c := &Client{Connections: 1, Bytes: 1024, Chunk: 512, Check: true, Range: r.rng(n)}
	r.mapping(n, clientKeys, "client", func(key string, v *yaml.Node) {
		switch key {
		case "name":
			c.Name, c.NameRange = r.str(v), r.rng(v)
		case "from":
			c.From, c.FromRange = r.addr(v), r.rng(v)
		case "connect":
			c.Connect, c.ConnectRange = r.addrPort(v), r.rng(v)
		case "connections":
			c.Connections = r.positive(v)
		case "bytes":
			c.Bytes = r.nonNegative(v)
		case "chunk":
			c.Chunk = r.positive(v)
		case "interval":
			c.Interval = r.duration(v)
		case "check":
			c.Check = r.boolean(v)
		case "ipsec":
			if v.Kind == yaml.MappingNode {
				c.IPsec = true
				r.mapping(v, ipsecKeys, "ipsec", func(key string, v *yaml.Node) {
					switch key {
					case "psk":
						c.PSK = r.str(v)
					case "id":
						c.ID = r.str(v)
					case "ike", "esp":
						text := r.str(v)
						if _, err := ipsec.ParseProposal(text, key == "ike"); err != nil {
							r.errorf(v, "%v", err)
						}
						if key == "ike" {
							c.IKE = text
						} else {
							c.ESP = text
						}
					}
				})
				break
			}
			c.IPsec = r.boolean(v)
		}
	})
	if c.Name == "" || !c.From.IsValid() || !c.Connect.IsValid() {
		r.ds.Errorf(RuleScenario, c.Range, "a client needs name, from and connect")
	}
	return c
}

func (r *reader) event(n *yaml.Node) *Event {
	e := &Event{Range: r.rng(n)}
	kinds := 0
	r.mapping(n, eventKeys, "timeline event", func(key string, v *yaml.Node) {
		switch key {
		case "at":
			e.At, e.AtRange = r.duration(v), r.rng(v)
		case "dvipa":
			e.DVIPA, e.DVIPARange = r.addr(v), r.rng(v)
		case "peer":
			e.Peer, e.PeerRange = strings.ToUpper(r.str(v)), r.rng(v)
		case "app":
			e.App, e.AppRange = r.str(v), r.rng(v)
		default:
			kinds++
			e.Kind, e.Stack, e.StackRange = EventKind(key), strings.ToUpper(r.str(v)), r.rng(v)
		}
	})
	switch {
	case kinds != 1:
		r.ds.Errorf(RuleScenario, e.Range, "a timeline event names exactly one of fail, recover, leavegroup, joingroup, deactivate, reactivate, cut, restore, partition, stop")
	case (e.Kind == Deactivate || e.Kind == Reactivate) && !e.DVIPA.IsValid():
		r.ds.Errorf(RuleScenario, e.Range, "%s needs the dvipa", e.Kind)
	case (e.Kind == Cut || e.Kind == Restore) && e.Peer == "":
		r.ds.Errorf(RuleScenario, e.Range, "%s needs the peer stack at the other end of the link", e.Kind)
	case e.Kind == Partition && e.Peer == "":
		r.ds.Errorf(RuleScenario, e.Range, "partition needs the peer stack the partitioned one lost signalling with")
	case e.Kind == Stop && e.App == "":
		r.ds.Errorf(RuleScenario, e.Range, "stop needs the app")
	}
	return e
}

func (r *reader) expectation(n *yaml.Node) *Expectation {
	x := &Expectation{Range: r.rng(n)}
	if n.Kind == yaml.MappingNode && len(n.Content) != 2 {
		// Each entry is one check; a second key would go unchecked.
		r.errorf(n, "an expectation names exactly one of %s", strings.Join(expectKeys, ", "))
	}
	r.mapping(n, expectKeys, "expectation", func(key string, v *yaml.Node) {
		switch key {
		case "owner":
			o := &OwnerAt{}
			r.mapping(v, []string{"at", "dvipa", "stack"}, "owner", func(k string, v *yaml.Node) {
				switch k {
				case "at":
					o.At, o.AtRange = r.duration(v), r.rng(v)
				case "dvipa":
					o.DVIPA, o.DVIPARange = r.addr(v), r.rng(v)
				case "stack":
					o.Stack, o.StackRange = strings.ToUpper(r.str(v)), r.rng(v)
				}
			})
			x.Owner = o
		case "resets":
			m := r.nonNegative(v)
			x.MaxResets = &m
		case "failed":
			m := r.nonNegative(v)
			x.MaxFailed = &m
		case "lost":
			m := r.nonNegative(v)
			x.MaxLost = &m
		case "echoed":
			x.Echoed = r.boolean(v)
		case "takeover":
			t := &TakeoverWithin{}
			r.mapping(v, []string{"dvipa", "within"}, "takeover", func(k string, v *yaml.Node) {
				if k == "dvipa" {
					t.DVIPA, t.DVIPARange = r.addr(v), r.rng(v)
				} else {
					t.Within = r.duration(v)
				}
			})
			x.Takeover = t
		}
	})
	return x
}

// crossCheck reports what is wrong between the parts of a scenario, with
// no sysplex needed: names given twice, references to applications that do
// not exist, client addresses the LAN cannot carry, a timeline out of
// order and expectations after the run ends. CheckPlan checks the rest
// against the plan.
func (r *reader) crossCheck(sc *Scenario) {
	apps := map[string]bool{}
	for _, a := range sc.Applications {
		if apps[a.Name] && a.Name != "" {
			r.ds.Errorf(RuleScenario, orRange(a.NameRange, a.Range), "application %s is defined twice", a.Name)
		}
		apps[a.Name] = true
	}
	for _, e := range sc.Timeline {
		if e.Kind == Stop && e.App != "" && !apps[e.App] {
			r.ds.Errorf(RuleScenario, orRange(e.AppRange, e.Range), "stop names application %q, which the scenario does not define", e.App)
		}
	}
	r.checkClients(sc.Clients)
	r.checkOrder(sc.Timeline)
	end := sc.End()
	for _, x := range sc.Expect {
		if x.Owner != nil && x.Owner.At > end {
			r.ds.Errorf(RuleScenario, orRange(x.Owner.AtRange, x.Range), "%s is after the run ends at %s (the last event plus duration)", x.Owner.At, end)
		}
	}
}

// checkClients reports client names and addresses given twice, and
// addresses a client on the LAN cannot have: the LAN carries IPv4, and a
// client is one unicast host.
func (r *reader) checkClients(cs []*Client) {
	names := map[string]bool{}
	addrs := map[netip.Addr]string{}
	for _, c := range cs {
		if names[c.Name] && c.Name != "" {
			r.ds.Errorf(RuleScenario, orRange(c.NameRange, c.Range), "client %s is defined twice", c.Name)
		}
		names[c.Name] = true
		if a := c.From; a.IsValid() {
			switch {
			case !a.Is4():
				r.ds.Errorf(RuleScenario, orRange(c.FromRange, c.Range), "from %s: the LAN is IPv4, so a client's address is an IPv4 address", a)
			case !a.IsGlobalUnicast() && !a.IsPrivate():
				r.ds.Errorf(RuleScenario, orRange(c.FromRange, c.Range), "from %s is not a unicast address a host can have", a)
			case addrs[a] != "":
				r.ds.Errorf(RuleScenario, orRange(c.FromRange, c.Range), "from %s is also the address of client %s", a, addrs[a])
			default:
				addrs[a] = c.Name
			}
		}
		if a := c.Connect.Addr(); a.IsValid() && !a.Is4() {
			r.ds.Errorf(RuleScenario, orRange(c.ConnectRange, c.Range), "connect %s: the LAN is IPv4, so a client connects to an IPv4 DVIPA", c.Connect)
		}
	}
}

// checkOrder reports an event listed before an earlier one: the run plays
// events in time order, so a timeline written otherwise does not read as
// it runs.
func (r *reader) checkOrder(es []*Event) {
	var latest time.Duration
	for _, e := range es {
		if e.At < latest {
			r.ds.Errorf(RuleScenario, orRange(e.AtRange, e.Range), "the timeline goes back in time: %s after %s; list events in the order they happen", e.At, latest)
		}
		latest = max(latest, e.At)
	}
}

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
