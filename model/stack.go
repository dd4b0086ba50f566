package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/profile"
)

// RuleValue is the id of operands that parse but make no sense: an address
// out of range, a mask that is no mask, a system symbol without a value.
const RuleValue = "VALUE"

// stackBuilder turns one parsed profile into a Stack.
type stackBuilder struct {
	s     *Stack
	prof  *profile.Profile
	syms  map[string]string
	ds    *diag.Diagnostics
	chain []diag.Range // include chain of the statement being read
	// vipaFirst remembers where each DVIPA was first defined or backed up,
	// for the stack's rule that a second definition needs a VIPADELETE.
	vipaFirst map[netip.Addr]diag.Range
	// refs is the profile's defs/refs table (profilerefs.go).
	refs profileRefs
	// rcvBuf holds the TCPCONFIG TCPRCVBUFRSIZE and TCPMAXRCVBUFRSIZE in
	// effect (tcpconfig.go).
	rcvBuf [2]*codedSize
	// unrsvAccess is the WHENLISTEN or WHENBIND of the first PORT UNRSV TCP
	// entry that coded one (portAccess).
	unrsvAccess *profile.PortOption
}

func (b *stackBuilder) errorf(r diag.Range, format string, args ...any) *diag.Diagnostic {
	d := b.ds.Errorf(RuleValue, r, format, args...)
	d.IncludedFrom = b.chain
	return d
}

// build walks the profile's statements in processing order.
func (b *stackBuilder) build() {
	b.s.SysplexMonitor.TimerSecs = 60
	b.vipaFirst = map[netip.Addr]diag.Range{}
	for _, st := range b.prof.Statements {
		b.statement(st)
	}
	b.undefined()
	b.routeHops()
	b.stackSourceVIPA()
}

// stackSourceVIPA drops TCPSTACKSOURCEVIPA when SOURCEVIPA is not in
// effect: "If you specify TCPSTACKSOURCEVIPA and do not specify SOURCEVIPA
// … a warning message is issued and TCPSTACKSOURCEVIPA is not enabled"
// (IP Configuration Guide, "Sysplex-wide source VIPAs for TCP
// connections").
func (b *stackBuilder) stackSourceVIPA() {
	a := b.s.TCPStackSourceVIPA
	if a == nil || b.s.SourceVIPA != nil {
		return
	}
	d := b.ds.Warnf(RuleValue, a.Range, "TCPSTACKSOURCEVIPA %s is not enabled: IPCONFIG SOURCEVIPA is not in effect", a.Addr)
	d.Detail = "The stack issues a warning and ignores TCPSTACKSOURCEVIPA without SOURCEVIPA; code IPCONFIG SOURCEVIPA as well."
	b.s.TCPStackSourceVIPA = nil
}

