package profile

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2/lexer"
)

// The operands of DEVICE and LINK depend on the device or link type: the
// positional operands that follow the type (device number, link number,
// device name, CLAW's host and workstation names and buffers, …) and the
// options after them. The stack rejects an operand of one type on
// another. tcpipc checks each statement against its type's form, written
// in the notation of the operand grammars (vocabulary.go; <hex:lo-hi> is a
// hexadecimal number of lo to hi digits).
//
// Sources. The positional operands are those of IBM's sample profile
// (SEZAINST(SAMPPROF): "DEVICE CTC1 CTC D00", "DEVICE RS6K CLAW 6B2 HOST
// PSCA NONE 26 26", "DEVICE CISCO CLAW AD0 SM03DR4 CIPTCP NONE 20 20 4096
// 4096", "DEVICE SNALU0 SNAIUCV SNALINK LU000000 SNALINK", "DEVICE X25DEV
// X25NPSI TCPIPX25", "DEVICE OSA1 ATM PORTNAME PORT1", "LINK LINK1 ATM OSA1
// LIS LIS1", the numbered links) and of the TCPIPCS PROFILE sample of the
// IP Diagnosis Guide ("LINK TOVTAM MPCPTP IUTSAMEH IFSPEED 4500000
// CHECKSUM SECCLASS 255 NOMONSYSPLEX"). The OSA-Express operands follow
// "DEVICE and LINK — MPCIPA OSA-Express QDIO devices statement" and the
// INTERFACE pages of the IP Configuration Reference. Known, unconfirmed
// (no syntax diagram could be read): CDLC's numbers after the device
// number, CTC's IOBUFFERSIZE, the Token Ring broadcast and MAC swap
// options. An option tcpipc does not know on any type is a warning (its
// list of the rarer options may be incomplete), an option of another type
// an error.
var (
	devicePositional = map[string]string{
		"MPCIPA": ``, "MPCPTP": ``, "MPCOSA": ``,
		"CTC": `<hex:1-4>`, "HCH": `<hex:1-4>`, "LCS": `<hex:1-4>`,
		"CDLC":    `<hex:1-4> [ <number> [ <number> [ <number> [ <number> ] ] ] ]`,
		"CLAW":    `<hex:1-4> <name> <name> ( NONE | PACKED ) <number> <number> [ <number> <number> ]`,
		"SNAIUCV": `SNALINK <name> <name>`,
		"SNALU62": `<name>`, "X25NPSI": `<name>`,
		// VIRTUAL: IBM's samples write 0, but the Link configuration
		// figure of IBM's z/OS Basic Skills (Networking on z/OS,
		// znetwork_104) writes "DEVICE VIPADEV1 VIRTUAL 1"; no page
		// bounds the number, so any is taken.
		"VIRTUAL": `<number>`,
		"ATM":     `PORTNAME <name>`,
	}
	linkPositional = func() map[string]string {
		out := map[string]string{}
		for _, t := range strings.Fields("IPAQENET IPAQIDIO IPAQTR MPCPTP ATM") {
			out[t] = `<name>`
		}
		for _, t := range strings.Fields("VIRTUAL CTC ETHERNET 802.3 ETHEROR802.3 IBMTR FDDI HCH IP SAMEHOST CDLC OSAENET OSAFDDI") {
			out[t] = `<number> <name>`
		}
		return out
	}()

	// The options of any type, each with its values.
	deviceOptions = []string{`AUTORESTART`, `NOAUTORESTART`, `PRIROUTER`, `SECROUTER`, `NONROUTER`,
		`IOBUFFERSIZE <number>`, `PORTNAME <name>`}
	linkOptions = []string{`IPBCAST`, `VLANID <number:1-4094>`, `VMAC [ <hex:12-12> ] [ ROUTEALL | ROUTELCL ]`,
		`INBPERF ( BALANCED | DYNAMIC | MINCPU | MINLATENCY ) [ WORKLOADQ | NOWORKLOADQ ]`, `WORKLOADQ`, `NOWORKLOADQ`,
		`READSTORAGE ( GLOBAL | MAX | AVG | MIN )`, `SECCLASS <number:1-255>`, `MONSYSPLEX`, `NOMONSYSPLEX`,
		`IFSPEED <number>`, `IFHSPEED <number>`, `CHECKSUM`, `NOCHECKSUM`, `ISOLATE`, `NOISOLATE`,
		`OPTLATENCY`, `NOOPTLATENCY`, `DYNVLANREG`, `NODYNVLANREG`, `OLM`, `NOOLM`, `LIS <name>`,
		`ALLRINGSBCAST`, `LOCALBCAST`, `MACADDRSWAP`, `NOMACADDRSWAP`}

	// The options that belong to some types only.
	deviceOwners = owners(map[string]string{
		"PRIROUTER SECROUTER NONROUTER": "MPCIPA", "IOBUFFERSIZE": "CTC", "PORTNAME": "ATM",
	})
	linkOwners = owners(map[string]string{
		"VMAC INBPERF WORKLOADQ NOWORKLOADQ OLM NOOLM ISOLATE NOISOLATE OPTLATENCY NOOPTLATENCY DYNVLANREG NODYNVLANREG": "IPAQENET",
		"VLANID READSTORAGE": "IPAQENET IPAQIDIO",
		"LIS":                "ATM",
		"ALLRINGSBCAST LOCALBCAST MACADDRSWAP NOMACADDRSWAP": "IBMTR IPAQTR",
	})

	// The forms are parsed the first time a DEVICE or LINK is checked,
	// not at every start of the CLI.
	deviceForms = sync.OnceValue(func() map[string]typedForm { return forms(devicePositional, deviceOptions, deviceOwners) })
	linkForms   = sync.OnceValue(func() map[string]typedForm { return forms(linkPositional, linkOptions, linkOwners) })
)

