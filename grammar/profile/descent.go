package profile

import (
	"strconv"

	"github.com/alecthomas/participle/v2/lexer"
)

// The statement grammars in ast.go are the specification: participle
// builds them, prints them (grammar.ebnf) and reports syntax errors with
// them. Running participle for every statement is slow, though (it is
// allocation-bound: branches, deferred captures and reflection for every
// token), so each grammar also has a hand-written recursive-descent parser
// below that follows it field by field.
//
// A hand-written parser only has to be right when it succeeds. It takes
// the plain path: at every choice it looks at the next token, picks the
// alternative that token starts, and takes single-token optionals
// greedily, as participle does. Whenever participle would backtrack (an
// alternative or an optional group that starts to match and then does
// not, a number that does not convert), the hand-written parser gives up
// and the driver runs the participle grammar on the statement instead, so
// errors and odd inputs get participle's exact treatment and message.
// TestDescentAgreesWithParticiple and FuzzDescentAgreesWithParticiple
// check that both produce the same tree and diagnostics.

// cursor walks the token stream for the hand-written parsers.
//
// Descent functions reach tokens through the cursor only: c.peek() (the
// next token's Type and Value), c.typeAt and c.valueAt for a token further
// on, the accept/want methods, and c.close (or statement and node) to
// record a node's tokens. The stream holds compact tokens (see tok), so
// there is no lexer.Token to take the address of.
type cursor struct {
	p *parser
	*stream
	i int
	// failed is set when the input leaves the plain path; the statement
	// is then handed to participle.
	failed bool
}

// slab hands out values of T from chunks: a large profile has millions of
// syntax nodes, and allocating them a chunk at a time keeps the allocator's
// and the garbage collector's share of a parse small.
type slab[T any] []T

const slabSize = 256

func (s *slab[T]) next() *T {
	if len(*s) == 0 {
		*s = make([]T, slabSize)
	}
	v := &(*s)[0]
	*s = (*s)[1:]
	return v
}

// slabs holds the parser's slabs for its most frequent nodes.
type slabs struct {
	addrs       slab[Addr]
	names       slab[Name]
	operands    slab[Operand]
	options     slab[Option]
	ints        slab[int]
	addrSpecs   slab[AddrSpec]
	selectors   slab[Selector]
	distOptions slab[DistOption]
	dests       slab[Dest]
	portOptions slab[PortOption]
	portEntries slab[PortEntry]
	// The statements a large profile repeats most, and their parts.
	distributes  slab[VIPADistribute]
	defines      slab[VIPADefine]
	backups      slab[VIPABackup]
	ipsecRules   slab[IPSecRule]
	protocols    slab[ProtocolSpec]
	routingSpecs slab[RoutingSpec]
	routes       slab[Route]
	// The rest a generated or real profile repeats per block or per
	// entry: one allocation each was most of a parse's objects.
	moveables   slab[Moveable]
	destLists   slab[DestList]
	ends        slab[End]
	homeEntries slab[HomeEntry]
	configs     slab[Config]
	devices     slab[Device]
	links       slab[Link]
	interfaces  slab[Interface]
	ports       slab[Port]
	homes       slab[Home]
	dynamics    slab[VIPADynamic]
	ipsecs      slab[IPSec]
	routeBlocks slab[Routes]
	kwOptions   slab[KeywordOption]
}

// list builds the small slices of syntax nodes (a statement's addresses,
// options, destinations, ports) on a stack of its own and keeps each,
// once complete, in a shared chunk: appending one node at a time allocated
// most slices two or three times. Kept slices have no spare capacity, so
// appending to one later copies it rather than overwrite its neighbour.
type list[T any] struct {
	stack []T // the slices being built, innermost last
	chunk []T // the free part of the current chunk
}

// mark starts a slice; since returns the elements pushed after the mark.
func (l *list[T]) mark() int { return len(l.stack) }
func (l *list[T]) push(v T)  { l.stack = append(l.stack, v) }
func (l *list[T]) since(m int) []T {
	s := l.stack[m:]
	l.stack = l.stack[:m]
	if len(s) == 0 {
		return nil
	}
	if len(l.chunk) < len(s) {
		l.chunk = make([]T, max(4*slabSize, len(s)))
	}
	out := l.chunk[:len(s):len(s)]
	copy(out, s)
	l.chunk = l.chunk[len(s):]
	clear(s) // the stack keeps no pointers to finished nodes
	return out
}

// lists holds the parser's lists, one per element type.
type lists struct {
	addrs       list[*Addr]
	options     list[*Option]
	strings     list[string]
	distOptions list[*DistOption]
	dests       list[*Dest]
	portOptions list[*PortOption]
	operands    list[*Operand]
	portEntries list[*PortEntry]
	homeEntries list[*HomeEntry]
	kwOptions   list[*KeywordOption]
	// A block's members: statements collects them as the block is
	// parsed (blocks do not nest), the others keep them.
	statements     list[Statement]
	statementsOut  list[Statement]
	ipsecRules     list[*IPSecRule]
	srcIPEntries   list[*SrcIPEntry]
	autologEntries list[*AutologEntry]
	routes         list[*Route]
}