func (b *stackBuilder) statement(st profile.Statement) {
	m := st.Info()
	if _, ok := st.(*profile.IPSec); ok && m.Ignored != "" && strings.HasPrefix(m.Ignored, "only the first IPSEC") {
		b.s.IPSecBlocks = append(b.s.IPSecBlocks, m.Range) // counted for lint, not used
		return
	}
	if m.Ignored != "" {
		return // the stack would not process it
	}
	b.chain = m.IncludedFrom
	b.objects(st)
	b.removed(st)
	switch s := st.(type) {
	case *profile.IPConfig:
		b.ipconfig(s)
	case *profile.GlobalConfig:
		b.globalConfig(s)
	case *profile.Delete:
		if s.Object == "PORT" && deletesUnrsvTCP(s.Operands) {
			b.unrsvAccess = nil // DELETE PORT UNRSV TCP lets the next entries choose again
		}
	case *profile.Config:
		if s.Keyword == "TCPCONFIG" {
			b.tcpConfig(s)
		}
	case *profile.IPSec:
		b.s.IPSecBlocks = append(b.s.IPSecBlocks, m.Range)
		if b.s.IPSec == nil {
			b.ipsec(s)
		}
	case *profile.VIPADynamic:
		for _, member := range s.Statements {
			if member.Info().Ignored == "" {
				b.chain = member.Info().IncludedFrom
				b.vipa(member)
			}
		}
	case *profile.Home:
		b.home(s)
	case *profile.SrcIP:
		for _, e := range s.Entries {
			if e.Info().Ignored != "" || e.Source == nil {
				continue
			}
			if a, ok := b.addr(e.Source); ok && !b.srcIPRefused(a) {
				b.s.SrcIP = append(b.s.SrcIP, &SrcIP{Destination: e.Destination, JobName: e.JobName, Source: a, Range: e.Info().Range})
			}
		}
	case *profile.Autolog:
		quoted := false // inside a single-quoted PARMSTRING taken for entries
		parm := -1      // the line of a PARMSTRING taken for an entry
		for _, e := range s.Entries {
			if e.Info().Ignored != "" {
				continue
			}
			line := b.prof.RangeOf(&e.Proc.Node).Start.Line
			if quoted || strings.HasPrefix(e.Proc.Text, "'") || line == parm {
				// the words of a PARMSTRING already reported
				quoted = strings.Count(e.Proc.Text, "'")%2 == 1 != quoted
				parm = -1
				continue
			}
			if e.Proc.Text == "PARMSTRING" {
				parm = line
			}
			if b.autologProc(e) {
				b.s.Autolog = append(b.s.Autolog, e.Proc.Text)
				if _, seen := b.s.AutologAt[e.Proc.Text]; !seen {
					if b.s.AutologAt == nil {
						b.s.AutologAt = map[string]diag.Range{}
					}
					b.s.AutologAt[e.Proc.Text] = b.prof.RangeOf(&e.Proc.Node)
				}
			}
		}
	case *profile.Port:
		b.port(s)
	case *profile.PortRange:
		for _, e := range s.Entries {
			r := b.prof.RangeOf(&e.Node)
			b.portNumber("PORTRANGE", e.First, r)
			b.portNames(fmt.Sprintf("PORTRANGE %d", e.First), e.Job, e.Options, r)
			b.portRangeOptions(e)
		}
	}
}

// port records a PORT statement's reservations, checking its entries. A
// DENY on an UNRSV entry whose job name is not * makes the stack ignore
// the entire statement (EZZ0146I): its entries are checked, none reserves.
func (b *stackBuilder) port(s *profile.Port) {
	denyMisused := slices.ContainsFunc(s.Entries, func(e *profile.PortEntry) bool {
		return e.Unreserved && e.Job != "*" && slices.ContainsFunc(e.Options, func(o *profile.PortOption) bool { return o.Flag == "DENY" })
	})
	for _, e := range s.Entries {
		b.portEntryOptions(e)
		if !denyMisused { // an ignored statement sets no access control
			b.portAccess(e)
		}
		b.portOptionOrder(e)
		b.portNames(portLabel("PORT", e.Unreserved, e.Number), e.Job, e.Options, b.prof.RangeOf(&e.Node))
		if e.Unreserved {
			continue // access control, not a reservation
		}
		pr := &PortReservation{Port: e.Number, Protocol: e.Protocol, Job: e.Job, Range: b.prof.RangeOf(&e.Node)}
		b.portNumber("PORT", e.Number, pr.Range)
		for _, o := range e.Options {
			if o.Bind != nil {
				if a, ok := b.addr(o.Bind); ok {
					pr.Bind = &a
				}
			}
		}
		if !denyMisused { // else the stack ignores the statement (EZZ0146I)
			b.s.Ports = append(b.s.Ports, pr)
		}
	}
}

// deletesUnrsvTCP reports whether a DELETE PORT's operands, one or more
// entries, hold an UNRSV TCP entry.
func deletesUnrsvTCP(ops []*profile.Operand) bool {
	for i := 0; i+1 < len(ops); i++ {
		if strings.EqualFold(ops[i].Text, "UNRSV") && strings.EqualFold(ops[i+1].Text, "TCP") {
			return true
		}
	}
	return false
}

// portLabel names a PORT entry in messages: PORT 21, or PORT UNRSV.
func portLabel(stmt string, unrsv bool, n int) string {
	if unrsv {
		return stmt + " UNRSV"
	}
	return fmt.Sprintf("%s %d", stmt, n)
}

