package profile

import (
	"github.com/tcpipc/tcpipc/diag"
)

// Node is what every syntax node records: where its tokens are in the
// parse's stream, [first, end) (its position is its first token's), which
// Profile.RangeOf and Profile.Text read. It is kept this small on purpose:
// a large profile has millions of nodes. (participle fills twins of the
// nodes, which hold its tokens, and the driver copies them; twins.go is
// generated from this file: after a grammar change, run
// TCPIPC_UPDATE=1 go test ./grammar/profile/ -run TestTwinsGenerated.)
type Node struct {
	first, end uint32
}

// Len is the number of tokens of the node.
func (n *Node) Len() int { return int(n.end - n.first) }

// Sub is a node of the node's tokens [i, j), such as one operand of a
// statement.
func (n *Node) Sub(i, j int) Node {
	if i < 0 || i > j || j > n.Len() {
		panic("profile: Node.Sub out of range")
	}
	return Node{first: n.first + uint32(i), end: n.first + uint32(j)}
}

// Meta is what the driver records for every statement.
type Meta struct {
	// Keyword is the statement keyword in full form (VIPADEFINE).
	Keyword string
	// Range covers the statement from its keyword to its last operand.
	Range diag.Range
	// IncludedFrom is the INCLUDE chain, innermost first.
	IncludedFrom []diag.Range
	// Comments are the ';' comments on the lines before the statement
	// (up to the previous statement) and at the end of its lines.
	Comments []string
	// Ignored says why the stack ignores the statement ("" when it
	// doesn't): inside a block after a syntax error, swallowed by an
	// unterminated block, a second IPSEC block, …
	Ignored string
}

// Statement is any profile statement.
type Statement interface {
	Info() *Meta
}

// Info returns the statement's metadata.
func (m *Meta) Info() *Meta { return m }

// ---------------------------------------------------------------------------
// Shared operands.

// Addr is one address operand: IPv4 or IPv6, possibly holding a system
// symbol. Addr, Name, Operand and Option are leaves parsed by hand (see
// leaves.go): they are the most frequent nodes, and a hand-written match
// avoids participle's backtracking bookkeeping for every operand.
type Addr struct {
	Node
	Text string
}

// Name is a user-chosen name: link, device, job, procedure, interface.
type Name struct {
	Node
	Text string
}

// Operand is one operand of a statement tcpipc keeps without modelling.
type Operand struct {
	Node
	Text string
}

// Option is a keyword option with its non-keyword values, as kept for
// options tcpipc does not model individually (IPCONFIG ARPTO 1200).
type Option struct {
	Node
	Name   string
	Values []string
}

// Moveable is MOVEABLE followed by its mode.
type Moveable struct {
	Node
	Mode string `parser:"'MOVEABLE' @('IMMEDIATE' | 'WHENIDLE' | 'NONDISRUPTIVE' | 'DISRUPTIVE')"`
}

// ---------------------------------------------------------------------------
// INCLUDE

// Include is INCLUDE dsname(member). The driver reads the member and
// splices its statements in after this one.
type Include struct {
	Node
	Meta
	DSN string `parser:"'INCLUDE' @(Word | Symbolic)"`
}

// ---------------------------------------------------------------------------
// IPSEC … ENDIPSEC

// IPSec is the IPSEC block: its header options and its rules.
type IPSec struct {
	Node
	Meta
	Options []*KeywordOption `parser:"'IPSEC' @@*"`
	Rules   []*IPSecRule
	End     *End
}

// KeywordOption is a keyword that is an option on its own.
type KeywordOption struct {
	Node
	Value string `parser:"@('DVIPSEC' | 'DVLOCALFLTR' | 'LOGDISABLE' | 'LOGENABLE' | 'NOLOGIMPLICIT' | 'LOGIMPLICIT')"`
}

// IPSecRule is an IPSECRULE or IPSEC6RULE default filter rule.
type IPSecRule struct {
	Node
	Meta
	V6        bool           `parser:"( 'IPSECRULE' | @'IPSEC6RULE' )"`
	Src       *AddrSpec      `parser:"@@"`
	Dst       *AddrSpec      `parser:"@@"`
	Log       string         `parser:"@('LOG' | 'NOLOG')?"`
	Protocol  *ProtocolSpec  `parser:"@@?"`
	Routing   *RoutingSpec   `parser:"@@?"`
	SecClass  *int           `parser:"( 'SECCLASS' @Number )?"`
	Direction *DirectionSpec `parser:"@@?"`
}