// typeSet is a set of token types, for matching without allocation.
type typeSet uint32

func setOf(types ...lexer.TokenType) typeSet {
	var s typeSet
	for _, t := range types {
		s |= 1 << uint(t)
	}
	return s
}

func (s typeSet) has(t lexer.TokenType) bool { return t >= 0 && t < 32 && s&(1<<uint(t)) != 0 }

var (
	addrSet    = setOf(addrTypes...)
	nameSet    = setOf(nameTypes...)
	operandSet = setOf(operandTypes...)
	valueSet   = setOf(valueTypes...)
)

func (c *cursor) peek() view { return c.viewAt(c.i) }

func (c *cursor) fail() { c.failed = true }

// is reports whether the next token is the literal v; like participle, a
// literal matches a token of any type with that value.
func (c *cursor) is(v string) bool {
	return !c.failed && !c.eofAt(c.i) && c.valueAt(c.i) == v
}

// accept consumes the literal v if it is next.
func (c *cursor) accept(v string) bool {
	if c.is(v) {
		c.i++
		return true
	}
	return false
}

func (c *cursor) expect(v string) {
	if !c.accept(v) {
		c.fail()
	}
}

// acceptOne consumes the next token if it is one of the literals and
// returns its value, or "".
func (c *cursor) acceptOne(lits ...string) string {
	if c.failed {
		return ""
	}
	if c.eofAt(c.i) {
		return ""
	}
	v := c.valueAt(c.i)
	for _, l := range lits {
		if v == l {
			c.i++
			return l
		}
	}
	return ""
}

// wantOne is acceptOne for a required operand.
func (c *cursor) wantOne(lits ...string) string {
	v := c.acceptOne(lits...)
	if v == "" {
		c.fail()
	}
	return v
}

// acceptType consumes the next token if its type is in s.
func (c *cursor) acceptType(s typeSet) (string, bool) {
	if c.failed || !s.has(c.typeAt(c.i)) {
		return "", false
	}
	c.i++
	return c.valueAt(c.i - 1), true
}

// want is @(Type | …) for a required operand; lits are literal
// alternatives of the same capture.
func (c *cursor) want(s typeSet, lits ...string) string {
	if v, ok := c.acceptType(s); ok {
		return v
	}
	return c.wantOne(lits...)
}

// number converts a Number token's value (the lexer keeps no leading
// zeros, so decimal conversion matches participle's base-0 conversion).
func (c *cursor) number(v string) int {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		c.fail() // out of range: participle reports it
	}
	return int(n)
}

// optNumber is @Number? into an *int.
func (c *cursor) optNumber() *int {
	v, ok := c.acceptType(setOf(Number))
	if !ok {
		return nil
	}
	n := c.p.slabs.ints.next()
	*n = c.number(v)
	return n
}

// wantNumber is a required @Number into an *int.
func (c *cursor) wantNumber() *int {
	n := c.optNumber()
	if n == nil {
		c.fail()
	}
	return n
}

// close records the tokens of a node, from start to the cursor.
func (c *cursor) close(n *Node, start int) { n.first, n.end = uint32(start), uint32(c.i) }

// statement closes a statement's node, or returns nil when the parse left
// the plain path.
func statement[T Statement](c *cursor, s T, n *Node, start int) Statement {
	if c.failed {
		return nil
	}
	c.close(n, start)
	return s
}

// node closes a node's tokens, or returns nil when the parse left the
// plain path.
func node[T any](c *cursor, v *T, n *Node, start int) *T {
	if c.failed {
		return nil
	}
	c.close(n, start)
	return v
}

// ---------------------------------------------------------------------------
// Leaves.

// leafToken consumes the next token if its type is in s and returns its
// index, or -1.
func (c *cursor) leafToken(s typeSet) int {
	if c.failed || !s.has(c.typeAt(c.i)) {
		return -1
	}
	c.i++
	return c.i - 1
}

func (c *cursor) addr() *Addr {
	i := c.leafToken(addrSet)
	if i < 0 {
		return nil
	}
	a := c.p.slabs.addrs.next()
	a.Text = c.valueAt(i)
	c.close(&a.Node, i)
	return a
}

func (c *cursor) name() *Name {
	i := c.leafToken(nameSet)
	if i < 0 {
		return nil
	}
	n := c.p.slabs.names.next()
	n.Text = c.nameText(i)
	c.close(&n.Node, i)
	return n
}

// nameText is a name as written (upper case): the lexer expands a name
// spelled like a keyword abbreviation (LOGEN) and drops leading zeros of
// numbers; the driver undoes that for participle's trees (restoreNames).
func (c *cursor) nameText(i int) string {
	if t := &c.toks[i]; t.typ == int8(Word) || t.typ == int8(Stmt) || t.typ == int8(Number) {
		if f := c.fileOf(i); rawLen(f.Text, int(t.off)) != c.valueLen(t) {
			return upper(RawText(f.Text, int(t.off)))
		}
	}
	return c.valueAt(i)
}

