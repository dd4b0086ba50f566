package profile

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/tcpipc/tcpipc/diag"
)

// RuleOption is the id of findings about options tcpipc does not know.
const RuleOption = "OPTION"

// knownOptions lists, per statement, the option keywords tcpipc keeps
// without modelling them (they parse as a generic Option: a keyword and its
// numbers or addresses). Keywords that have their own grammar (DYNAMICXCF,
// XCFGRPID, …) are not here: reaching the generic option with one of them
// means its operands were wrong.
var knownOptions = map[string]string{
	// IPCONFIG: the abbreviations IBM's syntax diagrams show (V2R1 and V2R4
	// IP Configuration Reference, "IPCONFIG statement") are written in; the
	// other words (in capitals only) are unabbreviable there or could not
	// be checked, and are known in full only.
	"IPCONFIG": `ARPTO CLAWUSEDoublenop DEVRETRYDURation FORMat LONG SHORT IGNORERedirect
		NOIGNOREREDIRECT IPSECURITY IQDIORouting NOIQDIORouting QDIOPriority MULTIPATH NOMULTIPATH
		PERConnection PERPacket PATHMTUDISCovery NOPATHMTUDISCovery QDIOACCELerator NOQDIOACCELerator
		REASSEMBLytimeout SECCLASS SOURCEVIPA NOSOURCEVIPA STOPONCLAWERROR NOSTOPONCLAWERROR
		SYSPLEXRouting NOSYSPLEXRouting TTL VARSUBNETTING NOVARSUBNETTING NODATAGRAMFWD NODYNAMICXCF
		CHECKSUMOFFLoad NOCHECKSUMOFFLoad SEGMENTATIONOFFLoad NOSEGMENTATIONOFFLoad NOTCPSTACKSOURCEVipa
		NOFWDMULTipath IQDMULTIWRITE NOIQDMULTIWRITE AUTOIQDX NOAUTOIQDX ALLTRAFFIC NOLARGEDATA`,
	// IPCONFIG6, TCPCONFIG, UDPCONFIG and GLOBALCONFIG: the abbreviations
	// are those of the syntax diagrams of the "IPCONFIG6 statement" (V2R5),
	// "TCPCONFIG statement" (V3R1), "UDPCONFIG statement" (V2R3) and
	// "GLOBALCONFIG statement" (V2R2, V3R2) pages of the IP Configuration
	// Reference (ZERT, AGGregation, AIASSIST, BATCHOUTbound, AUTOIQDC: the
	// V3R2 diagram; WLMPRIORITYQ's IOPRI1-IOPRI4 and FWD control values, as
	// IBM's sample profile writes them). Words in capitals only are either unabbreviable there or
	// could not be checked (older or rarer options), and are known in full.
	"IPCONFIG6": `HOPLimit ICMPErrorlimit IGNORERedirect IGNOREROUTERHoplimit NOIGNOREROUTERHoplimit
		IPSECURITY OSMSECCLASS SECCLASS SOURCEVIPA NOSOURCEVIPA TEMPADDRS NOTEMPADDRS PREFLIFETIME
		VALIDLIFETIME NODYNAMICXCF MULTIPATH NOMULTIPATH PERConnection PERPacket IQDIOROUTING
		NOIQDIOROUTING QDIOPRIORITY NOTCPSTACKSOURCEVipa CHECKSUMOFFLoad NOCHECKSUMOFFLoad
		SEGMENTATIONOFFLoad NOSEGMENTATIONOFFLoad DATAGRamfwd NODATAGRamfwd NOFWDMULTipath`,
	"GLOBALCONFIG": `EXPLICITBINDPORTRANGE NOEXPLICITBINDPORTRANGE ADJUSTDVipamss AUTO ALL NONE ZIIP
		IPSECURITY NOIPSECURITY IQDIOMULTIWRITE NOIQDIOMULTIWRITE IQDMULTIWRITE NOIQDMULTIWRITE
		IQDVLANid TCPIPStatistics NOTCPIPStatistics MAXRECS ECSALimit POOLLimit MLSCHKTERMinate
		NOMLSCHKTERMinate SEGMENTATIONOFFLoad NOSEGMENTATIONOFFLoad SMCR NOSMCR SMCD NOSMCD SMCGlobal
		AUTOCACHE NOAUTOCACHE AUTOSMC NOAUTOSMC PFID PORTNUM MTU FIXEDMemory TCPKEEPMININTERVAL
		WLMPRIORITYQ NOWLMPRIORITYQ AUTOIQDX NOAUTOIQDX ALLTRAFFIC NOLARGEDATA NETMONITOR
		NOSMCEXCLUDE SMCEXCLUDE POLICYREQuired IKEDREQuired YES NO YESIFTTLS YESIFDYNIPSEC
		ZERT NOZERT AGGregation NOAGGregation INTVAL SMFINTVAL SYNCVAL AIASSIST BATCHOUTbound
		NOBATCHOUTbound AUTOIQDC NOAUTOIQDC IOPRI1 IOPRI2 IOPRI3 IOPRI4 FWD`,
	// TCPCONFIG: the V2R3 syntax diagram's options (TRUE and FALSE are
	// SENDGarbage's values).
	"TCPCONFIG": `CONNECTInitinterval CONNECTTimeout DELAYAcks NODELAYAcks AUTODELAYAcks
		EPHEMERALPORTS FINWait2time FRRTHReshold INTerval KEEPALIVEPROBEInterval
		KEEPALIVEPROBES MAXImumretransmittime NAGLE NONAGLE QUEUEDrtt
		RESTRICTLowports UNRESTRICTLowports RETRANSMITAttempts SELECTIVEACK NOSELECTIVEACK
		SENDGarbage TRUE FALSE TCPMAXRCVBufrsize TCPMAXSENDBufrsize TCPRCVBufrsize TCPSENDBfrsize
		TCPTIMEstamp NOTCPTIMEstamp TIMEWAITInterval TTLS NOTTLS KEEPALIVEOPTIONS`,
	"UDPCONFIG": `UDPCHKsum NOUDPChksum UDPQueuelimit NOUDPQueuelimit UDPRCVBufrsize UDPSENDBfrsize
		RESTRICTLowports UNRESTRICTLowports EPHEMERALPORTS NOEPHEMERALPORTS`,
	"VIPADISTRIBUTE": `CONTROLPORT ENCAP GRE NOGRE`,
	// BEGINROUTES ROUTE options, with IBM's minimum abbreviations in
	// upper case (IBM's own static-route example codes REPL).
	"ROUTE": `MTU DEFAULTSIZE MAXImumretransmittime MINImumretransmittime ROUNDTRIPGain VARIANCEGain
		VARIANCEMultiplier DELAYAcks NODELAYAcks REPLaceable NOREPLaceable`,
}

