package plan

import "net/netip"

// Version names the plan format; it changes when a field changes meaning
// or disappears, never for a field added.
const Version = "tcpipc.plan/v1"

// Redacted stands in for a pre-shared key in a plan compiled without
// secrets.
const Redacted = "<redacted>"

// Plan is the compiled sysplex: everything the runtime needs, resolved and
// in a fixed order. It is plain data (no pointers into the model), so the
// runtime and plan files need nothing but this package.
type Plan struct {
	Version string `json:"version"`
	Sysplex string `json:"sysplex"`
	// VTAMXCFGrpID is VTAM's XCFGRPID start option (nil when not set).
	VTAMXCFGrpID *int `json:"vtamXcfGrpId,omitempty"`
	// Groups lists each XCF group the stacks join, with its coupling
	// facility structure names, in the order stacks first name them.
	Groups []Group `json:"groups"`
	// CFRM is the list of CF structures the manifest says the CFRM policy
	// defines (nil: not given).
	CFRM []string `json:"cfrm,omitempty"`
	// Secrets is "redacted" or "included": whether pre-shared keys are in
	// the plan.
	Secrets string  `json:"secrets"`
	Stacks  []Stack `json:"stacks"`
	DVIPAs  []DVIPA `json:"dvipas"`
}

// Group is one TCP/IP XCF group and its structures.
type Group struct {
	XCFGroup              string   `json:"xcfGroup"`
	SWSAStructure         string   `json:"swsaStructure"`
	SysplexPortsStructure string   `json:"sysplexPortsStructure"`
	Stacks                []string `json:"stacks"`
}

// Stack is one TCP/IP stack of the plan.
type Stack struct {
	Name    string `json:"name"`
	Job     string `json:"job"`
	Release string `json:"release,omitempty"` // VnRm, "" when unknown
	// XCFGroup is the group the stack joins (see Plan.Groups).
	XCFGroup    string      `json:"xcfGroup"`
	XCF         []Interface `json:"xcf"`
	Home        []Home      `json:"home"`
	IPSecurity  bool        `json:"ipsecurity"`
	IPSecurity6 bool        `json:"ipsecurity6"`
	DVIPSec     bool        `json:"dvipsec"`
	DVLocalFltr bool        `json:"dvlocalfltr"`
	// IKED is true when the image runs the IKE daemon (iked.conf given).
	IKED       bool        `json:"iked"`
	VIPARanges []VIPARange `json:"vipaRanges"`
	VIPARoutes []VIPARoute `json:"vipaRoutes"`
	SPD        SPD         `json:"spd"`
	IKE        IKE         `json:"ike"`
	// KeyRing is the key ring IKED authenticates with certificates from
	// (nil: none mapped in the manifest).
	KeyRing *KeyRing `json:"keyRing,omitempty"`
}

// KeyRing is a stack's RACF key ring as the manifest maps it to PEM files:
// file references and a fingerprint, never key material.
type KeyRing struct {
	Name string `json:"name"` // IkeConfig KeyRing, USERID/RING
	// Cert, Key and CA are the files as the manifest names them, relative
	// to the sysplex directory (the plan's): never absolute, no "..".
	Cert string `json:"cert"`
	Key  string `json:"key"`
	CA   string `json:"ca"`
	// Fingerprint is the SHA-256 of the stack's certificate, in hex;
	// CAFingerprint that of the CA bundle file. The runtime refuses
	// files that changed since compile (lint) saw them.
	Fingerprint   string `json:"fingerprint"`
	CAFingerprint string `json:"caFingerprint"`
	// Identities are those the certificate carries, in policy notation:
	// "X500DN CN=…", "FQDN …", "USERFQDN …", "IPADDR …".
	Identities []string `json:"identities"`
	// Dir is the sysplex directory the files are relative to; compile
	// sets it, a plan read from a file leaves it "" (the working
	// directory).
	Dir string `json:"-"`
}

// Interface is a dynamic XCF address.
type Interface struct {
	Addr      netip.Addr `json:"addr"`
	PrefixLen int        `json:"prefixLen"`
}

