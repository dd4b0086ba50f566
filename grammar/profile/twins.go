package profile

import "github.com/alecthomas/participle/v2/lexer"

// participle fills the twins below, one per grammar node of ast.go with
// the same fields and grammar tags, instead of the tree's types: a node
// participle fills needs a Tokens field of exactly []lexer.Token, 24 bytes
// the tree's nodes would otherwise all carry. The twins' nodes are copied
// into the tree's, their tokens turned into spans (fromParticiple). A
// change to a grammar in ast.go is made here too: TestParticipleTwins
// fails until it is, and TestGrammarPinned shows the grammar participle
// runs, which is this file's.

// pNode is a twin's record of its tokens.
type pNode struct {
	Tokens []lexer.Token
}

type pMoveable struct {
	pNode
	Mode string `parser:"'MOVEABLE' @('IMMEDIATE' | 'WHENIDLE' | 'NONDISRUPTIVE' | 'DISRUPTIVE')"`
}

type pInclude struct {
	pNode
	DSN string `parser:"'INCLUDE' @(Word | Symbolic)"`
}

type pIPSec struct {
	pNode
	Options []*pKeywordOption `parser:"'IPSEC' @@*"`
}

type pKeywordOption struct {
	pNode
	Value string `parser:"@('DVIPSEC' | 'DVLOCALFLTR' | 'LOGDISABLE' | 'LOGENABLE' | 'NOLOGIMPLICIT' | 'LOGIMPLICIT')"`
}

type pIPSecRule struct {
	pNode
	V6        bool            `parser:"( 'IPSECRULE' | @'IPSEC6RULE' )"`
	Src       *pAddrSpec      `parser:"@@"`
	Dst       *pAddrSpec      `parser:"@@"`
	Log       string          `parser:"@('LOG' | 'NOLOG')?"`
	Protocol  *pProtocolSpec  `parser:"@@?"`
	Routing   *pRoutingSpec   `parser:"@@?"`
	SecClass  *int            `parser:"( 'SECCLASS' @Number )?"`
	Direction *pDirectionSpec `parser:"@@?"`
}

type pAddrSpec struct {
	pNode
	All    bool   `parser:"(  @Star"`
	Prefix string `parser:" | @Prefix"`
	Range  string `parser:" | @Range"`
	Addr   string `parser:" | @(IPv4 | IPv6 | Symbolic)"`
	To     string `parser:"   ( Dash @(IPv4 | IPv6 | Symbolic) )? )"`
}

type pProtocolSpec struct {
	pNode
	Keyword  bool       `parser:"@'PROTOCOL'?"`
	Protocol string     `parser:"@(Star | Number | 'TCP' | 'UDP' | 'ICMP' | 'ICMPV6' | 'OSPF' | 'IGMP' | 'IPIP' | 'GRE' | 'ESP' | 'AH' | 'MH')"`
	SrcPort  *pSelector `parser:"( 'SRCPORT' @@ )?"`
	DstPort  *pSelector `parser:"( 'DESTPORT' @@ )?"`
	Type     *pSelector `parser:"( 'TYPE' @@ )?"`
	Code     *pSelector `parser:"( 'CODE' @@ )?"`
}

type pSelector struct {
	pNode
	Any  bool `parser:"(  @Star"`
	From *int `parser:" | @Number"`
	To   *int `parser:"   @Number? )"`
}

type pRoutingSpec struct {
	pNode
	Value         string `parser:"'ROUTING' @('LOCAL' | 'ROUTED' | 'EITHER')"`
	FragmentsOnly bool   `parser:"@'FRAGMENTSONLY'?"`
}

type pDirectionSpec struct {
	pNode
	Value   string `parser:"'DIRECTION' @('BIDIRECTIONAL' | 'INBOUND' | 'OUTBOUND')"`
	Connect string `parser:"@('INBCONNECT' | 'OUTBCONNECT')?"`
}

type pEnd struct {
	pNode
	Keyword string `parser:"@Stmt"`
}

type pIPConfig struct {
	pNode
	V6      bool               `parser:"( 'IPCONFIG' | @'IPCONFIG6' )"`
	Options []*pIPConfigOption `parser:"@@*"`
}