func (c *cursor) operand() *Operand {
	i := c.leafToken(operandSet)
	if i < 0 {
		return nil
	}
	o := c.p.slabs.operands.next()
	o.Text = c.valueAt(i)
	c.close(&o.Node, i)
	return o
}

func (c *cursor) option() *Option {
	start := c.leafToken(setOf(Word))
	if start < 0 {
		return nil
	}
	o := c.p.slabs.options.next()
	o.Name = c.valueAt(start)
	l := &c.p.lists.strings
	m := l.mark()
	for {
		v, ok := c.acceptType(valueSet)
		if !ok {
			break
		}
		l.push(v)
	}
	o.Values = l.since(m)
	c.close(&o.Node, start)
	return o
}

func (c *cursor) options() []*Option {
	l := &c.p.lists.options
	m := l.mark()
	for o := c.option(); o != nil; o = c.option() {
		l.push(o)
	}
	return l.since(m)
}

func (c *cursor) operands() []*Operand {
	l := &c.p.lists.operands
	m := l.mark()
	for o := c.operand(); o != nil; o = c.operand() {
		l.push(o)
	}
	return l.since(m)
}

// addrs is Addr+ (nil when the next token is no address).
func (c *cursor) addrs() []*Addr { return c.addrsAfter(nil) }

// addrsAfter is first (unless nil) and the addresses that follow it.
func (c *cursor) addrsAfter(first *Addr) []*Addr {
	l := &c.p.lists.addrs
	m := l.mark()
	if first != nil {
		l.push(first)
	}
	for a := c.addr(); a != nil; a = c.addr() {
		l.push(a)
	}
	return l.since(m)
}

// moveable is Moveable?.
func (c *cursor) moveable() *Moveable {
	start := c.i
	if !c.accept("MOVEABLE") {
		return nil
	}
	m := c.p.slabs.moveables.next()
	m.Mode = c.wantOne("IMMEDIATE", "WHENIDLE", "NONDISRUPTIVE", "DISRUPTIVE")
	c.close(&m.Node, start)
	return m
}

// addrOrInterface is the IPv4 form (addresses) or the IPv6 form (an
// interface name and an address) that several VIPADYNAMIC statements end
// with; addr reads the IPv4 form once its first address is there.
func (c *cursor) addrOrInterface(addr func(first *Addr)) (intf *Name, addr6 string) {
	if a := c.addr(); a != nil {
		addr(a)
		return nil, ""
	}
	if n := c.name(); n != nil {
		return n, c.want(setOf(IPv6, Prefix))
	}
	c.fail()
	return nil, ""
}

// ---------------------------------------------------------------------------
// Statements, in the order of ast.go.

func parseInclude(c *cursor) Statement {
	s, start := &Include{}, c.i
	c.expect("INCLUDE")
	i := c.i
	if s.DSN = c.want(setOf(Word, Symbolic)); s.DSN != "" {
		s.DSN = includeName(c.fileOf(i).Text, s.DSN, c.offsetAt(i))
	}
	return statement(c, s, &s.Node, start)
}

func parseIPSec(c *cursor) Statement {
	s, start := c.p.slabs.ipsecs.next(), c.i
	c.expect("IPSEC")
	l := &c.p.lists.kwOptions
	m := l.mark()
	for !c.failed {
		i := c.i
		v := c.acceptOne("DVIPSEC", "DVLOCALFLTR", "LOGDISABLE", "LOGENABLE", "NOLOGIMPLICIT", "LOGIMPLICIT")
		if v == "" {
			break
		}
		o := c.p.slabs.kwOptions.next()
		o.Value = v
		c.close(&o.Node, i)
		l.push(o)
	}
	s.Options = l.since(m)
	return statement(c, s, &s.Node, start)
}

func parseIPSecRule(c *cursor) Statement {
	s, start := c.p.slabs.ipsecRules.next(), c.i
	switch {
	case c.accept("IPSECRULE"):
	case c.accept("IPSEC6RULE"):
		s.V6 = true
	default:
		c.fail()
	}
	if s.Src = c.addrSpec(); s.Src == nil {
		c.fail()
	}
	if s.Dst = c.addrSpec(); s.Dst == nil {
		c.fail()
	}
	s.Log = c.acceptOne("LOG", "NOLOG")
	s.Protocol = c.protocolSpec()
	if i := c.i; c.accept("ROUTING") {
		r := c.p.slabs.routingSpecs.next()
		r.Value, r.FragmentsOnly = c.wantOne("LOCAL", "ROUTED", "EITHER"), c.accept("FRAGMENTSONLY")
		c.close(&r.Node, i)
		s.Routing = r
	}
	if c.accept("SECCLASS") {
		s.SecClass = c.wantNumber()
	}
	if i := c.i; c.accept("DIRECTION") {
		d := &DirectionSpec{Value: c.wantOne("BIDIRECTIONAL", "INBOUND", "OUTBOUND")}
		d.Connect = c.acceptOne("INBCONNECT", "OUTBCONNECT")
		c.close(&d.Node, i)
		s.Direction = d
	}
	return statement(c, s, &s.Node, start)
}