// AddrSpec is a filter address: * (all), an address, address/prefix, or a
// range written a-b or a - b.
type AddrSpec struct {
	Node
	All    bool   `parser:"(  @Star"`
	Prefix string `parser:" | @Prefix"`
	Range  string `parser:" | @Range"`
	Addr   string `parser:" | @(IPv4 | IPv6 | Symbolic)"`
	To     string `parser:"   ( Dash @(IPv4 | IPv6 | Symbolic) )? )"`
}

// ProtocolSpec is PROTOCOL (or PROTO, or nothing) and a protocol with its
// port, type or code selectors.
type ProtocolSpec struct {
	Node
	Keyword  bool      `parser:"@'PROTOCOL'?"`
	Protocol string    `parser:"@(Star | Number | 'TCP' | 'UDP' | 'ICMP' | 'ICMPV6' | 'OSPF' | 'IGMP' | 'IPIP' | 'GRE' | 'ESP' | 'AH' | 'MH')"`
	SrcPort  *Selector `parser:"( 'SRCPORT' @@ )?"`
	DstPort  *Selector `parser:"( 'DESTPORT' @@ )?"`
	Type     *Selector `parser:"( 'TYPE' @@ )?"`
	Code     *Selector `parser:"( 'CODE' @@ )?"`
}

// Selector is *, n, or the range n m.
type Selector struct {
	Node
	Any  bool `parser:"(  @Star"`
	From *int `parser:" | @Number"`
	To   *int `parser:"   @Number? )"`
}

// RoutingSpec is ROUTING LOCAL | ROUTED [FRAGMENTSONLY] | EITHER.
type RoutingSpec struct {
	Node
	Value         string `parser:"'ROUTING' @('LOCAL' | 'ROUTED' | 'EITHER')"`
	FragmentsOnly bool   `parser:"@'FRAGMENTSONLY'?"`
}

// DirectionSpec is DIRECTION BIDIRECTIONAL [INBCONNECT|OUTBCONNECT] |
// INBOUND | OUTBOUND.
type DirectionSpec struct {
	Node
	Value   string `parser:"'DIRECTION' @('BIDIRECTIONAL' | 'INBOUND' | 'OUTBOUND')"`
	Connect string `parser:"@('INBCONNECT' | 'OUTBCONNECT')?"`
}

// End is a block's END statement.
type End struct {
	Node
	Meta
	Keyword string `parser:"@Stmt"`
}

// ---------------------------------------------------------------------------
// IPCONFIG / IPCONFIG6

// IPConfig is an IPCONFIG or IPCONFIG6 statement; its options may come in
// any order and several IPCONFIG statements may appear.
type IPConfig struct {
	Node
	Meta
	V6      bool              `parser:"( 'IPCONFIG' | @'IPCONFIG6' )"`
	Options []*IPConfigOption `parser:"@@*"`
}

// IPConfigOption is one IPCONFIG option.
type IPConfigOption struct {
	Node
	DynamicXCF         *DynamicXCF  `parser:"  @@"`
	TCPStackSourceVIPA *Addr        `parser:"| 'TCPSTACKSOURCEVIPA' ( @@"`
	TCPStackSourceIntf *Name        `parser:"                       | @@ )"`
	DatagramFwd        *DatagramFwd `parser:"| @@"`
	Other              *Option      `parser:"| @@"`
}

// DynamicXCF is DYNAMICXCF address mask|/bits cost [SECCLASS n]
// [SMCD|NOSMCD] [SOURCEVIPAINTERFACE link] for IPv4, or
// DYNAMICXCF address [INTFID id] [SOURCEVIPAINTERFACE name] for IPv6.
type DynamicXCF struct {
	Node
	Addr       string `parser:"'DYNAMICXCF' @(IPv4 | IPv6 | Prefix | Symbolic)"`
	Mask       string `parser:"@(IPv4 | Bits)?"`
	Cost       *int   `parser:"@Number?"`
	IntfID     string `parser:"( 'INTFID' @(IPv6 | Word | Number | Symbolic) )?"`
	SecClass   *int   `parser:"( 'SECCLASS' @Number )?"`
	SMCD       string `parser:"@('SMCD' | 'NOSMCD')?"`
	SourceVIPA string `parser:"( 'SOURCEVIPAINTERFACE' @(Word | Number) )?"`
}