// portNames reports a PORT or PORTRANGE job name that is no MVS job name
// and a SAF resource name longer than 8 characters. A job name has 1 to 8
// letters, digits, @, # or $, not a digit first; the wildcards * and ?
// stand for characters of it (IP Configuration Guide, "Controlling access
// to particular ports": "a partial wildcard job name (1 - 8 characters
// with one or more wildcard characters)"). The SAF keyword is "followed
// by a 1-8 character name" (SEZAINST(SAMPPROF), as the IP Configuration
// Guide prints it), the last qualifier of the EZB.PORTACCESS resource.
// The stack rejects either. A name with a system symbol is the stack's to
// substitute.
func (b *stackBuilder) portNames(label, job string, opts []*profile.PortOption, r diag.Range) {
	if !isPortJob(job) && !strings.Contains(job, "&") {
		d := b.errorf(r, "%s: %s is not a job name", label, job)
		d.Detail = "A job name has 1 to 8 letters, digits, @, # or $ (not a digit first), or the wildcards * and ?; the stack rejects the entry."
	}
	for _, o := range opts {
		if len(o.SAF) > 8 && !strings.Contains(o.SAF, "&") {
			d := b.errorf(b.prof.RangeOf(&o.Node), "%s: SAF resource name %s is longer than 8 characters", label, o.SAF)
			d.Detail = "SAF takes a name of 1 to 8 characters, the last qualifier of the EZB.PORTACCESS resource; the stack rejects the entry."
		}
	}
}

// isPortJob reports whether s is a PORT job name: an MVS job name, in
// which the wildcards * and ? may stand for characters.
func isPortJob(s string) bool {
	if len(s) == 0 || len(s) > 8 || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("@#$*?", c)) {
			return false
		}
	}
	return true
}

// portEntryOptions reports the options a PORT entry cannot take. An UNRSV
// entry (UNRSV in place of the port number) controls access to the ports
// nobody reserved: after the job name, SAF resname, or for the job name *
// DENY or SAF resname, then WHENLISTEN (TCP) or WHENBIND; a reserved
// port's options are not its, and DENY, WHENLISTEN and WHENBIND are not a
// reserved port's (IP Configuration Reference, V2R2 "PORT statement"
// syntax diagram).
func (b *stackBuilder) portEntryOptions(e *profile.PortEntry) {
	if !e.Unreserved && e.Job == "RESERVED" && len(e.Options) > 0 {
		d := b.errorf(b.prof.RangeOf(&e.Options[0].Node), "PORT %d: RESERVED takes no options", e.Number)
		d.Detail = "RESERVED keeps the port from every job; the options belong to a port reserved for a job name. The stack rejects the entry."
		return
	}
	var deny, saf bool
	for _, o := range e.Options {
		r := b.prof.RangeOf(&o.Node)
		switch unrsvOnly := o.Flag == "DENY" || o.Flag == "WHENLISTEN" || o.Flag == "WHENBIND"; {
		case !e.Unreserved && unrsvOnly:
			b.errorf(r, "PORT %d: %s is an option of PORT UNRSV entries", e.Number, o.Flag).Detail =
				"DENY, WHENLISTEN and WHENBIND control access to unreserved ports; a reserved port takes NOAUTOLOG, DELAYACKS, SHAREPORT, BIND, SAF, SMC and the like."
		case !e.Unreserved:
		case o.SAF != "":
			saf = true
		case o.Flag == "DENY" && e.Job != "*":
			b.errorf(r, "PORT UNRSV %s %s: DENY applies to the job name * only", e.Protocol, e.Job).Detail =
				"PORT UNRSV … * DENY denies every job the unreserved ports; for one job, leave it out of the UNRSV entries. The stack ignores the entire PORT statement, its other entries too (EZZ0146I)."
		case o.Flag == "DENY":
			deny = true
		case o.Flag == "WHENLISTEN" && e.Protocol == "UDP":
			b.errorf(r, "PORT UNRSV UDP: WHENLISTEN applies to TCP only").Detail =
				"UDP access to unreserved ports is checked when an application binds (WHENBIND, the default for UDP)."
		case unrsvOnly:
		default:
			b.errorf(r, "PORT UNRSV: %s is an option of reserved ports", portOptionName(o)).Detail =
				"An UNRSV entry takes SAF resname, DENY (with the job name *), and WHENLISTEN or WHENBIND."
		}
	}
	if deny && saf {
		b.errorf(b.prof.RangeOf(&e.Node), "PORT UNRSV %s *: DENY and SAF exclude each other", e.Protocol).Detail =
			"The job name * takes either DENY (no job may use an unreserved port) or SAF resname (access by SAF resource)."
	}
}