func (c *cursor) addrSpec() *AddrSpec {
	if c.failed {
		return nil
	}
	a, start := c.p.slabs.addrSpecs.next(), c.i
	switch t := c.peek(); {
	case t.Type == Star:
		a.All = true
	case t.Type == Prefix:
		a.Prefix = t.Value
	case t.Type == Range:
		a.Range = t.Value
	case addrSet.has(t.Type):
		a.Addr = t.Value
		if c.typeAt(c.i+1) == Dash {
			c.i += 2
			a.To = c.want(addrSet)
			c.close(&a.Node, start)
			return a
		}
	default:
		return nil
	}
	c.i++
	c.close(&a.Node, start)
	return a
}

func (c *cursor) protocolSpec() *ProtocolSpec {
	if c.failed {
		return nil
	}
	p, start := c.p.slabs.protocols.next(), c.i
	p.Keyword = c.accept("PROTOCOL")
	if v, ok := c.acceptType(setOf(Star, Number)); ok {
		p.Protocol = v
	} else {
		p.Protocol = c.acceptOne("TCP", "UDP", "ICMP", "ICMPV6", "OSPF", "IGMP", "IPIP", "GRE", "ESP", "AH", "MH")
	}
	if p.Protocol == "" {
		if p.Keyword {
			c.fail()
		}
		return nil
	}
	selector := func(keyword string) *Selector {
		if !c.accept(keyword) {
			return nil
		}
		s := c.selector()
		if s == nil {
			c.fail()
		}
		return s
	}
	p.SrcPort = selector("SRCPORT")
	p.DstPort = selector("DESTPORT")
	p.Type = selector("TYPE")
	p.Code = selector("CODE")
	c.close(&p.Node, start)
	return p
}

func (c *cursor) selector() *Selector {
	s, start := c.p.slabs.selectors.next(), c.i
	switch c.peek().Type {
	case Star:
		s.Any = true
		c.i++
	case Number:
		s.From = c.optNumber()
		s.To = c.optNumber()
	default:
		return nil
	}
	c.close(&s.Node, start)
	return s
}

func parseEnd(c *cursor) Statement {
	s, start := c.p.slabs.ends.next(), c.i
	s.Keyword = c.want(setOf(Stmt))
	return statement(c, s, &s.Node, start)
}

func parseIPConfig(c *cursor) Statement {
	s, start := &IPConfig{}, c.i
	switch {
	case c.accept("IPCONFIG"):
	case c.accept("IPCONFIG6"):
		s.V6 = true
	default:
		c.fail()
	}
	for o := c.ipConfigOption(); o != nil; o = c.ipConfigOption() {
		s.Options = append(s.Options, o)
	}
	return statement(c, s, &s.Node, start)
}

func (c *cursor) ipConfigOption() *IPConfigOption {
	o, start := &IPConfigOption{}, c.i
	switch {
	case c.is("DYNAMICXCF"):
		o.DynamicXCF = c.dynamicXCF()
	case c.accept("TCPSTACKSOURCEVIPA"):
		if o.TCPStackSourceVIPA = c.addr(); o.TCPStackSourceVIPA == nil {
			if o.TCPStackSourceIntf = c.name(); o.TCPStackSourceIntf == nil {
				c.fail()
			}
		}
	case c.is("DATAGRAMFWD"):
		d := &DatagramFwd{On: c.accept("DATAGRAMFWD")}
		if c.accept("FWDMULTIPATH") {
			d.PerPacket = c.wantOne("PERPACKET") != ""
		}
		c.close(&d.Node, start)
		o.DatagramFwd = d
	default:
		if o.Other = c.option(); o.Other == nil {
			return nil
		}
	}
	return node(c, o, &o.Node, start)
}

func (c *cursor) dynamicXCF() *DynamicXCF {
	d, start := &DynamicXCF{}, c.i
	c.expect("DYNAMICXCF")
	d.Addr = c.want(setOf(IPv4, IPv6, Prefix, Symbolic))
	d.Mask, _ = c.acceptType(setOf(IPv4, Bits))
	d.Cost = c.optNumber()
	if c.accept("INTFID") {
		d.IntfID = c.want(setOf(IPv6, Word, Number, Symbolic))
	}
	if c.accept("SECCLASS") {
		d.SecClass = c.wantNumber()
	}
	d.SMCD = c.acceptOne("SMCD", "NOSMCD")
	if c.accept("SOURCEVIPAINTERFACE") {
		d.SourceVIPA = c.want(setOf(Word, Number))
	}
	c.close(&d.Node, start)
	return d
}