// DatagramFwd is DATAGRAMFWD [FWDMULTIPATH PERPACKET].
type DatagramFwd struct {
	Node
	On        bool `parser:"@'DATAGRAMFWD'"`
	PerPacket bool `parser:"( 'FWDMULTIPATH' @'PERPACKET' )?"`
}

// ---------------------------------------------------------------------------
// VIPADYNAMIC … ENDVIPADYNAMIC

// VIPADynamic is the VIPADYNAMIC block.
type VIPADynamic struct {
	Node
	Meta
	Keyword    string `parser:"@'VIPADYNAMIC'"`
	Statements []Statement
	End        *End
}

// VIPADefine is VIPADEFINE [TIER1|TIER2] [CPCSCOPE] [MOVEABLE …]
// [SERVICEMGR] mask addr… (IPv4) or … intfname addr[/len] (IPv6).
type VIPADefine struct {
	Node
	Meta
	Tier       string    `parser:"'VIPADEFINE' @('TIER1' | 'TIER2')?"`
	CPCScope   bool      `parser:"@'CPCSCOPE'?"`
	Moveable   *Moveable `parser:"@@?"`
	ServiceMgr bool      `parser:"@'SERVICEMGR'?"`
	Mask       *Addr     `parser:"( @@"`
	Addrs      []*Addr   `parser:"  @@+"`
	IntfName   *Name     `parser:"| @@"`
	Addr6      string    `parser:"  @(IPv6 | Prefix) )"`
}

// VIPABackup is VIPABACKUP [rank] [TIER1|TIER2 [CPCSCOPE]|CPCSCOPE] followed
// by addresses (form A), MOVEABLE … [SERVICEMGR] mask addresses (form B), or
// the IPv6 forms with an interface name.
type VIPABackup struct {
	Node
	Meta
	Rank       *int      `parser:"'VIPABACKUP' @Number?"`
	Tier       string    `parser:"@('TIER1' | 'TIER2')?"`
	CPCScope   bool      `parser:"@'CPCSCOPE'?"`
	Moveable   *Moveable `parser:"@@?"`
	ServiceMgr bool      `parser:"@'SERVICEMGR'?"`
	Addrs      []*Addr   `parser:"( @@+"`
	IntfName   *Name     `parser:"| @@"`
	Addr6      string    `parser:"  @(IPv6 | Prefix) )"`
}

// VIPADelete is VIPADELETE addr… | intfname.
type VIPADelete struct {
	Node
	Meta
	Addrs    []*Addr `parser:"'VIPADELETE' ( @@+"`
	IntfName *Name   `parser:"             | @@ )"`
}

// VIPADistribute is VIPADISTRIBUTE with its options, the DVIPA (or IPv6
// interface name), the ports and the destinations.
type VIPADistribute struct {
	Node
	Meta
	Options  []*DistOption `parser:"'VIPADISTRIBUTE' @@*"`
	DVIPA    *Addr         `parser:"( @@"`
	IntfName *Name         `parser:"| @@ )"`
	Ports    []string      `parser:"( 'PORT' @(Number | Range)+ )?"`
	DestIP   *DestList     `parser:"( 'DESTIP' @@ )?"`
	Trailing []*DistOption `parser:"@@*"`
}

// DistOption is one VIPADISTRIBUTE option (they may come in any order
// before the address; IBM's own examples put some after DESTIP too).
type DistOption struct {
	Node
	Action         string     `parser:"  @('DEFINE' | 'DELETE')"`
	Method         string     `parser:"| 'DISTMETHOD' @('BASEWLM' | 'ROUNDROBIN' | 'SERVERWLM' | 'WEIGHTEDACTIVE' | 'HOTSTANDBY' | 'TARGCONTROLLED')"`
	OptLocal       *OptLocal  `parser:"| @@"`
	SysplexPorts   bool       `parser:"| @'SYSPLEXPORTS'"`
	TimedAffinity  *int       `parser:"| 'TIMEDAFFINITY' @Number"`
	ProcType       *ProcType  `parser:"| @@"`
	ProcXCost      *ProcXCost `parser:"| @@"`
	ILWeighting    *int       `parser:"| 'ILWEIGHTING' @Number"`
	AutoSwitchBack string     `parser:"| @('AUTOSWITCHBACK' | 'NOAUTOSWITCHBACK')"`
	HealthSwitch   string     `parser:"| @('HEALTHSWITCH' | 'NOHEALTHSWITCH')"`
	Tier           string     `parser:"| @('TIER1' | 'TIER2')"`
	TierGroup      string     `parser:"  @Word?"`
	// A word right before PORT or DESTIP is the IPv6 DVIPA's interface
	// name, not an option.
	Other *Option `parser:"| (?! Word ('PORT' | 'DESTIP')) @@"`
}