// portAccess reports a PORT UNRSV TCP entry whose access control,
// WHENLISTEN or WHENBIND, is not the one an earlier UNRSV TCP entry coded:
// every UNRSV TCP entry must use the same, and the stack ignores the entry
// that differs, keeping the statement's others (EZZ0147I). Entries that
// code neither are not compared: they take the default, which tcpipc
// does not assume.
func (b *stackBuilder) portAccess(e *profile.PortEntry) {
	if !e.Unreserved || e.Protocol != "TCP" {
		return
	}
	for _, o := range e.Options {
		if o.Flag != "WHENLISTEN" && o.Flag != "WHENBIND" {
			continue
		}
		first := b.unrsvAccess
		if first == nil {
			b.unrsvAccess = o
			return
		}
		if first.Flag != o.Flag {
			d := b.errorf(b.prof.RangeOf(&o.Node), "PORT UNRSV TCP %s: %s conflicts with the %s in effect", e.Job, o.Flag, first.Flag)
			d.Detail = "Every PORT UNRSV TCP entry uses the same access control; the stack ignores this entry and processes the statement's others (EZZ0147I). Code " + first.Flag + ", or change every UNRSV TCP entry."
			d.Related = []diag.Related{{Range: b.prof.RangeOf(&first.Node), Message: first.Flag + " is coded here"}}
		}
		return
	}
}

// portOptionRanks are the places of the PORT options in the syntax
// diagram, which they must follow (IP Configuration Reference, V3R1 "PORT
// statement": "The PORT parameters and options (for example, NOAUTOLOG,
// DELAYACKS) must be specified in the order in which they appear on the
// following syntax diagram"): a reserved port's, and an UNRSV entry's.
var portOptionRanks = [2]map[string]int{
	{"NOAUTOLOG": 1, "DELAYACKS": 2, "NODELAYACKS": 2, "SHAREPORT": 3, "SHAREPORTWLM": 3,
		"BIND": 4, "SAF": 5, "NOSMC": 6, "SMC": 6, "NOSMCR": 6, "NOSMCD": 6},
	{"SAF": 1, "DENY": 1, "WHENLISTEN": 2, "WHENBIND": 2},
}

// portOptionOrder reports the first option of a PORT entry written after
// one that the syntax diagram puts after it.
func (b *stackBuilder) portOptionOrder(e *profile.PortEntry) {
	ranks := portOptionRanks[0]
	if e.Unreserved {
		ranks = portOptionRanks[1]
	}
	b.optionOrder(portLabel("PORT", e.Unreserved, e.Number), e.Options, ranks,
		"PORT options follow the order of the syntax diagram: NOAUTOLOG, DELAYACKS or NODELAYACKS, SHAREPORT or SHAREPORTWLM, BIND, SAF, NOSMC or SMC (for UNRSV: SAF or DENY, then WHENLISTEN or WHENBIND); the stack rejects them in another order.")
}

// optionOrder reports the first of opts written after one that ranks
// puts after it; options ranks does not hold are reported elsewhere.
func (b *stackBuilder) optionOrder(label string, opts []*profile.PortOption, ranks map[string]int, detail string) {
	var last *profile.PortOption
	for _, o := range opts {
		r, ok := ranks[portOptionName(o)]
		if !ok {
			continue
		}
		if last != nil && r < ranks[portOptionName(last)] {
			d := b.errorf(b.prof.RangeOf(&o.Node), "%s: %s must come before %s", label, portOptionName(o), portOptionName(last))
			d.Detail = detail
			return
		}
		last = o
	}
}