type pIPConfigOption struct {
	pNode
	DynamicXCF         *pDynamicXCF  `parser:"  @@"`
	TCPStackSourceVIPA *Addr         `parser:"| 'TCPSTACKSOURCEVIPA' ( @@"`
	TCPStackSourceIntf *Name         `parser:"                       | @@ )"`
	DatagramFwd        *pDatagramFwd `parser:"| @@"`
	Other              *Option       `parser:"| @@"`
}

type pDynamicXCF struct {
	pNode
	Addr       string `parser:"'DYNAMICXCF' @(IPv4 | IPv6 | Prefix | Symbolic)"`
	Mask       string `parser:"@(IPv4 | Bits)?"`
	Cost       *int   `parser:"@Number?"`
	IntfID     string `parser:"( 'INTFID' @(IPv6 | Word | Number) )?"`
	SecClass   *int   `parser:"( 'SECCLASS' @Number )?"`
	SMCD       string `parser:"@('SMCD' | 'NOSMCD')?"`
	SourceVIPA string `parser:"( 'SOURCEVIPAINTERFACE' @(Word | Number) )?"`
}

type pDatagramFwd struct {
	pNode
	On        bool `parser:"@'DATAGRAMFWD'"`
	PerPacket bool `parser:"( 'FWDMULTIPATH' @'PERPACKET' )?"`
}

type pVIPADynamic struct {
	pNode
	Keyword string `parser:"@'VIPADYNAMIC'"`
}

type pVIPADefine struct {
	pNode
	Tier       string     `parser:"'VIPADEFINE' @('TIER1' | 'TIER2')?"`
	CPCScope   bool       `parser:"@'CPCSCOPE'?"`
	Moveable   *pMoveable `parser:"@@?"`
	ServiceMgr bool       `parser:"@'SERVICEMGR'?"`
	Mask       *Addr      `parser:"( @@"`
	Addrs      []*Addr    `parser:"  @@+"`
	IntfName   *Name      `parser:"| @@"`
	Addr6      string     `parser:"  @(IPv6 | Prefix) )"`
}

type pVIPABackup struct {
	pNode
	Rank       *int       `parser:"'VIPABACKUP' @Number?"`
	Tier       string     `parser:"@('TIER1' | 'TIER2')?"`
	CPCScope   bool       `parser:"@'CPCSCOPE'?"`
	Moveable   *pMoveable `parser:"@@?"`
	ServiceMgr bool       `parser:"@'SERVICEMGR'?"`
	Addrs      []*Addr    `parser:"( @@+"`
	IntfName   *Name      `parser:"| @@"`
	Addr6      string     `parser:"  @(IPv6 | Prefix) )"`
}

type pVIPADelete struct {
	pNode
	Addrs    []*Addr `parser:"'VIPADELETE' ( @@+"`
	IntfName *Name   `parser:"             | @@ )"`
}

type pVIPADistribute struct {
	pNode
	Options  []*pDistOption `parser:"'VIPADISTRIBUTE' @@*"`
	DVIPA    *Addr          `parser:"( @@"`
	IntfName *Name          `parser:"| @@ )"`
	Ports    []string       `parser:"( 'PORT' @(Number | Range)+ )?"`
	DestIP   *pDestList     `parser:"( 'DESTIP' @@ )?"`
	Trailing []*pDistOption `parser:"@@*"`
}

type pDistOption struct {
	pNode
	Action         string      `parser:"  @('DEFINE' | 'DELETE')"`
	Method         string      `parser:"| 'DISTMETHOD' @('BASEWLM' | 'ROUNDROBIN' | 'SERVERWLM' | 'WEIGHTEDACTIVE' | 'HOTSTANDBY' | 'TARGCONTROLLED')"`
	OptLocal       *pOptLocal  `parser:"| @@"`
	SysplexPorts   bool        `parser:"| @'SYSPLEXPORTS'"`
	TimedAffinity  *int        `parser:"| 'TIMEDAFFINITY' @Number"`
	ProcType       *pProcType  `parser:"| @@"`
	ProcXCost      *pProcXCost `parser:"| @@"`
	ILWeighting    *int        `parser:"| 'ILWEIGHTING' @Number"`
	AutoSwitchBack string      `parser:"| @('AUTOSWITCHBACK' | 'NOAUTOSWITCHBACK')"`
	HealthSwitch   string      `parser:"| @('HEALTHSWITCH' | 'NOHEALTHSWITCH')"`
	Tier           string      `parser:"| @('TIER1' | 'TIER2')"`
	TierGroup      string      `parser:"  @Word?"`
	Other          *Option     `parser:"| @@"`
}