func parseVIPADynamic(c *cursor) Statement {
	s, start := c.p.slabs.dynamics.next(), c.i
	s.Keyword = c.wantOne("VIPADYNAMIC")
	return statement(c, s, &s.Node, start)
}

func parseVIPADefine(c *cursor) Statement {
	s, start := c.p.slabs.defines.next(), c.i
	c.expect("VIPADEFINE")
	s.Tier = c.acceptOne("TIER1", "TIER2")
	s.CPCScope = c.accept("CPCSCOPE")
	s.Moveable = c.moveable()
	s.ServiceMgr = c.accept("SERVICEMGR")
	s.IntfName, s.Addr6 = c.addrOrInterface(func(mask *Addr) {
		s.Mask = mask
		if s.Addrs = c.addrs(); s.Addrs == nil {
			c.fail()
		}
	})
	return statement(c, s, &s.Node, start)
}

func parseVIPABackup(c *cursor) Statement {
	s, start := c.p.slabs.backups.next(), c.i
	c.expect("VIPABACKUP")
	s.Rank = c.optNumber()
	s.Tier = c.acceptOne("TIER1", "TIER2")
	s.CPCScope = c.accept("CPCSCOPE")
	s.Moveable = c.moveable()
	s.ServiceMgr = c.accept("SERVICEMGR")
	s.IntfName, s.Addr6 = c.addrOrInterface(func(first *Addr) {
		s.Addrs = c.addrsAfter(first)
	})
	return statement(c, s, &s.Node, start)
}

func parseVIPADelete(c *cursor) Statement {
	s, start := &VIPADelete{}, c.i
	c.expect("VIPADELETE")
	if s.Addrs = c.addrs(); s.Addrs == nil {
		if s.IntfName = c.name(); s.IntfName == nil {
			c.fail()
		}
	}
	return statement(c, s, &s.Node, start)
}

func parseVIPADistribute(c *cursor) Statement {
	s, start := c.p.slabs.distributes.next(), c.i
	c.expect("VIPADISTRIBUTE")
	s.Options = c.distOptions()
	if s.DVIPA = c.addr(); s.DVIPA == nil {
		if s.IntfName = c.name(); s.IntfName == nil {
			c.fail()
		}
	}
	if c.accept("PORT") {
		l := &c.p.lists.strings
		m := l.mark()
		for {
			v, ok := c.acceptType(setOf(Number, Range))
			if !ok {
				break
			}
			l.push(v)
		}
		s.Ports = l.since(m)
		if s.Ports == nil {
			c.fail()
		}
	}
	if c.accept("DESTIP") {
		if s.DestIP = c.destList(); s.DestIP == nil {
			c.fail()
		}
	}
	s.Trailing = c.distOptions()
	return statement(c, s, &s.Node, start)
}

func (c *cursor) distOptions() []*DistOption {
	l := &c.p.lists.distOptions
	m := l.mark()
	for o := c.distOption(); o != nil; o = c.distOption() {
		l.push(o)
	}
	return l.since(m)
}

func (c *cursor) distOption() *DistOption {
	if c.failed {
		return nil
	}
	o, start := c.p.slabs.distOptions.next(), c.i
	// One switch on the keyword (the lexer has expanded abbreviations);
	// the EOF token's empty value matches no case.
	switch t := c.peek().Value; t {
	case "DEFINE", "DELETE":
		o.Action = c.acceptOne(t)
	case "DISTMETHOD":
		c.i++
		o.Method = c.wantOne("BASEWLM", "ROUNDROBIN", "SERVERWLM", "WEIGHTEDACTIVE", "HOTSTANDBY", "TARGCONTROLLED")
	case "NOOPTLOCAL", "OPTLOCAL":
		l := &OptLocal{Off: c.accept("NOOPTLOCAL")}
		if !l.Off {
			c.expect("OPTLOCAL")
			l.Value = c.optNumber()
		}
		c.close(&l.Node, start)
		o.OptLocal = l
	case "SYSPLEXPORTS":
		c.i++
		o.SysplexPorts = true
	case "TIMEDAFFINITY":
		c.i++
		o.TimedAffinity = c.wantNumber()
	case "PROCTYPE":
		c.i++
		p := &ProcType{CP: c.keywordNumber("CP"), ZAAP: c.keywordNumber("ZAAP"), ZIIP: c.keywordNumber("ZIIP")}
		c.close(&p.Node, start)
		o.ProcType = p
	case "PROCXCOST":
		c.i++
		p := &ProcXCost{ZAAP: c.keywordNumber("ZAAP"), ZIIP: c.keywordNumber("ZIIP")}
		c.close(&p.Node, start)
		o.ProcXCost = p
	case "ILWEIGHTING":
		c.i++
		o.ILWeighting = c.wantNumber()
	case "AUTOSWITCHBACK", "NOAUTOSWITCHBACK":
		o.AutoSwitchBack = c.acceptOne(t)
	case "HEALTHSWITCH", "NOHEALTHSWITCH":
		o.HealthSwitch = c.acceptOne(t)
	case "TIER1", "TIER2":
		o.Tier = c.acceptOne(t)
		o.TierGroup, _ = c.acceptType(setOf(Word))
	default:
		if c.namesDistributedDVIPA() {
			return nil
		}
		if o.Other = c.option(); o.Other == nil {
			return nil
		}
	}
	return node(c, o, &o.Node, start)
}

