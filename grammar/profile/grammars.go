package profile

import (
	"fmt"
	"reflect"
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
	name    string // for the pinned EBNF
	typ     reflect.Type
	descent func(*cursor) Statement
	parse   func(*lexer.PeekingLexer) (Statement, error)
	grammr  func() string
}

func build[T any](name string, descent func(*cursor) Statement) *stmtParser {
	// participle builds a grammar in a millisecond or so; there are dozens,
	// and most runs never leave the hand-written parsers, so each is built
	// the first time it is needed (a CLI command started 10 ms sooner).
	// TestGrammarPinned builds them all, so a broken grammar still fails.
	grammar := sync.OnceValue(func() *participle.Parser[T] {
		return participle.MustBuild[T](
			participle.Lexer(definition{}),
			participle.UseLookahead(2),
		)
	})
	return &stmtParser{
		name:    name,
		typ:     reflect.TypeFor[T](),
		descent: descent,
		parse: func(l *lexer.PeekingLexer) (Statement, error) {
			v, err := grammar().ParseFromLexer(l, participle.AllowTrailing(true))
			if v == nil {
				return nil, err
			}
			return any(v).(Statement), err
		},
		grammr: func() string { return grammar().String() },
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
	genericParser = build[Generic]("Generic", parseGeneric)
	endParser     = build[End]("End", parseEnd)

	vipaDefineParser = build[VIPADefine]("VIPADefine", parseVIPADefine)
	ipsecRuleParser  = build[IPSecRule]("IPSecRule", parseIPSecRule)

	statements = map[string]*stmtKind{
		"INCLUDE":          {parser: build[Include]("Include", parseInclude)},
		"IPCONFIG":         {parser: build[IPConfig]("IPConfig", parseIPConfig)},
		"IPCONFIG6":        {parser: build[IPConfig]("IPConfig", parseIPConfig)},
		"GLOBALCONFIG":     {parser: build[GlobalConfig]("GlobalConfig", parseGlobalConfig)},
		"TCPCONFIG":        {parser: build[Config]("Config", parseConfig)},
		"UDPCONFIG":        {parser: build[Config]("Config", parseConfig)},
		"HOME":             {parser: build[Home]("Home", parseHome)},
		"PRIMARYINTERFACE": {parser: build[PrimaryInterface]("PrimaryInterface", parsePrimaryInterface)},
		"DEVICE":           {parser: build[Device]("Device", parseDevice)},
		"LINK":             {parser: build[Link]("Link", parseLink)},
		"INTERFACE":        {parser: build[Interface]("Interface", parseInterface)},
		"PORT":             {parser: build[Port]("Port", parsePort)},
		"START":            {parser: build[StartStop]("StartStop", parseStartStop)},
		"STOP":             {parser: build[StartStop]("StartStop", parseStartStop)},
		"PORTRANGE":        {parser: build[PortRange]("PortRange", parsePortRange)},
		"DELETE":           {parser: build[Delete]("Delete", parseDelete), unsupported: true},
		"IPSEC": {parser: build[IPSec]("IPSec", parseIPSec), block: &blockSpec{
			end:     "ENDIPSEC",
			members: map[string]*stmtParser{"IPSECRULE": ipsecRuleParser, "IPSEC6RULE": ipsecRuleParser},
			onError: skipEntry,
		}},
		"VIPADYNAMIC": {parser: build[VIPADynamic]("VIPADynamic", parseVIPADynamic), block: &blockSpec{
			end: "ENDVIPADYNAMIC",
			members: map[string]*stmtParser{
				"VIPADEFINE":     vipaDefineParser,
				"VIPABACKUP":     build[VIPABackup]("VIPABackup", parseVIPABackup),
				"VIPADELETE":     build[VIPADelete]("VIPADelete", parseVIPADelete),
				"VIPADISTRIBUTE": build[VIPADistribute]("VIPADistribute", parseVIPADistribute),
				"VIPARANGE":      build[VIPARange]("VIPARange", parseVIPARange),
				"VIPAROUTE":      build[VIPARoute]("VIPARoute", parseVIPARoute),
				"VIPASMPARMS":    build[VIPASMParms]("VIPASMParms", parseVIPASMParms),
			},
			onError: skipRest,
		}},
		"SRCIP": {parser: build[SrcIP]("SrcIP", parseSrcIP), block: &blockSpec{
			end: "ENDSRCIP",
			members: map[string]*stmtParser{
				"DESTINATION": build[SrcIPEntry]("SrcIPEntry", parseSrcIPEntry),
				"JOBNAME":     build[SrcIPEntry]("SrcIPEntry", parseSrcIPEntry),
			},
			onError: discardBlock,
		}},
		"AUTOLOG": {parser: build[Autolog]("Autolog", parseAutolog), block: &blockSpec{
			end: "ENDAUTOLOG", entry: build[AutologEntry]("AutologEntry", parseAutologEntry), onError: skipEntry,
		}},
		"BEGINROUTES": {parser: build[Routes]("Routes", parseRoutes), block: &blockSpec{
			end:     "ENDROUTES",
			members: map[string]*stmtParser{"ROUTE": build[Route]("Route", parseRoute)},
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

// Grammar returns the EBNF of every statement grammar, one section per
// grammar, in a stable order. A test pins it against grammar.ebnf.
func Grammar() string {
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
