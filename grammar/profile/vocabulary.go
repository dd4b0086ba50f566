package profile

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/tcpipc/tcpipc/grammar/source"
)

// The statements tcpipc does not model still have IBM's operand grammar:
// the stack rejects a statement whose operands do not fit it, and a word
// after the last operand begins the next statement (a TCPIP.DATA statement
// pasted into the profile is an error, not an operand). Their grammars are
// written here in the notation of the pinned EBNF and matched by hand
// against the statement's operands (Generic keeps the operands as written).
// They follow the statements' syntax in the IP Configuration Reference; the
// SMF 119 types of SMFCONFIG and the services of NETMONITOR agree with the
// "TCP/IP profile record management section" of the IP Programmer's Guide
// and Reference. The number ranges (ARPAGE, ITRACE levels, …) could not all
// be checked against IBM's pages: a finding prints the grammar it applied,
// so a wrong bound shows at once.
//
// Notation: KEYword is a keyword whose upper-case part is IBM's minimum
// abbreviation; <number>, <number:lo-hi>, <addr>, <name>, <secret> (a
// credential: the SNMP community name, which IBM leaves out even of its
// profile SMF record for security), <any>; [ x ] is
// optional, { x } repeats, ( a | b ) chooses. A literal containing a digit
// or a dot (802.3) is matched as written.
var operandGrammars = map[string]string{
	"ARPAGE":    `<number:1-1440>`,
	"SOMAXCONN": `<number:1-2147483647>`,
	"SMFPARMS":  `[ <number:0-255> [ <number:0-255> [ <number:0-255> ] ] ]`,
	"SMFCONFIG": `{ TYPE118 | TYPE119 | NOTYPE118 | NOTYPE119 | TCPINIT | NOTCPINIT | TCPTERM | NOTCPTERM |
		FTPCLIENT | NOFTPCLIENT | TN3270CLIENT | NOTN3270CLIENT | TCPIPSTATISTICS | NOTCPIPSTATISTICS |
		IFSTATISTICS | NOIFSTATISTICS | PORTSTATISTICS | NOPORTSTATISTICS | TCPSTACK | NOTCPSTACK |
		UDPTERM | NOUDPTERM | DVIPA | NODVIPA | IPSECURITY | NOIPSECURITY | SMCRGROUPSTATISTICS |
		NOSMCRGROUPSTATISTICS | SMCRLINKEVENT | NOSMCRLINKEVENT | SMCDLINKSTATISTICS |
		NOSMCDLINKSTATISTICS | SMCDLINKEVENT | NOSMCDLINKEVENT | ZERTDETAIL | NOZERTDETAIL |
		ZERTSUMMARY | NOZERTSUMMARY | PROFILE | NOPROFILE }`,
	"NETMONITOR": `{ PKTTRCSERVICE | NOPKTTRCSERVICE | TCPCONNSERVICE [ MINLIFETIME <number:0-1440> ] |
		NOTCPCONNSERVICE | NTATRCSERVICE | NONTATRCSERVICE | SMFSERVICE | NOSMFSERVICE | IPSECURITY |
		NOIPSECURITY | PROFILE | NOPROFILE | CSSMTP | NOCSSMTP | CSMAIL | NOCSMAIL | DVIPA | NODVIPA |
		ZERTSERVICE | NOZERTSERVICE | ZERTSUMMARY | NOZERTSUMMARY }`,
	// SACONFIG: the operands and abbreviations of IBM's syntax diagram
	// (V2R4 IP Configuration Reference, "SACONFIG statement").
	"SACONFIG": `{ ENABLed | DISABLed | COMMUNity <secret> | AGENT <number:1-65535> | SETSENAbled |
		SETSDISabled | OSASF <number:1-65535> | OSAENabled | OSADISabled | SACACHETime <number> }`,
	"ITRACE": `( ON | OFF ) { ALL | AUTODAEMON | COMMAND | CONFIG | PARSE | SUBAGENT | <number:1-4> }`,
	// PKTTRACE: IBM's sample profile writes the options keyword=value
	// ("PKTTRACE ABBREV=200 LINKNAME=TR1 PROT=ICMP IP=* SRCPORT=5000
	// DESTPORT=161"); the forms with blanks are kept too.
	"PKTTRACE": `{ ON | OFF | CLEAR | RESET | SUPPRESS | ABBREV [ <number> ] | ABBREV=<number> | FULL |
		IP ( <addr> | * ) | IP=<addr>/* |
		PROTocol ( * | TCP | UDP | ICMP | ICMPV6 | <number:0-255> ) | PROTocol=*/TCP/UDP/ICMP/ICMPV6/<number:0-255> |
		SRCPORT ( * | <number:0-65535> ) | SRCPORT=*/<number:0-65535> |
		DESTPORT ( * | <number:0-65535> ) | DESTPORT=*/<number:0-65535> |
		LINKNAME ( * | <name> ) | LINKNAME=*/<name> | SUBNET <addr> | SUBNET=<addr> }`,
	// TRANSLATE: HCH as well, as in IBM's sample profile (SEZAINST(SAMPPROF),
	// "9.37.84.49 HCH FF0000005555 HCHE00").
	"TRANSLATE": `{ <addr> ( ETHERNET | 802.3 | IBMTR | FDDI | HCH | NSAP ) <any> <name> }`,
	// The ATM statements (IBM removed them in V2R2; model/removed.go). The
	// forms of IBM's sample profile (SEZAINST(SAMPPROF): "ATMLIS LIS1
	// 9.67.100.0 255.255.255.0", "ATMPVC PVC1 LINK1", "ATMARPSV ARPSV1
	// LIS1 PVC PVC1") are confirmed; the ATMLIS options and the SVC form of
	// ATMARPSV (server address, then its NSAP ATM address) follow the
	// V2R1 IP Configuration Reference as far as tcpipc could reconstruct it
	// without its syntax diagrams: known, unconfirmed (README, "TCP/IP
	// profiles"). No abbreviations: none could be checked.
	"ATMLIS": `<name> <addr> <addr> { DFLTMTU <number:1-65535> | INACTVTIMEOUT <number> | MINHOLDTIME <number> |
		MAXCALLS <number> | CEAGGR <number:0-15> | PEAKCELLRATE <number> }`,
	"ATMPVC":   `<name> <name>`,
	"ATMARPSV": `<name> <name> ( PVC <name> | SVC <addr> NSAP <any> )`,
	// NETACCESS entries map a network to a security zone: prefix, address
	// and mask, or the default zone, then the zone name (IBM's sample
	// profile: "192.168.0.0/16 SUBNET1", "192.168.113.0 255.255.255.0
	// SUBNET2", "DEFAULT 0 DEFZONE"). INBOUND and OUTBOUND (which socket
	// calls are checked, "NETACCESS statement") are confirmed; the
	// CACHE… options, a host address without a mask and DEFAULTHOME are
	// known, unconfirmed.
	"NETACCESS": `{ INBOUND | OUTBOUND | CACHEALL | CACHEPERMIT | CACHESAME }
		{ ( <prefix> | <addr> [ <addr> ] | DEFAULT [ 0 ] | DEFAULTHOME ) <name> }`,
	// The blocks are matched as a whole, from the operands of the opening
	// statement to the END statement (line ends do not matter to the stack).
	// BSDROUTINGPARMS entries: link name, MTU, cost metric, subnet mask and
	// destination address, 0 for the last two where not used (IP
	// Configuration Reference, "BSDROUTINGPARMS statement").
	"BSDROUTINGPARMS": `( TRUE | FALSE ) { <name> ( DEFAULTSIZE | <number:1-65535> ) <number> ( <addr> | 0 ) ( <addr> | 0 ) }`,
	// DEFADDRTABLE entries: prefix/length, precedence, label ("DEFADDRTABLE
	// statement"); the bounds are those of the 2-byte fields of the profile
	// SMF record, IBM's page states none.
	"DEFADDRTABLE": `{ <prefix> <number:0-65535> <number:0-65535> }`,
	// GATEWAY entries: network, first hop, link, packet size, subnet mask and
	// value (the GATEWAY example of the X.25 NPSI configuration; IBM
	// removed the statement in V2R3, BEGINROUTES replaces it).
	"GATEWAY": `{ ( <addr> | DEFAULTNET ) ( = | <addr> ) <name> ( DEFAULTSIZE | <number:1-65535> ) [ 0 | <addr> <addr> ] }`,
	// KEEPALIVEOPTIONS: only z/VM's page of the statement could be found
	// (INTERVAL minutes, SENDGARBAGE TRUE|FALSE); z/OS took both over into
	// TCPCONFIG.
	"KEEPALIVEOPTIONS": `{ INTERVAL <number> | SENDGARBAGE ( TRUE | FALSE ) }`,
	// ASSORTEDPARMS: a block of option words from before IPCONFIG,
	// TCPCONFIG and UDPCONFIG took them over. NOFWD is IBM's own (the
	// sample profile SEZAINST(SAMPPROF) of TCP/IP for MVS on MVS/ESA 5.2.2,
	// in a public copy: ASSORTEDPARMS NOFWD ENDASSORTEDPARMS, to stop
	// forwarding between networks); the others are known, unconfirmed: no
	// IBM page of the statement could be read. From V2R1 on the IP
	// Configuration Reference has no ASSORTEDPARMS at all; model/removed.go
	// reports it on such a stack.
	"ASSORTEDPARMS": `{ NOFWD | IGNOREREDIRECT | VARSUBNETTING | SYSCONSOLEMSG | RESTRICTLOWPORTS |
		SOURCEVIPA | TCPIPSTATISTICS }`,
	// DELETE has a grammar of its own (Delete): its object is a statement
	// keyword. These are the operands after the object.
	"DELETE ATMARPSV": `<name>`,
	"DELETE ATMLIS":   `<name>`,
	"DELETE ATMPVC":   `<name> <name>`,
	"DELETE DEVICE":   `<name>`,
	"DELETE LINK":     `<name>`,
	// DELETE PORT takes one or more entries.
	"DELETE PORT":      deletePortEntry + " { " + deletePortEntry + " }",
	"DELETE PORTRANGE": `<number:0-65535> <number:1-65535> ( TCP | UDP ) <name>`,
}