// namesDistributedDVIPA reports whether the next word is the interface
// name of an IPv6 DVIPA, followed by PORT or DESTIP: (?! Word ('PORT' |
// 'DESTIP')) in DistOption's grammar.
func (c *cursor) namesDistributedDVIPA() bool {
	if c.failed || c.peek().Type != Word || c.eofAt(c.i+1) {
		return false
	}
	next := c.valueAt(c.i + 1)
	return next == "PORT" || next == "DESTIP"
}

// keywordNumber is ( 'KEYWORD' @Number )?.
func (c *cursor) keywordNumber(keyword string) *int {
	if !c.accept(keyword) {
		return nil
	}
	return c.wantNumber()
}

func (c *cursor) destList() *DestList {
	d, start := c.p.slabs.destLists.next(), c.i
	if d.All = c.accept("ALL"); !d.All {
		l := &c.p.lists.dests
		m := l.mark()
		for dest := c.dest(); dest != nil; dest = c.dest() {
			l.push(dest)
		}
		d.Dests = l.since(m)
		if d.Dests == nil {
			return nil
		}
	}
	c.close(&d.Node, start)
	return d
}

func (c *cursor) dest() *Dest {
	start := c.i
	a := c.addr()
	if a == nil {
		return nil
	}
	d := c.p.slabs.dests.next()
	d.Addr = a
	switch {
	case c.accept("WEIGHT"):
		d.Weight = c.wantNumber()
	case c.accept("PREFERRED"):
		d.Preferred = true
	case c.accept("BACKUP"):
		d.Backup = true
		d.BackupRank = c.optNumber()
	}
	return node(c, d, &d.Node, start)
}

func parseVIPARange(c *cursor) Statement {
	s, start := &VIPARange{}, c.i
	c.expect("VIPARANGE")
	s.Action = c.acceptOne("DEFINE", "DELETE")
	s.Moveable = c.moveable()
	s.IntfName, s.Addr6 = c.addrOrInterface(func(mask *Addr) {
		s.Mask = mask
		if s.Addr = c.addr(); s.Addr == nil {
			c.fail()
		}
	})
	if c.accept("SAF") {
		s.SAF = c.want(setOf(Word, Number))
	}
	s.ZCX = c.accept("ZCX")
	return statement(c, s, &s.Node, start)
}

func parseVIPARoute(c *cursor) Statement {
	s, start := &VIPARoute{}, c.i
	c.expect("VIPAROUTE")
	s.Action = c.acceptOne("DEFINE", "DELETE")
	s.DestXCF = c.want(setOf(IPv4, IPv6, Symbolic), "DEFAULT")
	s.Target = c.want(setOf(IPv4, IPv6, Symbolic))
	return statement(c, s, &s.Node, start)
}

func parseVIPASMParms(c *cursor) Statement {
	s, start := &VIPASMParms{}, c.i
	c.expect("VIPASMPARMS")
	if c.accept("SMMASK") {
		s.Mask = c.want(setOf(IPv4))
	}
	return statement(c, s, &s.Node, start)
}

func parseGlobalConfig(c *cursor) Statement {
	s, start := &GlobalConfig{}, c.i
	c.expect("GLOBALCONFIG")
	for o := c.globalOption(); o != nil; o = c.globalOption() {
		s.Options = append(s.Options, o)
	}
	return statement(c, s, &s.Node, start)
}

func (c *cursor) globalOption() *GlobalOption {
	if c.failed {
		return nil
	}
	o, start := &GlobalOption{}, c.i
	switch {
	case c.accept("XCFGRPID"):
		o.XCFGrpID = c.wantNumber()
	case c.accept("SYSPLEXMONITOR"):
		m := &SysplexMonitor{}
		for mo := c.sysplexMonitorOption(); mo != nil; mo = c.sysplexMonitorOption() {
			m.Options = append(m.Options, mo)
		}
		c.close(&m.Node, start)
		o.SysplexMonitor = m
	case c.accept("SYSPLEXWLMPOLL"):
		o.SysplexWLMPoll = c.wantNumber()
	default:
		if o.Other = c.option(); o.Other == nil {
			return nil
		}
	}
	return node(c, o, &o.Node, start)
}