// optionRanges are the number ranges of option operands that IBM's page
// of the statement states (V2R4 and V3R1 IP Configuration Reference,
// "TCPCONFIG statement": CONNECTINITINTERVAL 100 - 3000 milliseconds,
// CONNECTTIMEOUT 5 - 190 seconds), or that the protocol fixes: IPCONFIG
// TTL and IPCONFIG6 HOPLIMIT fill the one-byte Time to Live and Hop Limit
// fields of the IPv4 and IPv6 headers (RFC 791, RFC 8200), so no value
// above 255 can be coded (IBM's lower bound could not be confirmed, so 0
// is let through). The other options' numbers are kept unchecked: their
// bounds could not be confirmed.
var optionRanges = map[string]map[string][2]int{
	"TCPCONFIG": {"CONNECTINITINTERVAL": {100, 3000}, "CONNECTTIMEOUT": {5, 190}},
	"IPCONFIG":  {"TTL": {0, 255}},
	"IPCONFIG6": {"HOPLIMIT": {0, 255}},
}

// knownOptionSets maps each statement's option spellings, full and
// abbreviated, to the option's full form.
var knownOptionSets = func() map[string]map[string]string {
	out := map[string]map[string]string{}
	for stmt, words := range knownOptions {
		out[stmt] = map[string]string{}
		for _, w := range strings.Fields(words) {
			full := strings.ToUpper(w)
			for n := minAbbrev(w); n <= len(full); n++ {
				out[stmt][full[:n]] = full
			}
		}
	}
	return out
}()

// grammarWordSets caches grammarWords by statement type.
var grammarWordSets sync.Map // reflect.Type → map[string]bool

// quotedWord is a keyword literal of a participle grammar tag.
var quotedWord = regexp.MustCompile(`'([A-Z][A-Z0-9]*)'`)

// grammarWords is the set of keywords a statement's grammar matches (the
// literals of its struct tags and of the nodes below it): a keyword of
// the statement whose operands did not parse is an error with that
// reading; a keyword of another statement is an unknown option here.
func grammarWords(t reflect.Type) map[string]bool {
	if v, ok := grammarWordSets.Load(t); ok {
		return v.(map[string]bool)
	}
	words, seen := map[string]bool{}, map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			for _, m := range quotedWord.FindAllStringSubmatch(f.Tag.Get("parser"), -1) {
				words[m[1]] = true
			}
			walk(f.Type)
		}
	}
	walk(t)
	grammarWordSets.Store(t, words)
	return words
}

// minAbbrev is the length of the minimum abbreviation of an option word
// written as IBM's diagrams write it: its leading part up to the first lower
// case letter (FINWait2time abbreviates to FINW, not FINWait2).
func minAbbrev(w string) int {
	if i := strings.IndexFunc(w, func(r rune) bool { return r >= 'a' && r <= 'z' }); i >= 0 {
		return i
	}
	return len(w)
}