type pOptLocal struct {
	pNode
	Off   bool `parser:"(  @'NOOPTLOCAL'"`
	Value *int `parser:" | 'OPTLOCAL' @Number? )"`
}

type pProcType struct {
	pNode
	CP   *int `parser:"'PROCTYPE' ( 'CP' @Number )?"`
	ZAAP *int `parser:"( 'ZAAP' @Number )?"`
	ZIIP *int `parser:"( 'ZIIP' @Number )?"`
}

type pProcXCost struct {
	pNode
	ZAAP *int `parser:"'PROCXCOST' ( 'ZAAP' @Number )?"`
	ZIIP *int `parser:"( 'ZIIP' @Number )?"`
}

type pDestList struct {
	pNode
	All   bool     `parser:"(  @'ALL'"`
	Dests []*pDest `parser:" | @@+ )"`
}

type pDest struct {
	pNode
	Addr       *Addr `parser:"@@"`
	Weight     *int  `parser:"( 'WEIGHT' @Number"`
	Preferred  bool  `parser:"| @'PREFERRED'"`
	Backup     bool  `parser:"| @'BACKUP'"`
	BackupRank *int  `parser:"  @Number? )?"`
}

type pVIPARange struct {
	pNode
	Action   string     `parser:"'VIPARANGE' @('DEFINE' | 'DELETE')?"`
	Moveable *pMoveable `parser:"@@?"`
	Mask     *Addr      `parser:"( @@"`
	Addr     *Addr      `parser:"  @@"`
	IntfName *Name      `parser:"| @@"`
	Addr6    string     `parser:"  @(IPv6 | Prefix) )"`
	SAF      string     `parser:"( 'SAF' @(Word | Number) )?"`
	ZCX      bool       `parser:"@'ZCX'?"`
}

type pVIPARoute struct {
	pNode
	Action  string `parser:"'VIPAROUTE' @('DEFINE' | 'DELETE')?"`
	DestXCF string `parser:"@(IPv4 | IPv6 | Symbolic | 'DEFAULT')"`
	Target  string `parser:"@(IPv4 | IPv6 | Symbolic)"`
}

type pVIPASMParms struct {
	pNode
	Mask string `parser:"'VIPASMPARMS' ( 'SMMASK' @IPv4 )?"`
}

type pGlobalConfig struct {
	pNode
	Options []*pGlobalOption `parser:"'GLOBALCONFIG' @@*"`
}

type pGlobalOption struct {
	pNode
	XCFGrpID       *int             `parser:"  'XCFGRPID' @Number"`
	SysplexMonitor *pSysplexMonitor `parser:"| @@"`
	SysplexWLMPoll *int             `parser:"| 'SYSPLEXWLMPOLL' @Number"`
	Other          *Option          `parser:"| @@"`
}

type pSysplexMonitor struct {
	pNode
	Options []*pSysplexMonitorOption `parser:"'SYSPLEXMONITOR' @@*"`
}

type pSysplexMonitorOption struct {
	pNode
	Flag      string `parser:"  @('AUTOREJOIN' | 'NOAUTOREJOIN' | 'DELAYJOIN' | 'NODELAYJOIN' | 'NOJOIN' | 'MONINTERFACE' | 'NOMONINTERFACE' | 'DYNROUTE' | 'NODYNROUTE' | 'RECOVERY' | 'NORECOVERY')"`
	TimerSecs *int   `parser:"| 'TIMERSECS' @Number"`
}

type pConfig struct {
	pNode
	Keyword string    `parser:"@('TCPCONFIG' | 'UDPCONFIG')"`
	Options []*Option `parser:"@@*"`
}

type pSrcIP struct {
	pNode
	Keyword string `parser:"@'SRCIP'"`
}

type pSrcIPEntry struct {
	pNode
	Destination string `parser:"(  'DESTINATION' @(IPv4 | IPv6 | Prefix | Symbolic)"`
	JobName     string `parser:" | 'JOBNAME' @(Word | Star | Number | Symbolic)"`
	Scope       string `parser:"   @('CLIENTS' | 'SERVERS' | 'BOTH')? )"`
	Source      *Addr  `parser:"( @@"`
	SourceIntf  *Name  `parser:"| @@ )"`
	AddrPref    string `parser:"@('PUBLICADDRS' | 'TEMPADDRS')?"`
}