func (c *cursor) sysplexMonitorOption() *SysplexMonitorOption {
	o, start := &SysplexMonitorOption{}, c.i
	if c.accept("TIMERSECS") {
		o.TimerSecs = c.wantNumber()
	} else if o.Flag = c.acceptOne("AUTOREJOIN", "NOAUTOREJOIN", "DELAYJOIN", "NODELAYJOIN", "NOJOIN",
		"MONINTERFACE", "NOMONINTERFACE", "DYNROUTE", "NODYNROUTE", "RECOVERY", "NORECOVERY"); o.Flag == "" {
		return nil
	}
	return node(c, o, &o.Node, start)
}

func parseConfig(c *cursor) Statement {
	s, start := c.p.slabs.configs.next(), c.i
	s.Keyword = c.wantOne("TCPCONFIG", "UDPCONFIG")
	s.Options = c.options()
	return statement(c, s, &s.Node, start)
}

func parseSrcIP(c *cursor) Statement {
	s, start := &SrcIP{}, c.i
	s.Keyword = c.wantOne("SRCIP")
	return statement(c, s, &s.Node, start)
}

func parseSrcIPEntry(c *cursor) Statement {
	s, start := &SrcIPEntry{}, c.i
	switch {
	case c.accept("DESTINATION"):
		s.Destination = c.want(setOf(IPv4, IPv6, Prefix, Symbolic))
	case c.accept("JOBNAME"):
		s.JobName = c.want(setOf(Word, Star, Number, Symbolic))
		s.Scope = c.acceptOne("CLIENTS", "SERVERS", "BOTH")
	default:
		c.fail()
	}
	if s.Prefers = c.acceptOne("PUBLICADDRS", "TEMPADDRS"); s.Prefers != "" {
		return statement(c, s, &s.Node, start)
	}
	if s.Source = c.addr(); s.Source == nil {
		if s.SourceIntf = c.name(); s.SourceIntf == nil {
			c.fail()
		}
	}
	s.AddrPref = c.acceptOne("PUBLICADDRS", "TEMPADDRS")
	return statement(c, s, &s.Node, start)
}

func parseHome(c *cursor) Statement {
	s, start := c.p.slabs.homes.next(), c.i
	c.expect("HOME")
	l := &c.p.lists.homeEntries
	m := l.mark()
	for !c.failed {
		i := c.i
		a := c.addr()
		if a == nil {
			break
		}
		e := c.p.slabs.homeEntries.next()
		e.Addr, e.Link = a, c.name()
		if e.Link == nil {
			c.fail()
			break
		}
		c.close(&e.Node, i)
		l.push(e)
	}
	s.Entries = l.since(m)
	return statement(c, s, &s.Node, start)
}

func parsePrimaryInterface(c *cursor) Statement {
	s, start := &PrimaryInterface{}, c.i
	c.expect("PRIMARYINTERFACE")
	if s.Link = c.name(); s.Link == nil {
		c.fail()
	}
	return statement(c, s, &s.Node, start)
}

// namedOperands is KEYWORD name type operands…, the shape of DEVICE and
// LINK.
func (c *cursor) namedOperands(keyword string) (name *Name, typ string, ops []*Operand) {
	c.expect(keyword)
	if name = c.name(); name == nil {
		c.fail()
	}
	typ = c.want(setOf(Word, Number))
	return name, typ, c.operands()
}

func parseDevice(c *cursor) Statement {
	s, start := c.p.slabs.devices.next(), c.i
	s.Name, s.Type, s.Operands = c.namedOperands("DEVICE")
	return statement(c, s, &s.Node, start)
}

func parseLink(c *cursor) Statement {
	s, start := c.p.slabs.links.next(), c.i
	s.Name, s.Type, s.Operands = c.namedOperands("LINK")
	return statement(c, s, &s.Node, start)
}

func parseInterface(c *cursor) Statement {
	s, start := c.p.slabs.interfaces.next(), c.i
	c.expect("INTERFACE")
	if s.Name = c.name(); s.Name == nil {
		c.fail()
	}
	s.Action = c.acceptOne("DEFINE", "DELETE", "ADDADDR", "DELADDR", "ADDTARGET", "DELTARGET")
	s.Operands = c.operands()
	return statement(c, s, &s.Node, start)
}

func parseStartStop(c *cursor) Statement {
	s, start := &StartStop{}, c.i
	s.Keyword = c.wantOne("START", "STOP")
	if s.Name = c.name(); s.Name == nil {
		c.fail()
	}
	return statement(c, s, &s.Node, start)
}

func parsePort(c *cursor) Statement {
	s, start := c.p.slabs.ports.next(), c.i
	c.expect("PORT")
	l := &c.p.lists.portEntries
	m := l.mark()
	for !c.failed {
		i := c.i
		unreserved, number := c.accept("UNRSV"), 0
		if !unreserved {
			v, ok := c.acceptType(setOf(Number))
			if !ok {
				break
			}
			number = c.number(v)
		}
		e := c.p.slabs.portEntries.next()
		e.Unreserved, e.Number = unreserved, number
		e.Protocol, e.Job = c.wantOne("TCP", "UDP"), c.want(jobSet)
		e.Options = c.portOptions()
		c.close(&e.Node, i)
		l.push(e)
	}
	s.Entries = l.since(m)
	return statement(c, s, &s.Node, start)
}

