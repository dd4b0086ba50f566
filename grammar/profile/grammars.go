package profile

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// stmtParser parses one statement (or block header, or block entry) from
// the shared token stream, leaving the cursor after its last operand:
// descent is the hand-written parser for the plain path, parse the
// participle grammar that specifies it (see descent.go).
type stmtParser struct {
	name    string       // for the pinned EBNF
	typ     reflect.Type // the tree's node
	twin    reflect.Type // the node participle fills (twins.go)
	descent func(*cursor) Statement
	parse   func(*lexer.PeekingLexer) (any, error) // a *P of build, or nil
	grammr  func() string
}

func build[T, P any](name string, descent func(*cursor) Statement) *stmtParser {
	// participle builds a grammar in a millisecond or so; there are dozens,
	// and most runs never leave the hand-written parsers, so each is built
	// the first time it is needed (a CLI command started 10 ms sooner).
	// TestGrammarPinned builds them all, so a broken grammar still fails.
	// participle fills P, T's twin (twins.go), and the driver copies it
	// into a T (fromParticiple).
	grammar := sync.OnceValue(func() *participle.Parser[P] {
		return participle.MustBuild[P](
			participle.Lexer(definition{}),
			participle.UseLookahead(2),
		)
	})
	return &stmtParser{
		name:    name,
		typ:     reflect.TypeFor[T](),
		twin:    reflect.TypeFor[P](),
		descent: descent,
		parse: func(l *lexer.PeekingLexer) (any, error) {
			v, err := grammar().ParseFromLexer(l, participle.AllowTrailing(true))
			if v == nil {
				return nil, err
			}
			return v, err
		},
		grammr: func() string { return untwin(grammar().String()) },
	}
}

// blockSpec describes a statement that opens a block.
type blockSpec struct {
	end string
	// members maps the keyword of each statement allowed inside the block
	// to its parser; entry, when set, parses entries that begin with a
	// name instead of a keyword (AUTOLOG).
	members map[string]*stmtParser
	entry   *stmtParser
	// onError is what the stack does with the block after a syntax error
	// in one of its entries.
	onError errorPolicy
}

type errorPolicy int

const (
	skipEntry     errorPolicy = iota // only the bad entry is skipped
	skipRest                         // the rest of the block is ignored
	discardBlock                     // the whole block is discarded
	skipRestOfAll                    // unsupported blocks: nothing is modelled anyway
)

// stmtKind is how the driver handles a top-level statement keyword.
type stmtKind struct {
	parser      *stmtParser
	block       *blockSpec
	unsupported bool
}

var (
	genericParser = build[Generic, pGeneric]("Generic", parseGeneric)
	endParser     = build[End, pEnd]("End", parseEnd)

	vipaDefineParser = build[VIPADefine, pVIPADefine]("VIPADefine", parseVIPADefine)
	ipsecRuleParser  = build[IPSecRule, pIPSecRule]("IPSecRule", parseIPSecRule)

	statements = map[string]*stmtKind{
		"INCLUDE":          {parser: build[Include, pInclude]("Include", parseInclude)},
		"IPCONFIG":         {parser: build[IPConfig, pIPConfig]("IPConfig", parseIPConfig)},
		"IPCONFIG6":        {parser: build[IPConfig, pIPConfig]("IPConfig", parseIPConfig)},
		"GLOBALCONFIG":     {parser: build[GlobalConfig, pGlobalConfig]("GlobalConfig", parseGlobalConfig)},
		"TCPCONFIG":        {parser: build[Config, pConfig]("Config", parseConfig)},
		"UDPCONFIG":        {parser: build[Config, pConfig]("Config", parseConfig)},
		"HOME":             {parser: build[Home, pHome]("Home", parseHome)},
		"PRIMARYINTERFACE": {parser: build[PrimaryInterface, pPrimaryInterface]("PrimaryInterface", parsePrimaryInterface)},
		"DEVICE":           {parser: build[Device, pDevice]("Device", parseDevice)},
		"LINK":             {parser: build[Link, pLink]("Link", parseLink)},
		"INTERFACE":        {parser: build[Interface, pInterface]("Interface", parseInterface)},
		"PORT":             {parser: build[Port, pPort]("Port", parsePort)},
		"START":            {parser: build[StartStop, pStartStop]("StartStop", parseStartStop)},
		"STOP":             {parser: build[StartStop, pStartStop]("StartStop", parseStartStop)},
		"PORTRANGE":        {parser: build[PortRange, pPortRange]("PortRange", parsePortRange)},
		"DELETE":           {parser: build[Delete, pDelete]("Delete", parseDelete), unsupported: true},
		"IPSEC": {parser: build[IPSec, pIPSec]("IPSec", parseIPSec), block: &blockSpec{
			end:     "ENDIPSEC",
			members: map[string]*stmtParser{"IPSECRULE": ipsecRuleParser, "IPSEC6RULE": ipsecRuleParser},
			onError: skipEntry,
		}},
		"VIPADYNAMIC": {parser: build[VIPADynamic, pVIPADynamic]("VIPADynamic", parseVIPADynamic), block: &blockSpec{
			end: "ENDVIPADYNAMIC",
			members: map[string]*stmtParser{
				"VIPADEFINE":     vipaDefineParser,
				"VIPABACKUP":     build[VIPABackup, pVIPABackup]("VIPABackup", parseVIPABackup),
				"VIPADELETE":     build[VIPADelete, pVIPADelete]("VIPADelete", parseVIPADelete),
				"VIPADISTRIBUTE": build[VIPADistribute, pVIPADistribute]("VIPADistribute", parseVIPADistribute),
				"VIPARANGE":      build[VIPARange, pVIPARange]("VIPARange", parseVIPARange),
				"VIPAROUTE":      build[VIPARoute, pVIPARoute]("VIPARoute", parseVIPARoute),
				"VIPASMPARMS":    build[VIPASMParms, pVIPASMParms]("VIPASMParms", parseVIPASMParms),
			},
			onError: skipRest,
		}},
		"SRCIP": {parser: build[SrcIP, pSrcIP]("SrcIP", parseSrcIP), block: &blockSpec{
			end: "ENDSRCIP",
			members: map[string]*stmtParser{
				"DESTINATION": build[SrcIPEntry, pSrcIPEntry]("SrcIPEntry", parseSrcIPEntry),
				"JOBNAME":     build[SrcIPEntry, pSrcIPEntry]("SrcIPEntry", parseSrcIPEntry),
			},
			onError: discardBlock,
		}},
		"AUTOLOG": {parser: build[Autolog, pAutolog]("Autolog", parseAutolog), block: &blockSpec{
			end: "ENDAUTOLOG", entry: build[AutologEntry, pAutologEntry]("AutologEntry", parseAutologEntry), onError: skipEntry,
		}},
		"BEGINROUTES": {parser: build[Routes, pRoutes]("Routes", parseRoutes), block: &blockSpec{
			end:     "ENDROUTES",
			members: map[string]*stmtParser{"ROUTE": build[Route, pRoute]("Route", parseRoute)},
			onError: skipEntry,
		}},
	}
)