// typedForm is one type's DEVICE or LINK operands: the positional ones,
// then any of the type's options; any is one option of any type (to step
// over the values of an option reported as another type's).
type typedForm struct {
	positional, options, any *spec
}

func forms(positional map[string]string, options []string, own map[string][]string) map[string]typedForm {
	anyOpt := parseSpec("( " + strings.Join(options, " | ") + " )")
	out := map[string]typedForm{}
	for t, g := range positional {
		var mine []string
		for _, o := range options {
			kw, _, _ := strings.Cut(o, " ")
			if types, owned := own[kw]; !owned || slices.Contains(types, t) {
				mine = append(mine, o)
			}
		}
		out[t] = typedForm{positional: parseSpec(g), options: parseSpec("{ ( " + strings.Join(mine, " | ") + " ) }"), any: anyOpt}
	}
	return out
}

func owners(m map[string]string) map[string][]string {
	out := map[string][]string{}
	for words, types := range m {
		for _, w := range strings.Fields(words) {
			out[w] = strings.Fields(types)
		}
	}
	return out
}

// checkTyped checks the operands [opStart, end) of a DEVICE or LINK of the
// given type (what is "devices" or "links"); the type is the token before
// opStart.
func (p *parser) checkTyped(keyword, typ, what string, opStart, end int) {
	forms, own := deviceForms(), deviceOwners
	if keyword == "LINK" {
		forms, own = linkForms(), linkOwners
	}
	p.checkTypedForm(keyword, typ, what, forms, own, opStart, end)
}

// checkTypedForm checks operands [opStart, end) against the form of typ
// in forms; own maps the options that belong to some types only to them
// (DEVICE, LINK and INTERFACE share it).
func (p *parser) checkTypedForm(keyword, typ, what string, forms map[string]typedForm, own map[string][]string, opStart, end int) {
	f, ok := forms[typ]
	if !ok {
		p.unknownType(keyword, typ, forms, opStart-1)
		return
	}
	m := &operandMatch{toks: p.operandTokens(opStart, end), raw: p.rawUpperFunc()}
	key := func() string { return keyword + " " + typ } // for messages only
	i := m.match(f.positional, 0)
	if i < 0 {
		p.typedSyntaxError(m, key(), f.positional, opStart)
		return
	}
	for i < len(m.toks) {
		m.far, m.reason = i, ""
		j := m.match(f.options, i)
		if j >= len(m.toks) {
			return
		}
		if m.far > j {
			// An option whose values do not fit it.
			p.typedSyntaxError(m, key(), f.options, opStart)
			return
		}
		t := m.toks[j]
		word := p.rawUpper(&t)
		full := optionKeyword(f.any, word) // an abbreviation's keyword
		switch types, owned := own[full]; {
		case owned && !slices.Contains(types, typ):
			d := p.errorAt(opStart+j, "%s is not an operand of %s %s", word, typ, what)
			d.Detail = fmt.Sprintf("%s belongs to %s %s only; the stack rejects the statement.", full, andList(types), what)
			if strings.HasPrefix(typ, "EQENET") && slices.Contains(types, "IPAQENET") {
				d.Detail += " IBM lists it among the OSA-Express QDIO operands a Network Express interface does not support: leave it out when you change IPAQENET to EQENET."
			}
			if k := m.match(f.any, j); k > j {
				i = k // its values are not findings of their own
				continue
			}
		case t.Type == Word:
			d := p.diags.Warnf(RuleOption, p.rangeOf(opStart+j, opStart+j+1), "unknown %s option %s", key(), word)
			d.Detail = "tcpipc does not know this option; the stack rejects options it does not know, and a word that begins no statement. Check the spelling against the IP Configuration Reference."
			if sg := Suggest(word, f.options.keywords(nil)); sg != "" {
				d.Detail = "Did you mean " + sg + "? " + d.Detail
			}
			if hint := endOfNoBlock(tokenView(t)); hint != "" {
				d.Detail = hint
			}
			d.IncludedFrom = p.chainAt(opStart + j)
			// The numbers and addresses after it are its values, whatever
			// they mean: not findings of their own.
			for j+1 < len(m.toks) && m.toks[j+1].Type != Word {
				j++
			}
		default:
			d := p.errorAt(opStart+j, "%s: unexpected %s", key(), describe(tokenView(t)))
			d.Detail = fmt.Sprintf("%s takes %s, then its options.", key(), f.positional)
		}
		i = j + 1
	}
}