var jobSet = setOf(Word, Star, Number, Symbolic)

func (c *cursor) portOptions() []*PortOption {
	l := &c.p.lists.portOptions
	m := l.mark()
options:
	for !c.failed {
		o, start := c.p.slabs.portOptions.next(), c.i
		switch {
		case c.accept("BIND"):
			if o.Bind = c.addr(); o.Bind == nil {
				c.fail()
			}
		case c.accept("SAF"):
			o.SAF = c.want(setOf(Word, Number))
		default:
			o.Flag = c.acceptOne("NOAUTOLOG", "DELAYACKS", "NODELAYACKS", "SHAREPORT", "SHAREPORTWLM",
				"NOSMC", "SMC", "NOSMCR", "NOSMCD", "DENY", "WHENLISTEN", "WHENBIND")
			if o.Flag == "" {
				break options
			}
		}
		c.close(&o.Node, start)
		l.push(o)
	}
	return l.since(m)
}

func parsePortRange(c *cursor) Statement { return portRangeRanges(c, false) }

// portRangeRanges parses PORTRANGE and its ranges; complete keeps only the
// complete ranges, leaving the cursor at the first range short of an
// operand (listPrefix).
func portRangeRanges(c *cursor, complete bool) Statement {
	s, start := &PortRange{}, c.i
	c.expect("PORTRANGE")
	for !c.failed {
		i := c.i
		first, ok := c.acceptType(setOf(Number))
		if !ok {
			break
		}
		e := &PortRangeEntry{First: c.number(first)}
		if count := c.wantNumber(); count != nil {
			e.Count = *count
		}
		e.Protocol, e.Job = c.wantOne("TCP", "UDP"), c.want(jobSet)
		e.Options = c.portOptions()
		if complete && c.failed {
			c.failed, c.i = false, i
			break
		}
		c.close(&e.Node, i)
		s.Entries = append(s.Entries, e)
	}
	if s.Entries == nil {
		c.fail()
	}
	return statement(c, s, &s.Node, start)
}

func parseAutolog(c *cursor) Statement {
	s, start := &Autolog{}, c.i
	c.expect("AUTOLOG")
	s.Wait = c.optNumber()
	return statement(c, s, &s.Node, start)
}

func parseAutologEntry(c *cursor) Statement {
	s, start := &AutologEntry{}, c.i
	if s.Proc = c.name(); s.Proc == nil {
		c.fail()
	}
	if c.accept("JOBNAME") {
		if s.JobName = c.name(); s.JobName == nil {
			c.fail()
		}
	}
	if c.accept("PARMSTRING") {
		s.ParmString = c.want(setOf(String))
	}
	if s.DelayStart = c.accept("DELAYSTART"); s.DelayStart {
		for v := c.acceptOne("DVIPA", "TTLS"); v != ""; v = c.acceptOne("DVIPA", "TTLS") {
			s.DelayOn = append(s.DelayOn, v)
		}
	}
	return statement(c, s, &s.Node, start)
}

func parseRoutes(c *cursor) Statement {
	s, start := c.p.slabs.routeBlocks.next(), c.i
	s.Keyword = c.wantOne("BEGINROUTES")
	return statement(c, s, &s.Node, start)
}

// firstHopSet is what may follow a route's destination mask.
var firstHopSet = setOf(Equals, IPv4, IPv6, Symbolic)

func parseRoute(c *cursor) Statement {
	s, start := c.p.slabs.routes.next(), c.i
	c.expect("ROUTE")
	s.Dest = c.want(setOf(IPv4, IPv6, Prefix, Symbolic), "DEFAULT", "DEFAULTNET", "DEFAULT6")
	// The mask is optional: an address followed by a first hop is one.
	// HOST stands for a host mask (IBM's sample profile, SAMPPROF).
	if t := c.peek(); !c.failed && (t.Type == IPv4 || t.Type == Bits || t.Type == Word && t.Value == "HOST") && firstHopSet.has(c.typeAt(c.i+1)) {
		s.Mask = t.Value
		c.i++
	}
	s.FirstHop = c.want(firstHopSet)
	if s.Link = c.name(); s.Link == nil {
		c.fail()
	}
	s.Options = c.options()
	return statement(c, s, &s.Node, start)
}

func parseGeneric(c *cursor) Statement {
	s, start := &Generic{}, c.i
	s.Keyword = c.want(setOf(Stmt))
	s.Operands = c.operands()
	return statement(c, s, &s.Node, start)
}

func parseDelete(c *cursor) Statement {
	s, start := &Delete{}, c.i
	c.expect("DELETE")
	s.Object = c.wantOne("ATMARPSV", "ATMLIS", "ATMPVC", "DEVICE", "LINK", "PORTRANGE", "PORT")
	s.Operands = c.operands()
	return statement(c, s, &s.Node, start)
}