// portRangeRanks are the places of the PORTRANGE options in its syntax
// diagram (IP Configuration Reference, V2R2 and V2R4 "PORTRANGE
// statement": "The portrange options (NOAUTOLOG, DELAYACKS, and so on)
// must be specified in the same order as they appear on the following
// syntax diagram"): NOAUTOLog, DELAYAcks or NODELAYAcks, SAF resname,
// NOSMC or SMC (NOSMCR in V2R1). PORT's SHAREPORT, BIND and the UNRSV
// options are not among them.
var portRangeRanks = map[string]int{"NOAUTOLOG": 1, "DELAYACKS": 2, "NODELAYACKS": 2, "SAF": 3,
	"NOSMC": 4, "SMC": 4, "NOSMCR": 4, "NOSMCD": 4}

// portRangeOptions reports a PORTRANGE option the statement does not
// take, options after RESERVED or AUTHPORT (which take none), and options
// out of the diagram's order.
func (b *stackBuilder) portRangeOptions(s *profile.PortRangeEntry) {
	label := fmt.Sprintf("PORTRANGE %d", s.First)
	if (s.Job == "RESERVED" || s.Job == "AUTHPORT") && len(s.Options) > 0 {
		d := b.errorf(b.prof.RangeOf(&s.Options[0].Node), "%s: %s takes no options", label, s.Job)
		d.Detail = "RESERVED keeps the ports from every job and AUTHPORT keeps them for FTP's passive data connections; the options belong to a range reserved for a job name. The stack rejects the statement."
		return
	}
	for _, o := range s.Options {
		if _, ok := portRangeRanks[portOptionName(o)]; !ok {
			d := b.errorf(b.prof.RangeOf(&o.Node), "%s: %s is not a PORTRANGE option", label, portOptionName(o))
			d.Detail = "PORTRANGE takes NOAUTOLOG, DELAYACKS or NODELAYACKS, SAF resname, and NOSMC or SMC; SHAREPORT, BIND and the UNRSV options are PORT's. The stack rejects the statement."
			return
		}
	}
	b.optionOrder(label, s.Options, portRangeRanks,
		"PORTRANGE options follow the order of its syntax diagram: NOAUTOLOG, DELAYACKS or NODELAYACKS, SAF, NOSMC or SMC; the stack rejects them in another order.")
}

// portOptionName is how a PORT option is written, for messages.
func portOptionName(o *profile.PortOption) string {
	switch {
	case o.Bind != nil:
		return "BIND"
	case o.SAF != "":
		return "SAF"
	}
	return o.Flag
}

// autologProc reports an AUTOLOG entry whose procedure name is no MVS
// name, and returns whether it is one. A started procedure's name (and a
// JOBNAME) has 1 to 8 letters, digits or national characters (@, #, $) and
// does not begin with a digit (IP Configuration Reference, "AUTOLOG
// statement": proc_name, the member name of the procedure). An AUTOLOG
// keyword in its place means the entry before it ended early: PARMSTRING
// whose string is not in double quotation marks, as IBM's example writes
// it (TRMD PARMSTRING "D=TCPDATA5", IP Configuration Guide).
func (b *stackBuilder) autologProc(e *profile.AutologEntry) bool {
	name := e.Proc.Text
	r := b.prof.RangeOf(&e.Proc.Node)
	switch {
	case name == "PARMSTRING":
		d := b.errorf(r, "AUTOLOG: PARMSTRING needs its string in double quotation marks")
		d.Detail = `Write PARMSTRING "string" on the procedure's entry; the stack rejects the entry otherwise.`
	case name == "JOBNAME" || name == "DELAYSTART":
		d := b.errorf(r, "AUTOLOG: %s has no procedure entry before it", name)
		d.Detail = name + " belongs to the entry of a procedure, after its name and on the same entry."
	case !isMVSName(name) && !strings.Contains(name, "&"): // symbols are the stack's to substitute
		d := b.errorf(r, "AUTOLOG: %s is not a procedure name", name)
		d.Detail = "A started procedure's name has 1 to 8 letters, digits, @, # or $, and does not begin with a digit; the stack rejects the entry."
	default:
		return true
	}
	return false
}