// deletePortEntry is one entry of DELETE PORT, UNRSV ones too, with the
// PORT options, whose values the stack verifies and ignores (V2R2 "DELETE
// statement"); IBM's EZZ0147I tells to delete PORT UNRSV entries.
const deletePortEntry = `( <number:0-65535> | UNRSV ) ( TCP | UDP ) ( <name> | * ) { NOAUTOLOG |
	DELAYACKS | NODELAYACKS | SHAREPORT | SHAREPORTWLM | BIND <addr> | SAF <name> | NOSMC | SMC | NOSMCR |
	NOSMCD | DENY | WHENLISTEN | WHENBIND }`

// CheckedStatements returns, sorted, the top-level statement keywords whose
// operands tcpipc checks against IBM's grammar: the modelled statements
// (their participle grammars) and the unmodelled ones above. The README's
// vocabulary count is this list's length (TestVocabularyCount).
func CheckedStatements() []string {
	var out []string
	for k, s := range statements {
		if s.parser != genericParser || hasOperandSpec(k) {
			if s.block != nil && s.block.onError == skipRestOfAll && !hasOperandSpec(k) {
				continue // the block's entries are kept, not checked
			}
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// UncheckedStatements returns the statement keywords tcpipc recognises but
// whose operands it keeps without checking them.
func UncheckedStatements() []string {
	var out []string
	for k, s := range statements {
		if !hasOperandSpec(k) && (s.parser == genericParser || s.block != nil && s.block.onError == skipRestOfAll) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// specKind is the kind of a node of an operand grammar.
type specKind int

const (
	specSeq    specKind = iota // every item in order
	specAlt                    // the first item that matches
	specOpt                    // the item, or nothing
	specRep                    // the item, any number of times
	specKeywd                  // a keyword (with its minimum abbreviation)
	specNumber                 // a number, in [lo, hi]
	specAddr                   // an IP address
	specPrefix                 // an address prefix (address/length)
	specName                   // a name (upper-cased, as the stack folds it)
	specSecret                 // a credential, never shown
	specAny                    // any one operand
	specHex                    // a hexadecimal number of lo to hi digits
	specKeyVal                 // KEYword=value in one word (PKTTRACE ABBREV=200)
)

type spec struct {
	kind   specKind
	items  []*spec
	word   string // the keyword in full
	min    int    // the keyword's minimum abbreviation
	lo, hi int64
}

// operandSpecs holds each of operandGrammars parsed the first time a
// statement of its keyword is checked: parsing them all took a third of
// the package's initialisation, paid at every start of the CLI.
var operandSpecs = func() map[string]func() *spec {
	out := make(map[string]func() *spec, len(operandGrammars))
	for k, g := range operandGrammars {
		out[k] = sync.OnceValue(func() *spec { return parseSpec(g) })
	}
	return out
}()

// operandSpec is the parsed operand grammar of key, or nil when it has none.
func operandSpec(key string) *spec {
	if f := operandSpecs[key]; f != nil {
		return f()
	}
	return nil
}

// hasOperandSpec reports whether key has an operand grammar.
func hasOperandSpec(key string) bool {
	_, ok := operandGrammars[key]
	return ok
}

// specSpacer puts blanks around the notation's punctuation (one Replacer:
// building one per grammar was a tenth of the CLI's start-up).
var specSpacer = strings.NewReplacer("[", " [ ", "]", " ] ", "{", " { ", "}", " } ", "(", " ( ", ")", " ) ", "|", " | ")

// parseSpec reads the notation above; the grammars are constants, so a
// mistake in one is a panic the first time it is used (and in
// TestOperandGrammarsParse).
func parseSpec(g string) *spec {
	toks := strings.Fields(specSpacer.Replace(g))
	i := 0
	var seq func(stop string) *spec
	seq = func(stop string) *spec {
		alts := []*spec{{kind: specSeq}}
		for i < len(toks) && toks[i] != stop {
			t := toks[i]
			i++
			cur := alts[len(alts)-1]
			switch t {
			case "|":
				alts = append(alts, &spec{kind: specSeq})
			case "[":
				cur.items = append(cur.items, &spec{kind: specOpt, items: []*spec{seq("]")}})
			case "{":
				cur.items = append(cur.items, &spec{kind: specRep, items: []*spec{seq("}")}})
			case "(":
				cur.items = append(cur.items, seq(")"))
			default:
				cur.items = append(cur.items, leafSpec(t))
			}
		}
		if stop != "" {
			if i >= len(toks) {
				panic("operand grammar: missing " + stop + " in " + g)
			}
			i++
		}
		if len(alts) == 1 {
			return alts[0]
		}
		return &spec{kind: specAlt, items: alts}
	}
	return seq("")
}

func leafSpec(t string) *spec {
	switch {
	case t == "<addr>":
		return &spec{kind: specAddr}
	case t == "<prefix>":
		return &spec{kind: specPrefix}
	case t == "<name>":
		return &spec{kind: specName}
	case t == "<secret>":
		return &spec{kind: specSecret}
	case t == "<any>":
		return &spec{kind: specAny}
	case t == "<number>":
		return &spec{kind: specNumber, lo: 0, hi: 1<<31 - 1}
	case strings.HasPrefix(t, "<hex:"):
		var lo, hi int64
		if _, err := fmt.Sscanf(t, "<hex:%d-%d>", &lo, &hi); err != nil {
			panic("operand grammar: bad hex length " + t)
		}
		return &spec{kind: specHex, lo: lo, hi: hi}
	case strings.HasPrefix(t, "<number:"):
		var lo, hi int64
		if _, err := fmt.Sscanf(t, "<number:%d-%d>", &lo, &hi); err != nil {
			panic("operand grammar: bad range " + t)
		}
		return &spec{kind: specNumber, lo: lo, hi: hi}
	}
	if key, vals, ok := strings.Cut(t, "="); ok && key != "" && vals != "" {
		// KEY=a/b/c: the key, then the value's alternatives.
		kv := &spec{kind: specKeyVal, items: []*spec{leafSpec(key)}}
		for _, v := range strings.Split(vals, "/") {
			kv.items = append(kv.items, leafSpec(v))
		}
		return kv
	}
	min := len(strings.TrimRight(t, "abcdefghijklmnopqrstuvwxyz"))
	return &spec{kind: specKeywd, word: strings.ToUpper(t), min: min}
}

// valueFits reports whether v, the value part of a KEY=value word, is one
// of the value leaves of a specKeyVal.
func valueFits(s *spec, v string) bool {
	for _, alt := range s.items[1:] {
		switch alt.kind {
		case specKeywd:
			if keywordMatches(alt, v) {
				return true
			}
		case specNumber:
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= alt.lo && n <= alt.hi {
				return true
			}
		case specAddr:
			if _, err := netip.ParseAddr(v); err == nil {
				return true
			}
		case specName:
			if v != "" && !strings.ContainsAny(v, "=*") {
				return true
			}
		case specAny:
			return true
		}
	}
	return false
}

// String renders a spec in the pinned grammar's notation.
func (s *spec) String() string {
	join := func(sep string) string {
		var parts []string
		for _, it := range s.items {
			parts = append(parts, it.String())
		}
		return strings.Join(parts, sep)
	}
	switch s.kind {
	case specSeq:
		return join(" ")
	case specAlt:
		return "( " + join(" | ") + " )"
	case specOpt:
		return "[ " + join(" ") + " ]"
	case specRep:
		return "{ " + join(" ") + " }"
	case specKeywd:
		if s.min < len(s.word) {
			return `"` + s.word[:s.min] + `"` + strings.ToLower(s.word[s.min:])
		}
		return `"` + s.word + `"`
	case specNumber:
		if s.lo == 0 && s.hi == 1<<31-1 {
			return "<number>"
		}
		return fmt.Sprintf("<number %d-%d>", s.lo, s.hi)
	case specAddr:
		return "<addr>"
	case specPrefix:
		return "<prefix>"
	case specName:
		return "<name>"
	case specSecret:
		return "<secret>"
	case specHex:
		return fmt.Sprintf("<hex %d-%d digits>", s.lo, s.hi)
	case specKeyVal:
		var vals []string
		for _, it := range s.items[1:] {
			vals = append(vals, it.String())
		}
		return s.items[0].String() + "=" + strings.Join(vals, "/")
	}
	return "<any>"
}

// keywords lists the keywords of a spec, for suggestions.
func (s *spec) keywords(out []string) []string {
	if s.kind == specKeywd {
		return append(out, s.word)
	}
	if s.kind == specKeyVal {
		return append(out, s.items[0].word)
	}
	for _, it := range s.items {
		out = it.keywords(out)
	}
	return out
}

// vocabularyGrammar renders the unmodelled statements' grammars for the
// pinned EBNF.
func vocabularyGrammar() string {
	var keys []string
	for k := range operandGrammars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %q %s .\n", k, k, operandSpec(k))
	}
	return b.String()
}

// operandMatch matches a statement's operand tokens against its spec.
type operandMatch struct {
	toks []lexer.Token
	raw  func(t *lexer.Token) string // the token as written, upper case
	// far is the furthest token any alternative reached, and why it
	// stopped there (for the message).
	far    int
	reason string
	// secret marks the operands that are credentials (nil until the first:
	// most statements have none, and DEVICE, LINK and INTERFACE are
	// matched once per statement).
	secret map[int]bool
}

// markSecret marks operand i as a credential.
func (m *operandMatch) markSecret(i int) {
	if m.secret == nil {
		m.secret = map[int]bool{}
	}
	m.secret[i] = true
}

// match returns the position after s matched from i, or -1.
func (m *operandMatch) match(s *spec, i int) int {
	switch s.kind {
	case specSeq:
		for _, it := range s.items {
			if i = m.match(it, i); i < 0 {
				return -1
			}
		}
		return i
	case specAlt:
		for _, it := range s.items {
			if j := m.match(it, i); j >= 0 {
				return j
			}
		}
		return -1
	case specOpt:
		if j := m.match(s.items[0], i); j >= 0 {
			return j
		}
		return i
	case specRep:
		for {
			j := m.match(s.items[0], i)
			if j <= i {
				return i
			}
			i = j
		}
	}
	if i >= len(m.toks) {
		m.reach(i, "")
		return -1
	}
	t := &m.toks[i]
	ok := false
	switch s.kind {
	case specKeywd:
		ok = keywordMatches(s, t.Value) || keywordMatches(s, m.raw(t))
	case specNumber:
		if t.Type == Number {
			n, err := strconv.ParseInt(t.Value, 10, 64)
			ok = err == nil && n >= s.lo && n <= s.hi
			if !ok {
				m.reach(i, fmt.Sprintf("%s is out of range: the value must be from %d to %d.", m.raw(t), s.lo, s.hi))
				return -1
			}
		}
	case specAddr:
		ok = addrSet.has(t.Type)
	case specPrefix:
		ok = t.Type == Prefix || t.Type == Symbolic
	case specName:
		ok = nameSet.has(t.Type)
	case specSecret:
		ok = nameSet.has(t.Type) || t.Type == String || t.Type == Symbolic
		if ok {
			m.markSecret(i)
		}
	case specAny:
		ok = true
	case specKeyVal:
		key, val, found := strings.Cut(m.raw(t), "=")
		if t.Type != Word || !found || !keywordMatches(s.items[0], key) {
			break
		}
		if ok = valueFits(s, val); !ok {
			m.reach(i, fmt.Sprintf("%s is not a value of %s: it takes %s.", val, s.items[0].word, s))
			return -1
		}
	case specHex:
		v := m.raw(t)
		ok = (t.Type == Word || t.Type == Number) && int64(len(v)) >= s.lo && int64(len(v)) <= s.hi &&
			strings.Trim(v, "0123456789ABCDEF") == ""
	}
	if !ok {
		m.reach(i, "")
		return -1
	}
	return i + 1
}

func (m *operandMatch) reach(i int, reason string) {
	if i > m.far || (i == m.far && m.reason == "") {
		m.far, m.reason = i, reason
	}
}

// keywordMatches reports whether v spells the keyword: in full, or
// shortened to no less than its minimum abbreviation.
func keywordMatches(s *spec, v string) bool {
	return v == s.word || len(v) >= s.min && len(v) < len(s.word) && strings.HasPrefix(s.word, v)
}

// checkOperands matches the operands of an unmodelled statement (tokens
// [opStart, end)) against the grammar of key. It reports the first operand
// that does not fit, hides <secret> operands, and returns how
// many operands belong to the statement: the ones after the grammar's end
// belong to no statement and are reported once, not swallowed.
func (p *parser) checkOperands(key string, ops []*Operand, opStart, end int) int {
	s := operandSpec(key)
	if s == nil {
		return len(ops)
	}
	m := &operandMatch{toks: p.operandTokens(opStart, end), raw: func(t *lexer.Token) string {
		if f := p.files[t.Pos.Filename]; f != nil {
			return upperRaw(f.Text, t.Pos.Offset, t.Value)
		}
		return t.Value
	}}
	n := m.match(s, 0)
	if n >= 0 && n < len(m.toks) && (m.far > n || m.far == n && m.reason != "") {
		// A repeated entry was begun but not finished (a block entry
		// without its last field): the fault is inside that entry.
		n = -1
	}
	// Secrets are hidden before any finding is worded: the finding may
	// name the very token, and its snippet shows the line.
	m.hideLexically(s, n)
	for i := range m.toks {
		if m.secret[i] {
			p.hide(opStart + i)
			if i < len(ops) {
				ops[i].Text = "<redacted>"
			}
		}
	}
	syntax := fmt.Sprintf("%s takes %s", key, s)
	if len(syntax) > 160 {
		// A long list of options says less than the suggestion does.
		syntax = fmt.Sprintf("%s takes the operands its grammar lists (grammar/profile/grammar.ebnf, or the IP Configuration Reference)", key)
	}
	switch {
	case n < 0 && m.far >= len(m.toks):
		// At the last operand: in a block that is the entry short of a
		// field, not the opening statement lines above it.
		d := p.errorAt(opStart-1+len(m.toks), "incomplete %s statement", key)
		d.Detail = syntax + "."
	case n < 0:
		at := opStart + m.far
		t := p.viewAt(at)
		d := p.errorAt(at, "%s: unexpected %s", key, describe(t))
		d.Detail = m.reason
		if d.Detail == "" {
			d.Detail = syntax + "."
			if t.Type == Word {
				if sg := Suggest(t.Value, s.keywords(nil)); sg != "" {
					d.Detail = "Did you mean " + sg + "? " + d.Detail
				}
			}
		}
	case n < len(m.toks):
		at := opStart + n
		t := p.viewAt(at)
		p.reported = at + 1
		d := p.errorAt(at, "%s is not a profile statement, nor an operand of %s", describe(t), key)
		d.Detail = syntax + "; the stack rejects a word that begins no statement."
		if hint := tcpipDataHint(t); hint != "" {
			d.Detail = hint + " " + d.Detail
		} else if t.Type == Word {
			if sg := Suggest(t.Value, append(s.keywords(nil), TopLevelStatements()...)); sg != "" {
				d.Detail = "Did you mean " + sg + "? " + d.Detail
			}
		}
	}
	if n < 0 {
		n = len(m.toks)
	}
	return n
}

// hideLexically marks secrets whatever the grammar made of the operands
// (n is where the match ended, -1 when it failed): the operand after any
// keyword that takes a <secret> (SACONFIG AGENT 0 COMMUNITY x fails at 0,
// before the match reaches x), and, when the operands do not all fit,
// every operand after the first such keyword, since where the secret
// ends is then unknown.
func (m *operandMatch) hideLexically(s *spec, n int) {
	keys := secretKeywords(s, nil)
	if len(keys) == 0 {
		return
	}
	first := -1
	for i := range m.toks {
		if !slices.ContainsFunc(keys, func(k *spec) bool { return m.spells(k, &m.toks[i]) }) {
			continue
		}
		if first < 0 {
			first = i
		}
		if i+1 < len(m.toks) {
			m.markSecret(i + 1)
		}
	}
	if first >= 0 && (n < 0 || n < len(m.toks)) {
		for i := first + 1; i < len(m.toks); i++ {
			m.markSecret(i)
		}
	}
}

// spells reports whether t is the keyword k, as written or as lexed.
func (m *operandMatch) spells(k *spec, t *lexer.Token) bool {
	return keywordMatches(k, strings.ToUpper(t.Value)) || keywordMatches(k, m.raw(t))
}

// secretKeywords appends the keywords of s that a <secret> follows.
func secretKeywords(s *spec, out []*spec) []*spec {
	for i, it := range s.items {
		if it.kind == specKeywd && s.kind == specSeq && i+1 < len(s.items) && s.items[i+1].kind == specSecret {
			out = append(out, it)
		}
		out = secretKeywords(it, out)
	}
	return out
}

// checkVocabulary checks the operands of the unmodelled statements and
// returns where the statement at start really ends (see checkOperands).
func (p *parser) checkVocabulary(st Statement, keyword string, start, end int) int {
	switch s := st.(type) {
	case *Generic:
		if n := p.checkOperands(keyword, s.Operands, start+1, end); n < len(s.Operands) {
			s.Operands = s.Operands[:n:n]
			s.Node = s.Sub(0, 1+n)
			return start + 1 + n
		}
	case *Device:
		s.Type = canonicalType(s.Type)
		p.checkTyped("DEVICE", s.Type, "devices", start+3, end)
	case *Link:
		s.Type = canonicalType(s.Type)
		p.checkTyped("LINK", s.Type, "links", start+3, end)
	case *Interface:
		p.checkInterface(s, end-len(s.Operands), end)
	case *Delete:
		if n := p.checkOperands("DELETE "+s.Object, s.Operands, start+2, end); n < len(s.Operands) {
			s.Operands = s.Operands[:n:n]
			s.Node = s.Sub(0, 2+n)
			return start + 2 + n
		}
	}
	return end
}

// optionValues lists, for option keywords of the modelled statements whose
// value is one word of a fixed set, the words IBM allows. A word outside
// the set is reported at the word with a suggestion, before the statement
// grammar runs: left to the grammar, the word would be read as the next
// operand (DISTMETHOD BASEWML took BASEWML for the DVIPA's interface name)
// and the message would be about something else.
//
// A switch rather than a map: every word of every modelled statement is
// looked up, and hashing each showed in a parse's CPU profile.
func optionValues(option string) []string {
	switch option {
	case "DISTMETHOD":
		return distMethods
	case "MOVEABLE":
		return moveableModes
	case "ROUTING":
		return routingValues
	case "DIRECTION":
		return directionValues
	}
	return nil
}

var (
	distMethods     = []string{"BASEWLM", "ROUNDROBIN", "SERVERWLM", "WEIGHTEDACTIVE", "HOTSTANDBY", "TARGCONTROLLED"}
	moveableModes   = []string{"IMMEDIATE", "WHENIDLE", "NONDISRUPTIVE", "DISRUPTIVE"}
	routingValues   = []string{"LOCAL", "ROUTED", "EITHER"}
	directionValues = []string{"BIDIRECTIONAL", "INBOUND", "OUTBOUND"}
)

// badOptionValue reports the first option value outside its set in the
// statement at start (its tokens up to the next statement keyword), and
// whether there was one.
func (p *parser) badOptionValue(start int) bool {
	for i := start + 1; i+1 < len(p.toks) && p.toks[i].typ != int8(Stmt) && !p.eofAt(i); i++ {
		if p.toks[i].typ != int8(Word) {
			continue
		}
		option := p.valueAt(i)
		allowed := optionValues(option)
		if allowed == nil {
			continue
		}
		v := p.viewAt(i + 1)
		if v.Type != Word || slices.Contains(allowed, v.Value) {
			continue
		}
		d := p.errorAt(i+1, "%s: %s is not a value of %s", p.valueAt(start), describe(v), option)
		d.Detail = fmt.Sprintf("%s takes one of %s.", option, strings.Join(allowed, ", "))
		if sg := Suggest(v.Value, allowed); sg != "" {
			d.Detail = "Did you mean " + sg + "? " + d.Detail
		}
		return true
	}
	return false
}

// hide blanks a credential in its file's text with asterisks, so that no
// snippet shows it; the syntax tree keeps "<redacted>" in its place.
// The file's text may be the caller's buffer, so the first credential of a
// file makes the parser a copy of its own.
func (p *parser) hide(i int) {
	p.setValue(i, "<redacted>")
	f := p.fileOf(i)
	if !p.copied[f] {
		if p.copied == nil {
			p.copied = map[*source.File]bool{}
		}
		p.copied[f] = true
		f.Text = append([]byte(nil), f.Text...)
	}
	for k, n := p.offsetAt(i), rawLen(f.Text, p.offsetAt(i)); n > 0; k, n = k+1, n-1 {
		f.Text[k] = '*'
	}
}

// VocabularyTable renders, as a Markdown table, every top-level statement
// tcpipc recognises and how it reads it: with a participle grammar of its
// own (modelled), with an operand grammar of this file (checked, not
// simulated), or kept as written. docs/profile-vocabulary.md holds it
// (TestVocabularyDoc keeps it current).
func VocabularyTable() string {
	var b strings.Builder
	b.WriteString("| statement | read as | grammar |\n|---|---|---|\n")
	for _, k := range TopLevelStatements() {
		s := statements[k]
		how, grammar := "modelled", s.parser.name
		switch {
		case hasOperandSpec(k):
			how, grammar = "operands checked, not simulated", "vocabulary: "+k
		case s.parser == genericParser || s.block != nil && s.block.onError == skipRestOfAll:
			how, grammar = "kept as written", "—"
		case s.unsupported:
			how = "operands checked, not simulated"
		}
		if k == "DEVICE" || k == "LINK" {
			grammar += ", then the form of its type (devices.go)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", k, how, grammar)
	}
	return b.String()
}