// Home is a HOME address and its link.
type Home struct {
	Addr netip.Addr `json:"addr"`
	Link string     `json:"link"`
}

// VIPARange is a VIPARANGE: addresses applications may make DVIPAs of.
type VIPARange struct {
	Prefix   netip.Prefix  `json:"prefix"`
	Moveable RangeMoveable `json:"moveable"`
}

// VIPARoute is a VIPAROUTE: the route to a target's XCF address.
type VIPARoute struct {
	DestXCF string     `json:"destXcf"` // address or DEFAULT
	Target  netip.Addr `json:"target"`
}

// SPD is the security policy database a stack installs: its simple
// filters in search order, ending with the implicit deny-all rule.
type SPD struct {
	// From is "none" (no IPCONFIG IPSECURITY: no filtering), "profile"
	// (the IPSEC block's rules) or "policy" (Policy Agent's rules).
	From string `json:"from"`
	// Note says why the stack uses what it uses, when that is not obvious.
	Note       string      `json:"note,omitempty"`
	Logging    bool        `json:"logging"`
	Filters    []Filter    `json:"filters"`
	VPNActions []VPNAction `json:"vpnActions"`
}

// Filter is one simple filter: one direction, one address pair, one
// service. Local is the stack's side, Remote the other.
type Filter struct {
	Name string `json:"name"`
	// Extension numbers the simple filters one policy rule expands into.
	Extension   int       `json:"extension"`
	Direction   Direction `json:"direction"`
	Action      Action    `json:"action"`
	Local       string    `json:"local"` // "*", address, prefix or a-b range
	Remote      string    `json:"remote"`
	Protocol    int       `json:"protocol"` // -1: any
	LocalPorts  PortRange `json:"localPorts"`
	RemotePorts PortRange `json:"remotePorts"`
	// ICMPType and ICMPCode replace the ports for ICMP and ICMPv6 (nil:
	// any; {0, 0} is type or code 0 alone, as for echo reply).
	ICMPType *PortRange `json:"icmpType,omitempty"`
	ICMPCode *PortRange `json:"icmpCode,omitempty"`
	// OSPFType restricts an OSPF filter to one OSPF packet type (IPSEC
	// statement: PROTOCOL OSPF TYPE ospftype); nil: any.
	OSPFType *int    `json:"ospfType,omitempty"`
	Routing  Routing `json:"routing"`
	// Connect limits who may open a TCP connection (INBOUNDCONNECT,
	// OUTBOUNDCONNECT), "" when either side may.
	Connect  Connect `json:"connect,omitempty"`
	SecClass int     `json:"secClass"`
	Log      bool    `json:"log"`
	// VPNAction names the dynamic tunnel action of an IPSEC filter (see
	// SPD.VPNActions); ManualTunnel names a manual one.
	VPNAction    string `json:"vpnAction,omitempty"`
	ManualTunnel string `json:"manualTunnel,omitempty"`
	// Group and LocalStartAction name the policy rule's IpFilterGroup and
	// IpLocalStartAction ("" without).
	Group            string `json:"group,omitempty"`
	LocalStartAction string `json:"localStartAction,omitempty"`
	// Implicit marks the deny-all rule the stack adds at the end.
	Implicit bool `json:"implicit,omitempty"`
	// AnchorFor lists the DVIPAs whose traffic this filter decides: its
	// local selector covers them.
	AnchorFor []netip.Addr `json:"anchorFor,omitempty"`
	// Source is where the rule is written, file:line:col.
	Source string `json:"source,omitempty"`
}

// PortRange is an inclusive range; 0-65535 is any.
type PortRange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// AnyPort selects every port.
var AnyPort = PortRange{0, 65535}

// VPNAction is an IpDynVpnAction: how the stack negotiates child SAs.
type VPNAction struct {
	Name            string `json:"name"`
	Initiation      string `json:"initiation"` // EITHER, LOCALONLY, REMOTEONLY
	LifetimeSeconds int    `json:"lifetimeSeconds"`
	// PFS is the Diffie-Hellman transform for the child SAs' PFS, nil
	// without PFS.
	PFS       *Transform `json:"pfs,omitempty"`
	Proposals []Proposal `json:"proposals"`
	Refused   []Refused  `json:"refused,omitempty"`
}

