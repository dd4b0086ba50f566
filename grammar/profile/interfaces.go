package profile

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// The operands of INTERFACE … DEFINE depend on the interface type, as
// those of DEVICE and LINK do on theirs (devices.go): the stack rejects an
// operand of one type on another, and a value outside its set. They are
// checked the same way, with the same notation. After DEFINE and the type
// the operands may come in any order: IBM's own conversion example writes
// "DEFINE IPAQENET INBPERF DYNAMIC IPADDR 172.16.1.1/24 PORTNAME QDIO4101
// PRIROUTER" (V2R1 IP Configuration Guide, "Use the INTERFACE statement to
// configure IPv4 definitions"), although the Reference's rule asks for the
// required ones first.
//
// Sources. IPAQIDIO's operands are those of its syntax diagram (IP
// Configuration Reference, "INTERFACE — IPAQIDIO HiperSockets interfaces
// statement"; IBM's example "INTERFACE HSINTF1 DEFINE IPAQIDIO IPADDR
// 200.16.1.1/24 CHPID FE SOURCEVIPAINTERFACE VIPA4811L"). The OSA-Express
// types (IPAQENET, IPAQENET6) take the options of the LINK IPAQENET
// statement and the port, router roles and IPv6 address operands their
// pages describe; VIRTUAL takes IPADDR, one address (its syntax diagram,
// V2R4 IP Configuration Reference, "INTERFACE - VIRTUAL interfaces
// statement": "INTERFACE VIPAV4 DEFINE VIRTUAL IPADDR 9.1.1.1"); MPCPTP6 the TRLE name
// and addresses of the dynamic XCF interfaces ("DEFINE MPCPTP6 TRLENAME
// …"). SMCR's PFID and SMCRIPADDR are written as IBM's z/OS 3.2
// presentation on EQENET migration writes them ("SMCR PFID 3140
// SMCRIPADDR 16.12.37.165"). The syntax diagrams of the other types could
// not be read: their lists come from the operands' descriptions, so, as
// for DEVICE and LINK, a word tcpipc knows on no type is a warning and an
// operand of another type an error. The abbreviations are those IBM's
// examples write (SOURCEVIPAINTerface: "SOURCEVIPAINT SVIPA1" in the
// sysplex distributor example of the IP Configuration Guide); the others
// are known in full only.
var (
	interfaceOptionGrammars = map[string]string{
		"PORTNAME":  `PORTNAME <name>`,
		"CHPIDTYPE": `CHPIDTYPE ( OSD | OSX )`,
		"CHPID":     `CHPID <hex:1-2>`,
		"TRLENAME":  `TRLENAME <name>`,
		"IPADDR":    `IPADDR ( <prefix> | <addr> )`,
		// VIRTUAL: "one IPv4 address specified in dotted decimal form" (V2R4
		// IP Configuration Reference, "INTERFACE - VIRTUAL interfaces
		// statement"), no prefix.
		"IPADDRV": `IPADDR <addr>`,
		// IPv6: one or more addresses or prefixes.
		"IPADDR6":             `IPADDR ( <prefix> | <addr> ) { <prefix> | <addr> }`,
		"TEMPIP":              `TEMPIP`,
		"INTFID":              `INTFID <any>`,
		"DUPADDRDET":          `DUPADDRDET <number:0-2>`,
		"TEMPPREFIX":          `TEMPPREFIX ( ALL | NONE | <prefix> { <prefix> } )`,
		"MTU":                 `MTU <number:1-65535>`,
		"VLANID":              `VLANID <number:1-4094>`,
		"VMAC":                `VMAC [ <hex:12-12> ] [ ROUTEALL | ROUTELCL ]`,
		"READSTORAGE":         `READSTORAGE ( GLOBAL | MAX | AVG | MIN )`,
		"INBPERF":             `INBPERF ( BALANCED | DYNAMIC [ WORKLOADQ | NOWORKLOADQ ] | MINCPU | MINLATENCY )`,
		"SOURCEVIPAINTERFACE": `SOURCEVIPAINTerface <name>`,
		"SECCLASS":            `SECCLASS <number:1-255>`,
		"SMCR":                `SMCR [ PFID <hex:1-4> [ SMCRIPADDR <addr> ] ]`,
		// The device number of a Network Express port (z17): an EQENET
		// interface's, per the z/OS 3.2 IP Configuration Guide ("OSA
		// VLAN": for EQENET "the device number is assigned by the DEVNUM
		// parameter on the INTERFACE statement"). [K] On IPAQENET, as the
		// migration form of IBM's presentation "z/OS Communications Server
		// use of Network Express Feature" (not read here). No syntax
		// diagram of it could be read.
		"DEVNUM": `DEVNUM <hex:1-4>`,
	}
	interfaceFlags = strings.Fields(`IPBCAST PRIROUTER SECROUTER NONROUTER MONSYSPLEX NOMONSYSPLEX
		DYNVLANREG NODYNVLANREG OLM NOOLM ISOLATE NOISOLATE OPTLATENCY NOOPTLATENCY NOSMCR SMCD NOSMCD`)

	// Each type's operands (the names of the grammars and flags above).
	// qdioPort are the operands of an OSA port driven by QDIO: the
	// Network Express interfaces take none of them (below).
	qdioPort  = `PORTNAME CHPIDTYPE PRIROUTER SECROUTER READSTORAGE INBPERF DYNVLANREG OLM `
	osaCommon = `DEVNUM NONROUTER MTU VLANID VMAC SOURCEVIPAINTERFACE SECCLASS MONSYSPLEX NOMONSYSPLEX
		NODYNVLANREG NOOLM ISOLATE NOISOLATE OPTLATENCY NOOPTLATENCY SMCR NOSMCR SMCD NOSMCD`
	hiperCommon     = `CHPID MTU READSTORAGE VLANID SOURCEVIPAINTERFACE SECCLASS MONSYSPLEX NOMONSYSPLEX`
	interfaceOwners = map[string]string{
		"IPAQENET":  qdioPort + osaCommon + ` IPADDR TEMPIP IPBCAST`,
		"IPAQENET6": qdioPort + osaCommon + ` IPADDR6 INTFID DUPADDRDET TEMPPREFIX`,
		// z/OS 3.2's Network Express interfaces (z17): IBM's presentation
		// "z/OS Communications Server use of Network Express Feature"
		// (support page 7231685, "EQENET and EQENET6 Parameters") lists
		// MTU, VLANID, SECCLASS, MONSYSPLEX, IPBCAST, ISOLATE,
		// SOURCEVIPAINTERFACE, TEMPIP, SMCR and SMCD as still valid, VMAC
		// and the required DEVNUM and IPADDR, and CHPIDTYPE, PORTNAME,
		// PRIROUTER/SECROUTER, INBPERF, READSTORAGE, DYNVLANREG and OLM as
		// not supported. [K] The other OSA operands (NONROUTER,
		// OPTLATENCY, the NO forms) and the IPv6 address operands of
		// EQENET6 are assumed; no syntax diagram could be read.
		"EQENET":    osaCommon + ` IPADDR TEMPIP IPBCAST`,
		"EQENET6":   osaCommon + ` IPADDR6 INTFID DUPADDRDET TEMPPREFIX`,
		"IPAQIDIO":  hiperCommon + ` IPADDR IPBCAST`,
		"IPAQIDIO6": hiperCommon + ` IPADDR6 INTFID DUPADDRDET TEMPPREFIX`,
		"VIRTUAL":   `IPADDRV`,
		"VIRTUAL6":  `IPADDR6`,
		"MPCPTP6":   `TRLENAME IPADDR6 MTU SECCLASS MONSYSPLEX NOMONSYSPLEX`,
	}
	// The operands a type cannot do without: the OSA port, the HiperSockets
	// CHPID, the TRLE of an MPCPTP6 interface, the address of a static VIPA;
	// a Network Express interface's device number and address (IBM's
	// presentation above: "DEVNUM replaces PORTNAME – required", "IPADDR –
	// required (subnet mask required for IPv4)").
	interfaceRequired = map[string][]string{
		"IPAQENET": {"PORTNAME"}, "IPAQENET6": {"PORTNAME"}, "IPAQIDIO": {"CHPID"}, "IPAQIDIO6": {"CHPID"},
		"EQENET": {"DEVNUM", "IPADDR"}, "EQENET6": {"DEVNUM", "IPADDR"},
		"VIRTUAL": {"IPADDR"}, "MPCPTP6": {"TRLENAME"},
	}

	// interfaceForms is parsed the first time an INTERFACE is checked.
	interfaceForms = sync.OnceValues(buildInterfaceForms)
)

