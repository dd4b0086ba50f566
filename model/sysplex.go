package model

import (
	"net/netip"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/profile"
)

// Sysplex is a whole sysplex: its stacks and, across them, its DVIPAs.
type Sysplex struct {
	Name     string    `json:"name"`
	Manifest *Manifest `json:"-"`
	// VTAMXCFGrpID is VTAM's XCFGRPID start option from the manifest.
	VTAMXCFGrpID *int     `json:"vtamXcfGrpId,omitempty"`
	Stacks       []*Stack `json:"stacks"`
	// DVIPAs lists every dynamic VIPA any stack defines, backs up or
	// distributes, sorted by address.
	DVIPAs []*DVIPA `json:"dvipas"`
	// Sources holds the text of every file read, for snippets.
	Sources diag.Sources `json:"-"`

	unused []unusedObject
	// policyParsed holds the policy files met so far in a load (by path
	// and kind), so a file several stacks read is reported once and
	// shared; Load drops it at the end.
	policyParsed map[string]parsedPolicy
	// policyReported holds the findings the policy builders reported so
	// far in a load (policyLoader.report), so that those of a file several
	// stacks read are reported once; Load drops it at the end.
	policyReported map[string]bool
}

// Stack is one TCP/IP stack of the sysplex.
type Stack struct {
	Name    string      `json:"name"` // MVS system name
	Job     string      `json:"job"`  // TCP/IP job name
	Release Release     `json:"release,omitzero"`
	Entry   *StackEntry `json:"-"`
	// Profile is the parsed profile (nil when it could not be read).
	Profile *profile.Profile `json:"-"`
	Groups  GroupNames       `json:"groups"`
	// XCFGrpID is GLOBALCONFIG XCFGRPID (nil when not coded).
	XCFGrpID      *int          `json:"xcfGrpId,omitempty"`
	XCFGrpIDRange diag.Range    `json:"-"`
	DynamicXCF    []*DynamicXCF `json:"dynamicXcf,omitempty"`
	Home          []*HomeAddr   `json:"home,omitempty"`
	// IPSecurity and IPSecurity6 are IPCONFIG/IPCONFIG6 IPSECURITY.
	IPSecurity  *Keyword `json:"ipSecurity,omitempty"`
	IPSecurity6 *Keyword `json:"ipSecurity6,omitempty"`
	SourceVIPA  *Keyword `json:"sourceVipa,omitempty"`
	// TCPStackSourceVIPA is IPCONFIG TCPSTACKSOURCEVIPA.
	TCPStackSourceVIPA *Addr    `json:"tcpStackSourceVipa,omitempty"`
	SrcIP              []*SrcIP `json:"srcIp,omitempty"`
	// IPSec is the profile's IPSEC block (the first one; nil if none);
	// IPSecBlocks counts them all.
	IPSec          *IPSecBlock        `json:"ipsec,omitempty"`
	IPSecBlocks    []diag.Range       `json:"-"`
	IPSec6Rules    []*FilterRule      `json:"-"`
	SysplexMonitor SysplexMonitor     `json:"sysplexMonitor"`
	SysplexWLMPoll *int               `json:"sysplexWlmPoll,omitempty"`
	VIPA           VIPAConfig         `json:"vipa"`
	Ports          []*PortReservation `json:"ports,omitempty"`
	// Policy is the Policy Agent IPsec policy (nil when the stack has
	// none); Iked is the IKE daemon configuration (nil without iked.conf).
	Policy *Policy `json:"policy,omitempty"`
	Iked   *Iked   `json:"iked,omitempty"`
	// KeyRing is the manifest key ring IKED uses (see keyRingFor); nil
	// when the manifest maps none. It never holds the private key.
	KeyRing *KeyRing `json:"-"`
	// Autolog lists the procedures AUTOLOG starts (OMPROUTE, FTPD, …);
	// AutologAt is where each is first coded, for findings about it.
	Autolog   []string              `json:"autolog,omitempty"`
	AutologAt map[string]diag.Range `json:"-"`
}