// OptLocal is OPTLOCAL [n] or NOOPTLOCAL.
type OptLocal struct {
	Node
	Off   bool `parser:"(  @'NOOPTLOCAL'"`
	Value *int `parser:" | 'OPTLOCAL' @Number? )"`
}

// ProcType is PROCTYPE CP n ZAAP n ZIIP n (BASEWLM weights).
type ProcType struct {
	Node
	CP   *int `parser:"'PROCTYPE' ( 'CP' @Number )?"`
	ZAAP *int `parser:"( 'ZAAP' @Number )?"`
	ZIIP *int `parser:"( 'ZIIP' @Number )?"`
}

// ProcXCost is PROCXCOST ZAAP n ZIIP n (SERVERWLM crossover costs).
type ProcXCost struct {
	Node
	ZAAP *int `parser:"'PROCXCOST' ( 'ZAAP' @Number )?"`
	ZIIP *int `parser:"( 'ZIIP' @Number )?"`
}

// DestList is ALL or a list of dynamic XCF addresses with their options.
type DestList struct {
	Node
	All   bool    `parser:"(  @'ALL'"`
	Dests []*Dest `parser:" | @@+ )"`
}

// Dest is one DESTIP target with WEIGHT, PREFERRED or BACKUP [rank].
type Dest struct {
	Node
	Addr       *Addr `parser:"@@"`
	Weight     *int  `parser:"( 'WEIGHT' @Number"`
	Preferred  bool  `parser:"| @'PREFERRED'"`
	Backup     bool  `parser:"| @'BACKUP'"`
	BackupRank *int  `parser:"  @Number? )?"`
}

// VIPARange is VIPARANGE [DEFINE|DELETE] [MOVEABLE NONDISRUPTIVE|DISRUPTIVE]
// mask addr (IPv4) or intfname addr/len (IPv6) [SAF resname] [ZCX].
type VIPARange struct {
	Node
	Meta
	Action   string    `parser:"'VIPARANGE' @('DEFINE' | 'DELETE')?"`
	Moveable *Moveable `parser:"@@?"`
	Mask     *Addr     `parser:"( @@"`
	Addr     *Addr     `parser:"  @@"`
	IntfName *Name     `parser:"| @@"`
	Addr6    string    `parser:"  @(IPv6 | Prefix) )"`
	SAF      string    `parser:"( 'SAF' @(Word | Number) )?"`
	ZCX      bool      `parser:"@'ZCX'?"`
}

// VIPARoute is VIPAROUTE [DEFINE|DELETE] xcf|DEFAULT target.
type VIPARoute struct {
	Node
	Meta
	Action  string `parser:"'VIPAROUTE' @('DEFINE' | 'DELETE')?"`
	DestXCF string `parser:"@(IPv4 | IPv6 | Symbolic | 'DEFAULT')"`
	Target  string `parser:"@(IPv4 | IPv6 | Symbolic)"`
}

// VIPASMParms is the deprecated VIPASMPARMS SMMASK mask.
type VIPASMParms struct {
	Node
	Meta
	Mask string `parser:"'VIPASMPARMS' ( 'SMMASK' @IPv4 )?"`
}

// ---------------------------------------------------------------------------
// GLOBALCONFIG

// GlobalConfig is GLOBALCONFIG with options in any order.
type GlobalConfig struct {
	Node
	Meta
	Options []*GlobalOption `parser:"'GLOBALCONFIG' @@*"`
}

// GlobalOption is one GLOBALCONFIG option.
type GlobalOption struct {
	Node
	XCFGrpID       *int            `parser:"  'XCFGRPID' @Number"`
	SysplexMonitor *SysplexMonitor `parser:"| @@"`
	SysplexWLMPoll *int            `parser:"| 'SYSPLEXWLMPOLL' @Number"`
	Other          *Option         `parser:"| @@"`
}

// SysplexMonitor is SYSPLEXMONITOR and its sub-options.
type SysplexMonitor struct {
	Node
	Options []*SysplexMonitorOption `parser:"'SYSPLEXMONITOR' @@*"`
}