// buildInterfaceForms makes each type's form (no positional operands, any
// of its options) and the map of each option keyword to its types.
func buildInterfaceForms() (map[string]typedForm, map[string][]string) {
	grammar := func(name string) string {
		if g, ok := interfaceOptionGrammars[name]; ok {
			return g
		}
		return name // a flag
	}
	var all []string
	for name := range interfaceOptionGrammars {
		all = append(all, name)
	}
	all = append(all, interfaceFlags...)
	own := map[string][]string{}
	forms := map[string]typedForm{}
	for typ, names := range interfaceOwners {
		var mine []string
		for _, n := range strings.Fields(names) {
			g := grammar(n)
			mine = append(mine, g)
			kw := leafSpec(strings.Fields(g)[0]).word
			own[kw] = appendNew(own[kw], typ)
		}
		forms[typ] = typedForm{positional: parseSpec(""), options: parseSpec("{ ( " + strings.Join(mine, " | ") + " ) }")}
	}
	var anyOpt []string
	for _, n := range all {
		anyOpt = append(anyOpt, grammar(n))
	}
	anySpec := parseSpec("( " + strings.Join(anyOpt, " | ") + " )")
	for typ, f := range forms {
		f.any = anySpec
		forms[typ] = f
	}
	for _, types := range own {
		slices.Sort(types) // stable messages
	}
	return forms, own
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// checkInterface checks the operands of an INTERFACE … DEFINE statement
// against its type; ops are its operand tokens [opStart, end), the type
// first. Another action (DELETE, ADDADDR, …) is left alone.
func (p *parser) checkInterface(s *Interface, opStart, end int) {
	if s.Action != "DEFINE" || len(s.Operands) == 0 {
		return
	}
	typ := strings.ToUpper(s.Operands[0].Text)
	forms, own := interfaceForms()
	p.checkTypedForm("INTERFACE", typ, "interfaces", forms, own, opStart+1, end)
	for _, need := range interfaceRequired[typ] {
		at := -1
		for i := opStart + 1; i < end && at < 0; i++ {
			if optionKeyword(forms[typ].any, p.rawUpperAt(i)) == need {
				at = i
			}
		}
		switch {
		case at < 0:
			d := p.errorAt(opStart, "INTERFACE %s needs %s", typ, need)
			d.Detail = "An INTERFACE … DEFINE " + typ + " without " + need + " is rejected by the stack."
		case typ == "EQENET" && need == "IPADDR" && at+1 < end && p.tokenAt(at+1).Type != Prefix && p.tokenAt(at+1).Type != Symbolic:
			d := p.errorAt(at+1, "INTERFACE EQENET: IPADDR %s needs its subnet mask", p.tokenAt(at+1).Value)
			d.Detail = "An EQENET interface's IPv4 address is written with its mask length, as IPADDR 16.12.37.160/20 (IBM: \"subnet mask required for IPv4\"); the stack rejects it without."
		}
	}
}

// optionKeyword is the full keyword among s's keywords that word spells (in
// full or abbreviated), or "".
func optionKeyword(s *spec, word string) string {
	if s.kind == specKeywd {
		if keywordMatches(s, word) {
			return s.word
		}
		return ""
	}
	for _, it := range s.items {
		if k := optionKeyword(it, word); k != "" {
			return k
		}
	}
	return ""
}

// interfaceGrammar renders the INTERFACE … DEFINE forms for the pinned
// EBNF, with each type's required operand.
func interfaceGrammar() string {
	forms, _ := interfaceForms()
	types := slices.Sorted(maps.Keys(forms))
	var b strings.Builder
	for _, t := range types {
		need := ""
		if r, ok := interfaceRequired[t]; ok {
			need = fmt.Sprintf(" (* needs %s *)", r)
		}
		fmt.Fprintf(&b, "INTERFACE_%s = \"INTERFACE\" <name> \"DEFINE\" %q %s .%s\n", t, t, forms[t].options, need)
	}
	return b.String()
}