// isMVSName reports whether s is an MVS member or job name.
func isMVSName(s string) bool {
	if len(s) == 0 || len(s) > 8 || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '@' || c == '#' || c == '$') {
			return false
		}
	}
	return true
}

// portNumber reports a port number the stack rejects: PORT's num and
// PORTRANGE's 1st_port are from 1 to 65535 (IP Configuration Reference,
// V3R1 "PORT statement" and "PORTRANGE statement"). A range that runs past
// 65535 is not an error: the stack reserves the ports up to 65535.
func (b *stackBuilder) portNumber(stmt string, n int, r diag.Range) {
	if n >= 1 && n <= 65535 {
		return
	}
	d := b.errorf(r, "%s: port %d is out of range", stmt, n)
	d.Detail = "A port number is from 1 to 65535; the stack rejects the statement."
}

// addr resolves an address operand, substituting system symbols.
func (b *stackBuilder) addr(a *profile.Addr) (Addr, bool) {
	r := b.prof.RangeOf(&a.Node)
	text, ok := b.substitute(a.Text, r)
	if !ok {
		return Addr{Text: text, Range: r}, false
	}
	ip, err := parseProfileAddr(text)
	if err != nil && text != a.Text {
		b.errorf(r, "%s (%s with this stack's system symbols) is not a valid IP address", a.Text, text)
		return Addr{Text: a.Text, Range: r}, false
	}
	if err != nil {
		b.errorf(r, "%s is not a valid IP address", a.Text)
		return Addr{Text: a.Text, Range: r}, false
	}
	return Addr{Addr: ip, Text: a.Text, Range: r}, true
}

// substitute replaces the system symbols of an address operand with the
// stack's values; a symbol without a value is a warning at r, and false.
func (b *stackBuilder) substitute(text string, r diag.Range) (string, bool) {
	if !strings.Contains(text, "&") {
		return text, true
	}
	resolved, missing := profile.Substitute(text, b.syms)
	if missing != "" {
		d := b.ds.Warnf(RuleValue, r, "system symbol &%s. in %s has no value", missing, text)
		d.Detail = fmt.Sprintf("Give the stack's value in the manifest (symbols: {%s: ...}) so tcpipc can check and simulate this address.", missing)
		d.IncludedFrom = b.chain
		return text, false
	}
	return resolved, true
}

// parseProfileAddr reads an address as the stack does. An IPv4 part may
// have leading zeros and is still decimal: IBM's sample profile
// (SEZAINST(SAMPPROF)) has HOME entries 9.67.114.02 and 9.67.43.03, which
// Go's netip refuses (it reads a leading zero as a possible octal mistake).
func parseProfileAddr(text string) (netip.Addr, error) {
	ip, err := netip.ParseAddr(text)
	if err == nil || strings.Contains(text, ":") {
		return ip, err
	}
	parts := strings.Split(text, ".")
	if len(parts) != 4 {
		return ip, err
	}
	var b [4]byte
	for i, p := range parts {
		if len(p) == 0 || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return ip, err
		}
		n, _ := strconv.Atoi(p)
		if n > 255 {
			return ip, err
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), nil
}

// maskLen turns a dotted mask into a prefix length.
func (b *stackBuilder) maskLen(m *profile.Addr) (*Addr, int, bool) {
	a, ok := b.addr(m)
	if !ok {
		return nil, 0, false
	}
	if !a.Addr.Is4() {
		b.errorf(a.Range, "%s is not an IPv4 address mask", a.Text)
		return nil, 0, false
	}
	v := uint32(0)
	for _, x := range a.Addr.As4() {
		v = v<<8 | uint32(x)
	}
	n := 0
	for n < 32 && v&(1<<(31-n)) != 0 {
		n++
	}
	if n < 32 && v<<n != 0 {
		b.errorf(a.Range, "%s is not a valid address mask (its one bits are not contiguous)", a.Text)
		return nil, 0, false
	}
	return &a, n, true
}