// checkOptions reports generic options whose keyword is not a known option
// of the statement: a modelled keyword with bad operands is an error, an
// unknown keyword a warning (tcpipc's lists of the rarer options may be
// incomplete; the stack itself rejects a keyword it does not know).
func (p *parser) checkOptions(st Statement) {
	m := st.Info()
	stmt := m.Keyword
	var opts []*Option
	switch s := st.(type) {
	case *IPConfig:
		if s.V6 {
			stmt = "IPCONFIG6"
		}
		for _, o := range s.Options {
			if o.Other != nil {
				opts = append(opts, o.Other)
			}
		}
	case *GlobalConfig:
		for _, o := range s.Options {
			if o.Other != nil {
				opts = append(opts, o.Other)
			}
		}
	case *Config:
		opts = s.Options
	case *VIPADistribute:
		// Both option lists, without joining them: most statements have
		// no kept option, and then nothing is allocated.
		for _, list := range [2][]*DistOption{s.Options, s.Trailing} {
			for _, o := range list {
				if o.Other != nil {
					opts = append(opts, o.Other)
				}
			}
		}
	case *Route:
		opts = s.Options
	default:
		return
	}
	known := knownOptionSets[stmt]
	for k, o := range opts {
		if stmt == "TCPCONFIG" && (o.Name == "TRUE" || o.Name == "FALSE") && (k == 0 || known[opts[k-1].Name] != "SENDGARBAGE") {
			// TRUE and FALSE are SENDGARBAGE's value (TCPCONFIG diagram),
			// known words only after it.
			d := p.diags.Errorf(RuleSyntax, p.nodeRange(&o.Node), "%s %s: %s is no option; it is the value of SENDGARBAGE", stmt, o.Name, o.Name)
			d.Detail = "Write SENDGARBAGE TRUE or SENDGARBAGE FALSE; the stack rejects the statement."
			d.IncludedFrom = m.IncludedFrom
			continue
		}
		if full := known[o.Name]; full != "" {
			p.checkOptionRange(stmt, full, o, m)
			continue
		}
		if k > 0 && opts[k-1].Name == "SYNCVAL" && isClockTime(o.Name) {
			continue // SYNCVAL hh:mm: the lexer reads the time as a word of its own
		}
		if k > 0 && opts[k-1].Name == "INTVAL" && o.Name == "SMF" {
			continue // ZERT AGGREGATION INTVAL SMF: the SMF interval (V3R2 diagram)
		}
		if k > 0 && startsWithDigit(o.Name) {
			// A word that begins with a digit is no option keyword: it is a
			// value of the option before it that the lexer could not read
			// as a number (256Q for 256K).
			prev := opts[k-1].Name
			if full := known[prev]; full != "" {
				prev = full
			}
			if hexValued[prev] && isHexID(o.Name) || decimalValued[prev] && isDecimal(o.Name) {
				continue
			}
			d := p.diags.Errorf(RuleSyntax, p.nodeRange(&o.Node), "%s %s: %s is not a valid value", stmt, prev, o.Name)
			d.Detail = fmt.Sprintf("%s takes a number here (sizes may end in K or M); the stack rejects the statement.", prev)
			switch {
			case hexValued[prev]:
				d.Detail = fmt.Sprintf("%s takes 1 to 4 hexadecimal digits; the stack rejects the statement.", prev)
			case decimalValued[prev]:
				d.Detail = fmt.Sprintf("%s takes a decimal number such as 0.5; the stack rejects the statement.", prev)
			}
			d.IncludedFrom = m.IncludedFrom
			continue
		}
		r := p.nodeRange(&o.Node)
		if grammarWords(reflect.TypeOf(st))[o.Name] {
			d := p.diags.Errorf(RuleSyntax, r, "%s: %s has missing or invalid operands", stmt, o.Name)
			d.Detail = fmt.Sprintf("%s is an option of %s with operands of its own; see the IP Configuration Reference for its syntax.", o.Name, stmt)
			d.IncludedFrom = m.IncludedFrom
			continue
		}
		var cands []string
		for k, full := range known {
			if k == full {
				cands = append(cands, k)
			}
		}
		d := p.diags.Warnf(RuleOption, r, "unknown %s option %s", stmt, o.Name)
		d.Detail = "tcpipc does not know this option; the stack rejects options it does not know. Check the spelling against the IP Configuration Reference."
		if s := Suggest(o.Name, cands); s != "" {
			d.Detail = "Did you mean " + s + "? " + d.Detail
		}
		d.IncludedFrom = m.IncludedFrom
	}
}