// Proposal is an IKEv2 proposal (RFC 7296 §3.3): one protocol, one
// transform of each type.
type Proposal struct {
	Number     int         `json:"number"`
	Protocol   string      `json:"protocol"` // IKE, ESP or AH
	Mode       string      `json:"mode,omitempty"`
	Transforms []Transform `json:"transforms"`
	// LifetimeSeconds is the proposed lifetime (0: not coded).
	LifetimeSeconds int `json:"lifetimeSeconds"`
	// Offer names the z/OS offer the proposal comes from.
	Offer string `json:"offer,omitempty"`
}

// Transform is one IKEv2 transform (IANA "IKEv2 Parameters").
type Transform struct {
	Type      TransformType `json:"type"`
	ID        TransformID   `json:"id"`
	Name      string        `json:"name"`
	KeyLength int           `json:"keyLength,omitempty"`
}

// Refused is an offer the plan leaves out because it cannot be expressed
// as IKEv2 transforms or uses an algorithm tcpipc refuses.
type Refused struct {
	Offer  string `json:"offer"`
	Reason string `json:"reason"`
}

// IKE is a stack's IKE daemon configuration.
type IKE struct {
	// LivenessSeconds is KeyExchangePolicy LivenessInterval (0: none).
	LivenessSeconds int    `json:"livenessSeconds"`
	AllowNAT        bool   `json:"allowNat"`
	Peers           []Peer `json:"peers"`
}

// Peer is a KeyExchangeRule: a local and remote endpoint and how to
// negotiate the IKE SA between them.
type Peer struct {
	Rule     string   `json:"rule"`
	Version  string   `json:"version"`  // IKEv1 or IKEv2
	Initiate string   `json:"initiate"` // MAIN, AGGRESSIVE, IKEV2 or DONOT
	Auth     string   `json:"auth"`     // PRESHAREDKEY, DIGITALSIGNATURE, …
	Local    Identity `json:"local"`
	Remote   Identity `json:"remote"`
	// PSK is the pre-shared key: the value with --include-secrets,
	// "<redacted>" without, "" when the rule has none.
	PSK       string `json:"psk,omitempty"`
	PSKFormat string `json:"pskFormat,omitempty"`
	// PSKGroup numbers the distinct pre-shared keys of the plan (from 1,
	// 0 without a key): two rules with equal keys have the same number.
	// It lets SWSA and whatif see that an owner and a backup hold
	// different keys for a peer without the plan holding either key.
	PSKGroup int `json:"pskGroup,omitempty"`
	// CertPresents is set when the rule authenticates us by signature
	// and the stack's key ring certificate carries Local's identity, so
	// the stack can present the identity its peers expect.
	CertPresents bool `json:"certPresents,omitempty"`
	// ReauthSeconds is how often IKEv2 SAs with the peer are negotiated
	// afresh, both ends authenticated again (KeyExchangeAction
	// ReauthInterval); 0: never.
	ReauthSeconds int        `json:"reauthSeconds,omitempty"`
	Proposals     []Proposal `json:"proposals"`
	Refused       []Refused  `json:"refused,omitempty"`
}

// ProposedLifetime is the IKE SA lifetime, in seconds, the rule's offers
// propose: the first offer's that codes one (RefreshLifetimeProposed), 0
// when none does.
func (p *Peer) ProposedLifetime() int {
	for _, pr := range p.Proposals {
		if pr.LifetimeSeconds > 0 {
			return pr.LifetimeSeconds
		}
	}
	return 0
}

// Identity is a security endpoint: who it claims to be and where it is.
type Identity struct {
	Type      string   `json:"type,omitempty"` // IPADDR, FQDN, USERFQDN (UserAtFqdn), X500DN, KEYID (Value: the key ID bytes in hex)
	Value     string   `json:"value,omitempty"`
	Locations []string `json:"locations"`
}