// DVIPSec reports whether DVIPSEC is in effect: coded on the IPSEC
// statement, which z/OS ignores unless IPCONFIG IPSECURITY is coded (IBM,
// IPSEC statement).
func (s *Stack) DVIPSec() bool {
	return s.IPSecurity != nil && s.IPSec != nil && s.IPSec.DVIPSec != nil
}

// Runs reports whether the stack starts or reserves a port for the
// procedure or job (AUTOLOG entry, PORT reservation).
func (s *Stack) Runs(job string) bool {
	for _, a := range s.Autolog {
		if a == job {
			return true
		}
	}
	for _, p := range s.Ports {
		if p.Job == job {
			return true
		}
	}
	return false
}

// Keyword is a keyword that was coded, with where.
type Keyword struct {
	Range diag.Range `json:"range"`
}

// Addr is an address operand as written and as parsed. Addr is invalid
// when the text holds an unresolved system symbol or is malformed.
type Addr struct {
	Addr  netip.Addr `json:"addr"`
	Text  string     `json:"text"`
	Range diag.Range `json:"range"`
}

// DynamicXCF is IPCONFIG(6) DYNAMICXCF: the stack's XCF address.
type DynamicXCF struct {
	Addr      Addr       `json:"addr"`
	PrefixLen int        `json:"prefixLen"`
	Cost      *int       `json:"cost,omitempty"`
	Range     diag.Range `json:"range"`
}

// HomeAddr is a HOME entry.
type HomeAddr struct {
	Addr Addr   `json:"addr"`
	Link string `json:"link"`
}

// SrcIP is a SRCIP entry: a source address for a destination or a job.
type SrcIP struct {
	Destination string     `json:"destination,omitempty"`
	JobName     string     `json:"jobName,omitempty"`
	Source      Addr       `json:"source"`
	Range       diag.Range `json:"range"`
}

// IPSecBlock is the profile's default IP filter policy.
type IPSecBlock struct {
	DVIPSec     *Keyword      `json:"dvipsec,omitempty"`
	DVLocalFltr *Keyword      `json:"dvlocalfltr,omitempty"`
	LogEnable   bool          `json:"logEnable"`
	LogImplicit bool          `json:"logImplicit"`
	Rules       []*FilterRule `json:"rules"`
	Range       diag.Range    `json:"range"`
}

// SysplexMonitor is GLOBALCONFIG SYSPLEXMONITOR with IBM's defaults.
type SysplexMonitor struct {
	Recovery     bool       `json:"recovery"`
	AutoRejoin   bool       `json:"autoRejoin"`
	DelayJoin    bool       `json:"delayJoin"`
	NoJoin       bool       `json:"noJoin"`
	MonInterface bool       `json:"monInterface"`
	DynRoute     bool       `json:"dynRoute"`
	TimerSecs    int        `json:"timerSecs"`
	Range        diag.Range `json:"range,omitzero"`
}

// PortReservation is a PORT entry.
type PortReservation struct {
	Port     int        `json:"port"`
	Protocol string     `json:"protocol"`
	Job      string     `json:"job"`
	Bind     *Addr      `json:"bind,omitempty"`
	Range    diag.Range `json:"range"`
}

// VIPAConfig is a stack's VIPADYNAMIC configuration after VIPADELETE and
// VIPADISTRIBUTE DELETE processing, one entry per address.
type VIPAConfig struct {
	Defines     []*VIPADefine     `json:"defines,omitempty"`
	Backups     []*VIPABackup     `json:"backups,omitempty"`
	Distributes []*VIPADistribute `json:"distributes,omitempty"`
	Ranges      []*VIPARange      `json:"ranges,omitempty"`
	Routes      []*VIPARoute      `json:"routes,omitempty"`
	// Rejected are VIPADEFINE/VIPABACKUP addresses the stack rejects
	// because the address is already defined in the profile without a
	// VIPADELETE in between.
	Rejected []*RejectedVIPA `json:"rejected,omitempty"`
	// Statements counts the VIPADYNAMIC statements processed.
	Statements int `json:"-"`
}