// SysplexMonitorOption is one SYSPLEXMONITOR sub-option.
type SysplexMonitorOption struct {
	Node
	Flag      string `parser:"  @('AUTOREJOIN' | 'NOAUTOREJOIN' | 'DELAYJOIN' | 'NODELAYJOIN' | 'NOJOIN' | 'MONINTERFACE' | 'NOMONINTERFACE' | 'DYNROUTE' | 'NODYNROUTE' | 'RECOVERY' | 'NORECOVERY')"`
	TimerSecs *int   `parser:"| 'TIMERSECS' @Number"`
}

// ---------------------------------------------------------------------------
// TCPCONFIG, UDPCONFIG

// Config is TCPCONFIG or UDPCONFIG with its options kept as written.
type Config struct {
	Node
	Meta
	Keyword string    `parser:"@('TCPCONFIG' | 'UDPCONFIG')"`
	Options []*Option `parser:"@@*"`
}

// ---------------------------------------------------------------------------
// SRCIP … ENDSRCIP

// SrcIP is the SRCIP block.
type SrcIP struct {
	Node
	Meta
	Keyword string `parser:"@'SRCIP'"`
	Entries []*SrcIPEntry
	End     *End
}

// SrcIPEntry is a DESTINATION or JOBNAME entry of SRCIP. Its source is an
// address or an IPv6 interface name, or, in Prefers, PUBLICADDRS or
// TEMPADDRS in place of either: a preference for default source address
// selection (IBM's IPv6 guide configures "a JOBNAME jobname TEMPADDRS
// entry"), never an interface name. AddrPref is a preference written after
// an address or name, which IBM's examples do not show.
type SrcIPEntry struct {
	Node
	Meta
	Destination string `parser:"(  'DESTINATION' @(IPv4 | IPv6 | Prefix | Symbolic)"`
	JobName     string `parser:" | 'JOBNAME' @(Word | Star | Number | Symbolic)"`
	Scope       string `parser:"   @('CLIENTS' | 'SERVERS' | 'BOTH')? )"`
	Prefers     string `parser:"(  @('PUBLICADDRS' | 'TEMPADDRS')"`
	Source      *Addr  `parser:" | ( @@"`
	SourceIntf  *Name  `parser:"   | @@ )"`
	AddrPref    string `parser:"   @('PUBLICADDRS' | 'TEMPADDRS')? )"`
}

// ---------------------------------------------------------------------------
// HOME, PRIMARYINTERFACE, DEVICE, LINK, INTERFACE

// Home is HOME followed by address/link pairs.
type Home struct {
	Node
	Meta
	Entries []*HomeEntry `parser:"'HOME' @@*"`
}

// HomeEntry is one address and the link it lives on.
type HomeEntry struct {
	Node
	Addr *Addr `parser:"@@"`
	Link *Name `parser:"@@"`
}

// PrimaryInterface is PRIMARYINTERFACE link.
type PrimaryInterface struct {
	Node
	Meta
	Link *Name `parser:"'PRIMARYINTERFACE' @@"`
}

// Device is DEVICE name type operands.
type Device struct {
	Node
	Meta
	Name     *Name      `parser:"'DEVICE' @@"`
	Type     string     `parser:"@(Word | Number)"`
	Operands []*Operand `parser:"@@*"`
}

// Link is LINK name type operands (the device name is among them).
type Link struct {
	Node
	Meta
	Name     *Name      `parser:"'LINK' @@"`
	Type     string     `parser:"@(Word | Number)"`
	Operands []*Operand `parser:"@@*"`
}

// Interface is INTERFACE name [DEFINE|DELETE|ADDADDR|DELADDR|…] operands.
type Interface struct {
	Node
	Meta
	Name     *Name      `parser:"'INTERFACE' @@"`
	Action   string     `parser:"@('DEFINE' | 'DELETE' | 'ADDADDR' | 'DELADDR' | 'ADDTARGET' | 'DELTARGET')?"`
	Operands []*Operand `parser:"@@*"`
}

// StartStop is START or STOP of a device, link or interface.
type StartStop struct {
	Node
	Meta
	Keyword string `parser:"@('START' | 'STOP')"`
	Name    *Name  `parser:"@@"`
}

// ---------------------------------------------------------------------------
// PORT, PORTRANGE