func (b *stackBuilder) ipconfig(s *profile.IPConfig) {
	for _, o := range s.Options {
		r := b.prof.RangeOf(&o.Node)
		switch {
		case o.DynamicXCF != nil:
			b.dynamicXCF(o.DynamicXCF, s.V6, r)
		case o.TCPStackSourceVIPA != nil:
			if a, ok := b.addr(o.TCPStackSourceVIPA); ok {
				b.s.TCPStackSourceVIPA = &a
			}
		case o.Other != nil:
			switch o.Other.Name {
			case "IPSECURITY":
				if s.V6 {
					b.s.IPSecurity6 = &Keyword{Range: r}
				} else {
					b.s.IPSecurity = &Keyword{Range: r}
				}
			case "SOURCEVIPA", "NOSOURCEVIPA":
				// IPCONFIG6 SOURCEVIPA is IPv6's own; TCPSTACKSOURCEVIPA
				// and the model's SOURCEVIPA are IPv4's.
				if !s.V6 {
					b.s.SourceVIPA = map[bool]*Keyword{true: {Range: r}, false: nil}[o.Other.Name == "SOURCEVIPA"]
				}
			}
		}
	}
}

func (b *stackBuilder) dynamicXCF(x *profile.DynamicXCF, v6 bool, r diag.Range) {
	text := x.Addr
	bits := -1
	if slash := strings.IndexByte(text, '/'); slash >= 0 {
		bits, _ = strconv.Atoi(text[slash+1:])
		text = text[:slash]
	}
	pa := &profile.Addr{Node: x.Sub(1, 2), Text: text} // the address operand follows DYNAMICXCF
	a, ok := b.addr(pa)
	if !ok {
		return
	}
	if a.Addr.Is4() == v6 {
		b.errorf(a.Range, "DYNAMICXCF %s: IPCONFIG%s needs an IPv%s address", a.Text, map[bool]string{true: "6"}[v6], map[bool]string{true: "6", false: "4"}[v6])
		return
	}
	if b.v4Compatible(a.Addr, a.Range, "IPCONFIG6 DYNAMICXCF") {
		return
	}
	switch {
	case strings.HasPrefix(x.Mask, "/"):
		bits, _ = strconv.Atoi(x.Mask[1:])
	case x.Mask != "":
		mask := &profile.Addr{Node: x.Sub(2, 3), Text: x.Mask}
		if _, n, ok := b.maskLen(mask); ok {
			bits = n
		}
	}
	if bits < 0 {
		bits = a.Addr.BitLen()
	}
	if bits > a.Addr.BitLen() {
		b.errorf(r, "DYNAMICXCF prefix length %d is longer than the address", bits)
		return
	}
	b.s.DynamicXCF = append(b.s.DynamicXCF, &DynamicXCF{Addr: a, PrefixLen: bits, Cost: x.Cost, Range: r})
}

func (b *stackBuilder) globalConfig(s *profile.GlobalConfig) {
	for _, o := range s.Options {
		switch {
		case o.XCFGrpID != nil:
			if *o.XCFGrpID < 2 || *o.XCFGrpID > 31 {
				b.errorf(b.prof.RangeOf(&o.Node), "GLOBALCONFIG XCFGRPID %d is outside 2-31", *o.XCFGrpID)
				continue
			}
			b.s.XCFGrpID, b.s.XCFGrpIDRange = o.XCFGrpID, b.prof.RangeOf(&o.Node)
		case o.SysplexWLMPoll != nil:
			b.s.SysplexWLMPoll = o.SysplexWLMPoll
		case o.SysplexMonitor != nil:
			sm := &b.s.SysplexMonitor
			sm.Range = b.prof.RangeOf(&o.SysplexMonitor.Node)
			for _, so := range o.SysplexMonitor.Options {
				if so.TimerSecs != nil {
					sm.TimerSecs = *so.TimerSecs
					continue
				}
				on := !strings.HasPrefix(so.Flag, "NO")
				switch strings.TrimPrefix(so.Flag, "NO") {
				case "RECOVERY":
					sm.Recovery = on
				case "AUTOREJOIN":
					sm.AutoRejoin = on
				case "DELAYJOIN":
					sm.DelayJoin = on
				case "JOIN":
					sm.NoJoin = true
				case "MONINTERFACE":
					sm.MonInterface = on
				case "DYNROUTE":
					sm.DynRoute = on
				}
			}
		}
	}
}