// DVIPA is one dynamic VIPA: who owns it, who backs it up, where its
// connections go, and whether its SAs are sysplex-wide.
type DVIPA struct {
	Addr      netip.Addr `json:"addr"`
	PrefixLen int        `json:"prefixLen"`
	Mask      string     `json:"mask,omitempty"` // IPv4
	// IntfName is the interface name of an IPv6 DVIPA.
	IntfName string `json:"intfName,omitempty"`
	// Owner is the stack that holds the DVIPA at start ("" when no stack
	// can create it); Origin says how (VIPADEFINE or VIPABACKUP).
	Owner  string `json:"owner"`
	Origin string `json:"origin,omitempty"`
	// DefinedBy lists every stack with a VIPADEFINE, manifest order.
	DefinedBy []string `json:"definedBy"`
	Moveable  Moveable `json:"moveable"`
	// Backups is the takeover chain: highest rank first.
	Backups []Backup `json:"backups"`
	// Distributions holds every stack's VIPADISTRIBUTE for the DVIPA, in
	// manifest order; DistributedBy names the one in force at start.
	Distributions []Distribution `json:"distributions"`
	DistributedBy string         `json:"distributedBy,omitempty"`
	SWSA          SWSA           `json:"swsa"`
	// Notes explain choices IBM leaves open.
	Notes []string `json:"notes,omitempty"`
}

// Backup is one link of a backup chain.
type Backup struct {
	Position int    `json:"position"` // 1 takes over first
	Rank     int    `json:"rank"`
	Stack    string `json:"stack"`
	// CanCreate is true for the long form (MOVEABLE and a mask): the
	// backup can create the DVIPA when no owner ever did.
	CanCreate bool `json:"canCreate"`
}

// Distribution is one stack's VIPADISTRIBUTE for a DVIPA.
type Distribution struct {
	Stack string `json:"stack"`
	// Ports is empty when every port a server binds is distributed.
	Ports         []PortRange `json:"ports"`
	Method        Method      `json:"method"`
	OptLocal      *int        `json:"optLocal,omitempty"`
	SysplexPorts  bool        `json:"sysplexPorts"`
	TimedAffinity int         `json:"timedAffinity"`
	DestAll       bool        `json:"destAll"`
	// NoAutoSwitchBack (HOTSTANDBY): once a backup serves, stay with it
	// when the preferred target comes back.
	NoAutoSwitchBack bool `json:"noAutoSwitchBack,omitempty"`
	// NoHealthSwitch (HOTSTANDBY): NOHEALTHSWITCH, keep an active target
	// its health metrics find unhealthy. Shown, not acted on: tcpipc
	// models no health metrics.
	NoHealthSwitch bool     `json:"noHealthSwitch,omitempty"`
	Targets        []Target `json:"targets"`
}

// Target is a distribution target resolved to its stack.
type Target struct {
	Stack string     `json:"stack"` // "" when no stack has the address
	XCF   netip.Addr `json:"xcf"`
	// Weight is the WEIGHTEDACTIVE weight (nil when not coded).
	Weight *int `json:"weight,omitempty"`
	// Role is PREFERRED or BACKUP for HOTSTANDBY, else "".
	Role       string `json:"role,omitempty"`
	BackupRank *int   `json:"backupRank,omitempty"`
}

// SWSA says whether a DVIPA's SAs are sysplex-wide: recovered through the
// coupling facility when the DVIPA moves.
type SWSA struct {
	// Protected is true when an installed IPSEC filter on the owner
	// covers the DVIPA; only then do SAs exist to recover.
	Protected bool `json:"protected"`
	Eligible  bool `json:"eligible"`
	// IKEv2 is true when the owner negotiates the DVIPA's SAs with IKEv2.
	IKEv2 bool `json:"ikev2"`
	// Reasons lists every failed condition, per stack.
	Reasons []Reason `json:"reasons"`
}

// Reason is one failed SWSA condition on one stack.
type Reason struct {
	Stack string `json:"stack"`
	// Code is one of no-ipsec, no-ipsecurity, no-dvipsec, no-iked,
	// no-key-exchange-rule, anchor-mismatch, coarse-granularity,
	// manual-tunnel, no-offers, release, cf-structure, xcf-group.
	Code string `json:"code"`
	Text string `json:"text"`
}