// Port is PORT followed by reservation entries.
type Port struct {
	Node
	Meta
	Entries []*PortEntry `parser:"'PORT' @@*"`
}

// PortEntry reserves one port for a job, or (Unreserved, UNRSV in place
// of the number) controls access to the ports nobody reserved.
type PortEntry struct {
	Node
	Unreserved bool          `parser:"(  @'UNRSV'"`
	Number     int           `parser:"| @Number )"`
	Protocol   string        `parser:"@('TCP' | 'UDP')"`
	Job        string        `parser:"@(Word | Star | Number | Symbolic)"`
	Options    []*PortOption `parser:"@@*"`
}

// PortOption is BIND addr, SAF name, or a flag (NOAUTOLOG, SHAREPORT, …).
type PortOption struct {
	Node
	Bind *Addr  `parser:"  'BIND' @@"`
	SAF  string `parser:"| 'SAF' @(Word | Number)"`
	Flag string `parser:"| @('NOAUTOLOG' | 'DELAYACKS' | 'NODELAYACKS' | 'SHAREPORT' | 'SHAREPORTWLM' | 'NOSMC' | 'SMC' | 'NOSMCR' | 'NOSMCD' | 'DENY' | 'WHENLISTEN' | 'WHENBIND')"`
}

// PortRange is PORTRANGE followed by one or more ranges: its syntax
// diagram repeats the range and its access (IP Configuration Reference,
// "PORTRANGE statement").
type PortRange struct {
	Node
	Meta
	Entries []*PortRangeEntry `parser:"'PORTRANGE' @@+"`
}

// PortRangeEntry is first count TCP|UDP, then RESERVED, AUTHPORT or a job
// name and its options.
type PortRangeEntry struct {
	Node
	First    int           `parser:"@Number"`
	Count    int           `parser:"@Number"`
	Protocol string        `parser:"@('TCP' | 'UDP')"`
	Job      string        `parser:"@(Word | Star | Number | Symbolic)"`
	Options  []*PortOption `parser:"@@*"`
}

// ---------------------------------------------------------------------------
// AUTOLOG … ENDAUTOLOG, BEGINROUTES … ENDROUTES

// Autolog is the AUTOLOG block.
type Autolog struct {
	Node
	Meta
	Wait    *int `parser:"'AUTOLOG' @Number?"`
	Entries []*AutologEntry
	End     *End
}

// AutologEntry is a procedure AUTOLOG starts and monitors.
type AutologEntry struct {
	Node
	Meta
	Proc       *Name    `parser:"@@"`
	JobName    *Name    `parser:"( 'JOBNAME' @@ )?"`
	ParmString string   `parser:"( 'PARMSTRING' @String )?"`
	DelayStart bool     `parser:"( @'DELAYSTART'"`
	DelayOn    []string `parser:"  @('DVIPA' | 'TTLS')* )?"`
}

// Routes is the BEGINROUTES block.
type Routes struct {
	Node
	Meta
	Keyword string `parser:"@'BEGINROUTES'"`
	Routes  []*Route
	End     *End
}

// Route is ROUTE destination [mask|/len] =|first-hop link options.
type Route struct {
	Node
	Meta
	Dest     string    `parser:"'ROUTE' @(IPv4 | IPv6 | Prefix | Symbolic | 'DEFAULT' | 'DEFAULTNET' | 'DEFAULT6')"`
	Mask     string    `parser:"( @(IPv4 | Bits | 'HOST') (?= (Equals | IPv4 | IPv6 | Symbolic)) )?"`
	FirstHop string    `parser:"@(Equals | IPv4 | IPv6 | Symbolic)"`
	Link     *Name     `parser:"@@"`
	Options  []*Option `parser:"@@*"`
}

// ---------------------------------------------------------------------------
// Everything else

// Generic is a statement tcpipc recognises but does not model: its keyword
// and its operands as written.
type Generic struct {
	Node
	Meta
	Keyword  string     `parser:"@Stmt"`
	Operands []*Operand `parser:"@@*"`
	End      *End
}

// Delete is DELETE of a device, link, port reservation or ATM object; its
// operands after the object are checked against the object's grammar
// (vocabulary.go).
type Delete struct {
	Node
	Meta
	Object   string     `parser:"'DELETE' @('ATMARPSV' | 'ATMLIS' | 'ATMPVC' | 'DEVICE' | 'LINK' | 'PORTRANGE' | 'PORT')"`
	Operands []*Operand `parser:"@@*"`
}