type pHome struct {
	pNode
	Entries []*pHomeEntry `parser:"'HOME' @@*"`
}

type pHomeEntry struct {
	pNode
	Addr *Addr `parser:"@@"`
	Link *Name `parser:"@@"`
}

type pPrimaryInterface struct {
	pNode
	Link *Name `parser:"'PRIMARYINTERFACE' @@"`
}

type pDevice struct {
	pNode
	Name     *Name      `parser:"'DEVICE' @@"`
	Type     string     `parser:"@(Word | Number)"`
	Operands []*Operand `parser:"@@*"`
}

type pLink struct {
	pNode
	Name     *Name      `parser:"'LINK' @@"`
	Type     string     `parser:"@(Word | Number)"`
	Operands []*Operand `parser:"@@*"`
}

type pInterface struct {
	pNode
	Name     *Name      `parser:"'INTERFACE' @@"`
	Action   string     `parser:"@('DEFINE' | 'DELETE' | 'ADDADDR' | 'DELADDR' | 'ADDTARGET' | 'DELTARGET')?"`
	Operands []*Operand `parser:"@@*"`
}

type pStartStop struct {
	pNode
	Keyword string `parser:"@('START' | 'STOP')"`
	Name    *Name  `parser:"@@"`
}

type pPort struct {
	pNode
	Entries []*pPortEntry `parser:"'PORT' @@*"`
}

type pPortEntry struct {
	pNode
	Number   int            `parser:"@Number"`
	Protocol string         `parser:"@('TCP' | 'UDP')"`
	Job      string         `parser:"@(Word | Star | Number | Symbolic)"`
	Options  []*pPortOption `parser:"@@*"`
}

type pPortOption struct {
	pNode
	Bind *Addr  `parser:"  'BIND' @@"`
	SAF  string `parser:"| 'SAF' @(Word | Number)"`
	Flag string `parser:"| @('NOAUTOLOG' | 'AUTOLOG' | 'DELAYACKS' | 'NODELAYACKS' | 'SHAREPORT' | 'SHAREPORTWLM' | 'NOSMC' | 'SMC' | 'NOSMCR' | 'NOSMCD')"`
}

type pPortRange struct {
	pNode
	First    int            `parser:"'PORTRANGE' @Number"`
	Count    int            `parser:"@Number"`
	Protocol string         `parser:"@('TCP' | 'UDP')"`
	Job      string         `parser:"@(Word | Star | Number | Symbolic)"`
	Options  []*pPortOption `parser:"@@*"`
}

type pAutolog struct {
	pNode
	Wait *int `parser:"'AUTOLOG' @Number?"`
}

type pAutologEntry struct {
	pNode
	Proc       *Name    `parser:"@@"`
	JobName    *Name    `parser:"( 'JOBNAME' @@ )?"`
	ParmString string   `parser:"( 'PARMSTRING' @String )?"`
	DelayStart bool     `parser:"( @'DELAYSTART'"`
	DelayOn    []string `parser:"  @('DVIPA' | 'TTLS')* )?"`
}

type pRoutes struct {
	pNode
	Keyword string `parser:"@'BEGINROUTES'"`
}

type pRoute struct {
	pNode
	Dest     string    `parser:"'ROUTE' @(IPv4 | IPv6 | Prefix | Symbolic | 'DEFAULT' | 'DEFAULTNET' | 'DEFAULT6')"`
	Mask     string    `parser:"( @(IPv4 | Bits | 'HOST') (?= (Equals | IPv4 | IPv6 | Symbolic)) )?"`
	FirstHop string    `parser:"@(Equals | IPv4 | IPv6 | Symbolic)"`
	Link     *Name     `parser:"@@"`
	Options  []*Option `parser:"@@*"`
}

type pGeneric struct {
	pNode
	Keyword  string     `parser:"@Stmt"`
	Operands []*Operand `parser:"@@*"`
}

type pDelete struct {
	pNode
	Object   string     `parser:"'DELETE' @('ATMARPSV' | 'ATMLIS' | 'ATMPVC' | 'DEVICE' | 'LINK' | 'PORTRANGE' | 'PORT')"`
	Operands []*Operand `parser:"@@*"`
}
