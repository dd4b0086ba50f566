package plan

// The plan's enumerations are typed strings: their JSON is the word
// itself (what plan.schema.json enumerates), and code that decides on
// them compares with the constants below instead of spelling the words
// again. Validate checks each against its list.

// Direction is the traffic a simple filter applies to, seen from its
// stack.
type Direction string

const (
	Inbound  Direction = "INBOUND"
	Outbound Direction = "OUTBOUND"
)

// Directions lists every Direction, in the schema's order.
var Directions = []Direction{Inbound, Outbound}

// Action is what a filter does with the packets it matches (RFC 4301
// §4.4.1 BYPASS, DISCARD, PROTECT).
type Action string

const (
	Permit Action = "PERMIT"
	Deny   Action = "DENY"
	IPsec  Action = "IPSEC"
)

// Actions lists every Action, in the schema's order.
var Actions = []Action{Permit, Deny, IPsec}

// Routing says whether a filter applies to traffic for the stack itself,
// traffic it routes, or both.
type Routing string

const (
	Local  Routing = "LOCAL"
	Routed Routing = "ROUTED"
	Either Routing = "EITHER"
)

// Routings lists every Routing, in the schema's order.
var Routings = []Routing{Local, Routed, Either}

// Connect limits which side may open a TCP connection through a filter;
// "" lets either. The plan keeps the word as the configuration spells it:
// Policy Agent's IpService Direction writes InboundConnect, the profile's
// IPSECRULE writes INBCONNECT.
type Connect string

// Inbound reports whether only the remote side may connect.
func (c Connect) Inbound() bool { return c == "INBOUNDCONNECT" || c == "INBCONNECT" }

// Outbound reports whether only the stack's side may connect.
func (c Connect) Outbound() bool { return c == "OUTBOUNDCONNECT" || c == "OUTBCONNECT" }

// Method is a VIPADISTRIBUTE DISTMETHOD.
type Method string

const (
	BaseWLM        Method = "BASEWLM"
	RoundRobin     Method = "ROUNDROBIN"
	ServerWLM      Method = "SERVERWLM"
	WeightedActive Method = "WEIGHTEDACTIVE"
	HotStandby     Method = "HOTSTANDBY"
	// TargControlled is the TIER1 distributor's method (the targets'
	// own weights decide); the runtime weighs like BASEWLM.
	TargControlled Method = "TARGCONTROLLED"
)

// DefaultWeight is a WEIGHTEDACTIVE target's weight when DESTIP gives it
// none (IP Configuration Reference, VIPADISTRIBUTE: WEIGHT defaults to 10).
const DefaultWeight = 10

// Methods lists every Method, in the schema's order.
var Methods = []Method{BaseWLM, RoundRobin, ServerWLM, WeightedActive, HotStandby, TargControlled}

// Moveable is a DVIPA's MOVEABLE option: what its owner does when it
// comes back while a backup holds the DVIPA.
type Moveable string

const (
	Immediate Moveable = "IMMEDIATE"
	WhenIdle  Moveable = "WHENIDLE"
)

// Moveables lists every Moveable, in the schema's order.
var Moveables = []Moveable{Immediate, WhenIdle}

// RangeMoveable is a VIPARANGE's MOVEABLE option.
type RangeMoveable string

const (
	NonDisruptive RangeMoveable = "NONDISRUPTIVE"
	Disruptive    RangeMoveable = "DISRUPTIVE"
)

// RangeMoveables lists every RangeMoveable, in the schema's order.
var RangeMoveables = []RangeMoveable{NonDisruptive, Disruptive}

// words turns a list of enumeration values into strings.
func words[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