func init() {
	// Every other statement keyword is recognised and kept as a Generic
	// statement; the few IBM statements that open a block of their own
	// swallow everything up to their END statement.
	unsupportedBlocks := map[string]string{
		"BSDROUTINGPARMS":  "ENDBSDROUTINGPARMS",
		"NETACCESS":        "ENDNETACCESS",
		"ASSORTEDPARMS":    "ENDASSORTEDPARMS",
		"KEEPALIVEOPTIONS": "ENDKEEPALIVEOPTIONS",
		"DEFADDRTABLE":     "ENDDEFADDRTABLE",
		"TELNETPARMS":      "ENDTELNETPARMS",
		"BEGINVTAM":        "ENDVTAM",
	}
	for k := range isStatement {
		if _, ok := statements[k]; ok || strings.HasPrefix(k, "END") {
			continue
		}
		if isBlockMember(k) {
			continue
		}
		kind := &stmtKind{parser: genericParser, unsupported: true}
		if end, ok := unsupportedBlocks[k]; ok {
			kind.block = &blockSpec{end: end, onError: skipRestOfAll}
		}
		statements[k] = kind
	}
}

func isBlockMember(k string) bool {
	for _, s := range statements {
		if s.block != nil && s.block.members[k] != nil {
			return true
		}
	}
	return false
}

// TopLevelStatements returns the statement keywords valid outside blocks.
func TopLevelStatements() []string {
	var out []string
	for k := range statements {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// allParsers returns every statement parser once, by name.
func allParsers() []*stmtParser {
	seen := map[string]bool{}
	var parsers []*stmtParser
	add := func(p *stmtParser) {
		if p != nil && !seen[p.name] {
			seen[p.name] = true
			parsers = append(parsers, p)
		}
	}
	add(genericParser)
	add(endParser)
	for _, k := range TopLevelStatements() {
		s := statements[k]
		add(s.parser)
		if s.block != nil {
			add(s.block.entry)
			var members []string
			for m := range s.block.members {
				members = append(members, m)
			}
			sort.Strings(members)
			for _, m := range members {
				add(s.block.members[m])
			}
		}
	}
	sort.Slice(parsers, func(i, j int) bool { return parsers[i].name < parsers[j].name })
	return parsers
}

// Grammar returns the EBNF of every statement grammar, one section per
// grammar, in a stable order. A test pins it against grammar.ebnf.
func Grammar() string {
	parsers := allParsers()
	var b strings.Builder
	b.WriteString("(* TCP/IP profile statement grammars; generated by profile.Grammar, pinned by TestGrammarPinned. *)\n")
	b.WriteString("(* Blocks: a block statement, its member statements, then its END statement:\n")
	for _, k := range TopLevelStatements() {
		s := statements[k]
		if s.block == nil {
			continue
		}
		var members []string
		for m := range s.block.members {
			members = append(members, m)
		}
		if s.block.entry != nil {
			members = append(members, "<entry>")
		}
		sort.Strings(members)
		fmt.Fprintf(&b, "   %s { %s } %s\n", k, strings.Join(members, " | "), s.block.end)
	}
	b.WriteString("*)\n")
	fmt.Fprintf(&b, "\n(* Leaves, matched by hand (leaves.go) *)\n%s", leafGrammar())
	fmt.Fprintf(&b, "\n(* Operands of the unmodelled statements (Generic, Delete), matched by hand (vocabulary.go) *)\n%s", vocabularyGrammar())
	fmt.Fprintf(&b, "\n(* DEVICE and LINK operands by type, matched by hand after the Device and Link grammars (devices.go) *)\n%s", typedGrammar())
	fmt.Fprintf(&b, "\n(* INTERFACE … DEFINE operands by type, in any order, matched by hand after the Interface grammar (interfaces.go) *)\n%s", interfaceGrammar())
	for _, p := range parsers {
		fmt.Fprintf(&b, "\n(* %s *)\n%s\n", p.name, p.grammr())
	}
	return b.String()
}

// untwin names the productions of a twin's grammar (participle writes
// pVIPADefine as PVIPADefine) as the tree's node (VIPADefine): the pinned
// grammar shows the tree's types. Only a production name has a lower-case
// letter (keywords are quoted upper case, token types <lower case>).
func untwin(ebnf string) string { return twinName.ReplaceAllString(ebnf, "$1") }

var twinName = regexp.MustCompile(`\bP([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)\b`)