// nodeRange is the source range of a node's tokens.
func (p *parser) nodeRange(n *Node) diag.Range { return rangeOfNode(p.stream, p.files, n) }

// isClockTime reports whether w is a time of day hh:mm (GLOBALCONFIG
// SYNCVAL, V3R2 "GLOBALCONFIG statement": 00:00 to 23:59).
func isClockTime(w string) bool {
	h, m, ok := strings.Cut(w, ":")
	if !ok || len(h) == 0 || len(h) > 2 || len(m) != 2 {
		return false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	return err1 == nil && err2 == nil && hh >= 0 && hh < 24 && mm >= 0 && mm < 60
}

func startsWithDigit(w string) bool { return w != "" && w[0] >= '0' && w[0] <= '9' }

// checkOptionRange reports a known option's number outside the range
// IBM states for it (optionRanges).
func (p *parser) checkOptionRange(stmt, full string, o *Option, m *Meta) {
	if full == "EPHEMERALPORTS" {
		p.checkEphemeralPorts(stmt, o, m)
		return
	}
	bounds, ok := optionRanges[stmt][full]
	if !ok || len(o.Values) == 0 {
		return
	}
	n, err := strconv.Atoi(o.Values[0])
	if err != nil || (n >= bounds[0] && n <= bounds[1]) {
		return
	}
	d := p.diags.Errorf(RuleSyntax, p.nodeRange(&o.Node), "%s %s: %s is out of range", stmt, full, o.Values[0])
	d.Detail = fmt.Sprintf("%s is from %d to %d; the stack rejects the statement.", full, bounds[0], bounds[1])
	d.IncludedFrom = m.IncludedFrom
}

// checkEphemeralPorts reports EPHEMERALPORTS low high outside IBM's
// range: "low_port value is in the range 1024 - 65535 … high_port … must
// be greater than or equal to the low_port value" (UDPCONFIG statement;
// TCPCONFIG's defaults are the same 1024 65535).
func (p *parser) checkEphemeralPorts(stmt string, o *Option, m *Meta) {
	var why string
	low, err1 := strconv.Atoi(optionValue(o.Values, 0))
	high, err2 := strconv.Atoi(optionValue(o.Values, 1))
	switch {
	case err1 != nil || err2 != nil:
		why = "EPHEMERALPORTS takes a low and a high port"
	case low < 1024 || low > 65535:
		why = fmt.Sprintf("the low port %d is outside 1024-65535", low)
	case high < low || high > 65535:
		why = fmt.Sprintf("the high port %d is not between the low port %d and 65535", high, low)
	default:
		return
	}
	d := p.diags.Errorf(RuleSyntax, p.nodeRange(&o.Node), "%s EPHEMERALPORTS: %s", stmt, why)
	d.Detail = "EPHEMERALPORTS low_port high_port: low from 1024 to 65535, high from low to 65535; the stack rejects the statement."
	d.IncludedFrom = m.IncludedFrom
}

func optionValue(vs []string, i int) string {
	if i < len(vs) {
		return vs[i]
	}
	return ""
}

// hexValued names the options whose value is hexadecimal, so a word such
// as 001A after them is a value: GLOBALCONFIG SMCR's PFID (V2R4
// "GLOBALCONFIG statement").
var hexValued = map[string]bool{"PFID": true}

// decimalValued names the options whose value may have a fraction: the
// retransmission and round-trip parameters of ROUTE and GATEWAY entries,
// whose defaults are 0.5, 0.125, 0.25 and 2.00 (the profile SMF record
// keeps them in thousandths).
var decimalValued = map[string]bool{"MAXIMUMRETRANSMITTIME": true, "MINIMUMRETRANSMITTIME": true,
	"ROUNDTRIPGAIN": true, "VARIANCEGAIN": true, "VARIANCEMULTIPLIER": true}

// isDecimal reports whether w is digits with an optional fraction (0.125).
// The stack keeps thousandths; whether it refuses more digits is not
// documented, so they are accepted.
func isDecimal(w string) bool {
	whole, frac, _ := strings.Cut(w, ".")
	return whole != "" && strings.Trim(whole, "0123456789") == "" && strings.Trim(frac, "0123456789") == ""
}

// isHexID reports whether w is 1 to 4 hexadecimal digits.
func isHexID(w string) bool {
	if len(w) == 0 || len(w) > 4 {
		return false
	}
	for _, c := range w {
		if !strings.ContainsRune("0123456789ABCDEFabcdef", c) {
			return false
		}
	}
	return true
}

// OptionName is the full form of an option keyword of stmt (IPCONFIG,
// TCPCONFIG, …) as written, abbreviated or not; "" when tcpipc does not
// know it.
func OptionName(stmt, word string) string {
	return knownOptionSets[stmt][strings.ToUpper(word)]
}