// andList joins words as a sentence lists them: "A", "A and B", "A, B and C".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// unknownType reports a DEVICE, LINK or INTERFACE type tcpipc does not
// know, at its token: a warning, like an unknown option, since IBM may
// have types the grammars lack (a new release's), but never silence.
func (p *parser) unknownType(keyword, typ string, forms map[string]typedForm, at int) {
	d := p.diags.Warnf(RuleOption, p.rangeOf(at, at+1), "unknown %s type %s", keyword, typ)
	d.Detail = "tcpipc does not know this type, so it checks none of the statement's operands; the stack rejects a type it does not know. Check the spelling against the IP Configuration Reference."
	if sg := Suggest(typ, slices.Sorted(maps.Keys(forms))); sg != "" {
		d.Detail = "Did you mean " + sg + "? " + d.Detail
	}
	d.IncludedFrom = p.chainAt(at)
}

// typedSyntaxError reports where the operands of a typed DEVICE or LINK
// stopped fitting s.
func (p *parser) typedSyntaxError(m *operandMatch, key string, s *spec, opStart int) {
	syntax := fmt.Sprintf("%s takes %s", key, s)
	if len(syntax) > 160 {
		syntax = key + " takes the operands of IBM's DEVICE and LINK statement of its type"
	}
	if m.far >= len(m.toks) {
		d := p.errorAt(opStart-1+len(m.toks), "incomplete %s statement", key)
		d.Detail = syntax + "."
		return
	}
	t := m.toks[m.far]
	d := p.errorAt(opStart+m.far, "%s: unexpected %s", key, describe(tokenView(t)))
	d.Detail = m.reason
	if d.Detail == "" {
		d.Detail = syntax + "."
	}
}

// rawUpper is a token as written, upper case (the lexer may have turned a
// word spelled like a keyword abbreviation into the keyword).
// rawUpperAt is rawUpper of the stream's token i.
func (p *parser) rawUpperAt(i int) string {
	t := p.tokenAt(i)
	return p.rawUpper(&t)
}

// rawUpperFunc is p.rawUpper as a func value, made once: a method value
// made per DEVICE, LINK or INTERFACE was an allocation each.
func (p *parser) rawUpperFunc() func(*lexer.Token) string {
	if p.rawUpperFn == nil {
		p.rawUpperFn = p.rawUpper
	}
	return p.rawUpperFn
}

func (p *parser) rawUpper(t *lexer.Token) string {
	if f := p.files[t.Pos.Filename]; f != nil {
		return upperRaw(f.Text, t.Pos.Offset, t.Value)
	}
	return t.Value
}

// typedGrammar renders the DEVICE and LINK forms for the pinned EBNF.
func typedGrammar() string {
	var b strings.Builder
	for _, kw := range []string{"DEVICE", "LINK"} {
		forms := deviceForms()
		if kw == "LINK" {
			forms = linkForms()
		}
		var types []string
		for t := range forms {
			types = append(types, t)
		}
		slices.Sort(types)
		for _, t := range types {
			fmt.Fprintf(&b, "%s_%s = %q <name> %q %s %s .\n", kw, t, kw, t, forms[t].positional, forms[t].options)
		}
	}
	return b.String()
}

// typeSpellings maps the abbreviations of device and link types that IBM
// writes to the type: the TCPIPCS PROFILE sample of the IP Diagnosis Guide
// writes "DEVice VIPA4815 VIRTual 0000", VIRT being VIRTUAL's minimum.
var typeSpellings = func() map[string]string {
	out := map[string]string{}
	for _, spec := range []string{"VIRTual"} {
		full := strings.ToUpper(spec)
		for n := minAbbrev(spec); n < len(full); n++ {
			out[full[:n]] = full
		}
	}
	return out
}()

// canonicalType is a DEVICE or LINK type in full.
func canonicalType(t string) string {
	if full, ok := typeSpellings[t]; ok {
		return full
	}
	return t
}