// VIPADefine is one address of a VIPADEFINE: the stack owns the DVIPA.
type VIPADefine struct {
	Stack     *Stack     `json:"-"`
	Addr      Addr       `json:"addr"`
	Mask      *Addr      `json:"mask,omitempty"` // IPv4
	PrefixLen int        `json:"prefixLen"`
	IntfName  string     `json:"intfName,omitempty"` // IPv6
	Moveable  string     `json:"moveable"`           // IMMEDIATE (default) or WHENIDLE
	Tier      string     `json:"tier,omitempty"`
	CPCScope  bool       `json:"cpcScope,omitempty"`
	Statement diag.Range `json:"statement"`
}

// VIPABackup is one address of a VIPABACKUP: the stack takes the DVIPA
// over by rank. Form B (MOVEABLE and a mask) can create the DVIPA itself.
type VIPABackup struct {
	Stack     *Stack     `json:"-"`
	Addr      Addr       `json:"addr"`
	Rank      int        `json:"rank"`
	RankRange diag.Range `json:"rankRange,omitzero"`
	Mask      *Addr      `json:"mask,omitempty"` // form B
	PrefixLen int        `json:"prefixLen,omitempty"`
	Moveable  string     `json:"moveable,omitempty"`
	IntfName  string     `json:"intfName,omitempty"`
	Tier      string     `json:"tier,omitempty"`
	CPCScope  bool       `json:"cpcScope,omitempty"`
	Statement diag.Range `json:"statement"`
}

// VIPADistribute is a VIPADISTRIBUTE DEFINE for one DVIPA.
type VIPADistribute struct {
	Stack         *Stack      `json:"-"`
	Addr          Addr        `json:"addr"`
	Ports         []PortRange `json:"ports,omitempty"` // none: every port a server binds
	Method        string      `json:"method"`          // BASEWLM by default
	OptLocal      *int        `json:"optLocal,omitempty"`
	SysplexPorts  bool        `json:"sysplexPorts,omitempty"`
	TimedAffinity int         `json:"timedAffinity,omitempty"`
	DestAll       bool        `json:"destAll,omitempty"`
	Dests         []*Dest     `json:"dests,omitempty"`
	// Options keeps every base option keyword coded, for the rules that
	// check IBM's option combinations.
	Options   map[string]diag.Range `json:"-"`
	Statement diag.Range            `json:"statement"`
}

// PortRange is a port or an inclusive range of ports.
type PortRange struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Dest is one DESTIP target, resolved to the stack whose dynamic XCF
// address it is (Stack nil when no stack has it).
type Dest struct {
	Addr       Addr   `json:"addr"`
	Stack      *Stack `json:"-"`
	StackName  string `json:"stack,omitempty"`
	Weight     *int   `json:"weight,omitempty"`
	Preferred  bool   `json:"preferred,omitempty"`
	Backup     bool   `json:"backup,omitempty"`
	BackupRank *int   `json:"backupRank,omitempty"`
}

// VIPARange is a VIPARANGE DEFINE: addresses applications may create.
type VIPARange struct {
	Prefix    netip.Prefix `json:"prefix"`
	Addr      Addr         `json:"addr"`
	Moveable  string       `json:"moveable"` // NONDISRUPTIVE (default) or DISRUPTIVE
	SAF       string       `json:"saf,omitempty"`
	Statement diag.Range   `json:"statement"`
}

// VIPARoute is a VIPAROUTE DEFINE.
type VIPARoute struct {
	DestXCF   string     `json:"destXcf"` // address or DEFAULT
	Target    Addr       `json:"target"`
	Statement diag.Range `json:"statement"`
}

// RejectedVIPA is a VIPADEFINE or VIPABACKUP the stack rejects.
type RejectedVIPA struct {
	Addr  Addr       `json:"addr"`
	Kind  string     `json:"kind"`  // VIPADEFINE or VIPABACKUP
	First diag.Range `json:"first"` // the earlier definition that stands
}

// DVIPA is a dynamic VIPA seen across the sysplex.
type DVIPA struct {
	Addr netip.Addr `json:"addr"`
	// PrefixLen comes from the first VIPADEFINE, else a form-B backup.
	PrefixLen   int               `json:"prefixLen"`
	Defines     []*VIPADefine     `json:"-"`
	Backups     []*VIPABackup     `json:"-"` // highest rank first
	Distributes []*VIPADistribute `json:"-"`
}
