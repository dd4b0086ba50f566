package rules

import (
	"sort"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/verify"
	"github.com/tcpipc/tcpipc/verify/rules/anchorrules"
	"github.com/tcpipc/tcpipc/verify/rules/backuprank"
	"github.com/tcpipc/tcpipc/verify/rules/backupwithoutowner"
	"github.com/tcpipc/tcpipc/verify/rules/cfstructure"
	"github.com/tcpipc/tcpipc/verify/rules/distributedefinition"
	"github.com/tcpipc/tcpipc/verify/rules/duplicateaddress"
	"github.com/tcpipc/tcpipc/verify/rules/duplicatedefinition"
	"github.com/tcpipc/tcpipc/verify/rules/dvipsecbackup"
	"github.com/tcpipc/tcpipc/verify/rules/dvipsecowner"
	"github.com/tcpipc/tcpipc/verify/rules/dvlocalfltr"
	"github.com/tcpipc/tcpipc/verify/rules/filtershadowing"
	"github.com/tcpipc/tcpipc/verify/rules/ikecertificates"
	"github.com/tcpipc/tcpipc/verify/rules/ikedcoverage"
	"github.com/tcpipc/tcpipc/verify/rules/ikev2certnss"
	"github.com/tcpipc/tcpipc/verify/rules/ipsecconfig"
	"github.com/tcpipc/tcpipc/verify/rules/ipsecwithoutvpn"
	"github.com/tcpipc/tcpipc/verify/rules/keyexchangeagreement"
	"github.com/tcpipc/tcpipc/verify/rules/liveness"
	"github.com/tcpipc/tcpipc/verify/rules/manualtunnel"
	"github.com/tcpipc/tcpipc/verify/rules/nobackup"
	"github.com/tcpipc/tcpipc/verify/rules/offerleftout"
	"github.com/tcpipc/tcpipc/verify/rules/peercredentials"
	"github.com/tcpipc/tcpipc/verify/rules/presharedkeywithoutkey"
	"github.com/tcpipc/tcpipc/verify/rules/releasemix"
	"github.com/tcpipc/tcpipc/verify/rules/sagranularity"
	"github.com/tcpipc/tcpipc/verify/rules/sourcevipadestination"
	"github.com/tcpipc/tcpipc/verify/rules/sysplexmonitor"
	"github.com/tcpipc/tcpipc/verify/rules/vipaaddress"
	"github.com/tcpipc/tcpipc/verify/rules/vipalimits"
	"github.com/tcpipc/tcpipc/verify/rules/vipamask"
)

// All returns every lint rule, sorted by id.
func All() []*verify.Rule {
	all := []*verify.Rule{
		backupwithoutowner.Rule, backuprank.Rule, cfstructure.Rule, distributedefinition.Rule, duplicatedefinition.Rule,
		ipsecconfig.Rule, vipalimits.Rule, nobackup.Rule, sourcevipadestination.Rule, sysplexmonitor.Rule,
		vipaaddress.Rule, vipamask.Rule, anchorrules.Rule, dvipsecowner.Rule, dvipsecbackup.Rule, dvlocalfltr.Rule, sagranularity.Rule,
		ikedcoverage.Rule, ikev2certnss.Rule, liveness.Rule, manualtunnel.Rule, releasemix.Rule, presharedkeywithoutkey.Rule,
		ipsecwithoutvpn.Rule, keyexchangeagreement.Rule, offerleftout.Rule, peercredentials.Rule, filtershadowing.Rule,
		ikecertificates.Rule, duplicateaddress.Rule,
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all
}

// Lookup finds a rule (lint or front end) by id or name.
func Lookup(idOrName string) (*verify.Rule, bool) {
	for _, r := range append(All(), FrontEnd()...) {
		if r.ID == idOrName || r.Name == idOrName || equalFold(r.ID, idOrName) {
			return r, true
		}
	}
	return nil, false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// FrontEnd describes the ids that the grammar and model packages report.
// They are not run by the rule engine (Run is nil); they exist so every id a
// finding can carry has documentation.
func FrontEnd() []*verify.Rule {
	return []*verify.Rule{
		{ID: "INCLUDE", Name: "include", Severity: diag.Error, Summary: "an INCLUDE that cannot be resolved or read, an INCLUDE cycle, or INCLUDEs past tcpipc's limits",
			Doc: "The profile INCLUDEs a member tcpipc cannot find (data set names map to files next to the including profile, or through the manifest's include map), cannot read, or that includes itself through a chain of members. The stack would fail to read the member too. Fix the data set name, the manifest's include map, or the cycle. tcpipc also stops following INCLUDEs past 10,000 per profile or 4 MiB of included text (each inclusion counts): members that include each other several times multiply without end."},
		{ID: "OUTSIDE", Name: "outside", Severity: diag.Error, Summary: "a file reference that leads outside the sysplex directory",
			Doc: "An INCLUDE, a manifest value (profile, pagent, policy, iked, root, paths) or a Policy Agent file statement names a file whose real path, after resolving symbolic links, is outside the directory tcpipc was given (for loose profiles: the profile's directory). tcpipc does not read it, so no output can show another file's content. Move the file into the sysplex directory, or allow its directory with --allow-outside DIR."},
		{ID: "READ", Name: "read-error", Severity: diag.Error, Summary: "a file that exists but cannot be read",
			Doc: "An I/O error reading a file of the sysplex: a directory where a file belongs, a path through something that is not a directory, a symbolic link loop, permission denied. The message gives the operating system's reason; the command exits with code 2, as for other I/O errors. A file that does not exist is reported by the rule of its reference (MANIFEST, INCLUDE, POLICYFILE)."},
		{ID: "IGNORED", Name: "ignored", Severity: diag.Warning, Summary: "statements the stack ignores after a syntax error in their block",
			Doc: "A syntax error inside VIPADYNAMIC makes the stack ignore the rest of the block; one inside SRCIP discards the whole block. The statements are syntactically fine but never take effect. Fix the syntax error."},
		{ID: "MANIFEST", Name: "manifest", Severity: diag.Error, Summary: "a problem in sysplex.yaml",
			Doc: "sysplex.yaml names the sysplex and each stack's files. Unknown keys, values of the wrong form, stacks listed twice and files that do not exist are reported at their position in the YAML."},
		{ID: "OPTION", Name: "unknown-option", Severity: diag.Warning, Summary: "an option keyword, or a device, link or interface type, tcpipc does not know",
			Doc: "The statement carries an option keyword (or a DEVICE, LINK or INTERFACE type) that is not in tcpipc's list for it. The stack rejects options it does not know; tcpipc's lists of rarely used options may be incomplete, so this is a warning. Check the spelling against the IP Configuration Reference."},
		{ID: "SEQNUM", Name: "sequence-numbers", Severity: diag.Error, Summary: "sequence numbers in columns 73-80 of a profile record",
			Doc: "IBM does not allow sequence numbers in a TCP/IP profile: the stack reads all 80 columns, so the numbers become operands of the statement on their line and the statement fails. Reported once per file, with the count and the lines. Remove them (ISPF UNNUM, or NUMBER OFF)."},
		{ID: "COMMENT", Name: "comment-blank", Severity: diag.Warning, Summary: "a ';' comment right after a word, with no blank between",
			Doc: "IBM's statement syntax rules require a blank between an argument and the semicolon of a comment after it (IP Configuration Reference, \"Statement syntax for configuration statements\"), as in `REPL ;CHG`, not `REPL;CHG`. IBM does not say what the stack reads without the blank; it may take the semicolon and the comment for part of the argument, which then fails. tcpipc reads a comment and warns, once per file with the lines. Put a blank before the ';'."},
		{ID: verify.RuleSuppress, Name: "suppression", Severity: diag.Warning, Summary: "a tcpipc:ignore comment that suppresses nothing or gives no reason",
			Doc: "A `; tcpipc:ignore RULE reason` (or `# tcpipc:ignore …`) comment silences findings of RULE that start on its line, or on the next line when the comment stands alone. A suppression that covers no finding is stale; one without a reason cannot be reviewed."},
		{ID: "SYNTAX", Name: "syntax", Severity: diag.Error, Summary: "the stack would reject this statement",
			Doc: "A statement or operand that does not fit the statement's syntax: an unknown statement (with a suggestion), a missing or wrong operand, an unterminated block (reported at its opening statement: the stack reads the rest of the data set as part of it), an END statement without its block."},
		{ID: "UNSUPPORTED", Name: "unsupported", Severity: diag.Info, Summary: "a statement tcpipc keeps but does not model",
			Doc: "tcpipc recognises the statement and keeps its operands but does not simulate it; the operands of most such statements are still checked against IBM's grammar (SYNTAX). Reported once per statement kind and file."},
		{ID: "UNDEFINED", Name: "undefined-object", Severity: diag.Error, Summary: "a device, link or interface name that the profile never defines",
			Doc: "LINK names its DEVICE; HOME, ROUTE and PRIMARYINTERFACE name a LINK or an INTERFACE; START and STOP name a DEVICE or an INTERFACE. A name that no DEVICE, LINK or INTERFACE … DEFINE of the profile defines makes the stack reject the statement; it is reported where it is used. A profile that defines no device, link or interface at all is taken for a fragment and not checked."},
		{ID: "TCPIPDATA", Name: "tcpip-data", Severity: diag.Warning, Summary: "a TCPIP.DATA or resolver setup statement the resolver does not know or cannot use",
			Doc: "A loose resolver setup file (named RESSETUP or EZBRECNF, or made mostly of setup statements such as GLOBALTCPIPDATA('…'), CACHESIZE(200M), MAXTTL(600)) is checked for its statements, a value in parentheses where one belongs, a data set name in quotation marks or a path, and the numbers' forms. A loose TCPIP.DATA file (named TCPIP.DATA or TCPDATA, or made mostly of TCPIP.DATA statements) is checked on its own: every statement against IBM's list of TCPIP.DATA statements (with a suggestion for a misspelling; a PROFILE.TCPIP statement is named as one), and the values of those whose form IBM states (YES or NO, UDP or TCP, DNS and LOCAL, one IP address, a port, an MVS job name, a data set prefix). DOMAINORIGIN and SEARCH in one file exclude each other: the one written first is ignored. The resolver does not refuse the file; it goes on without a statement it cannot use, so applications run with a default nobody meant."},
		{ID: "POLICY-SYNTAX", Name: "policy-syntax", Severity: diag.Error, Summary: "text Policy Agent or IKED cannot read",
			Doc: "A line of a pagent, IPsec policy or iked.conf file that does not fit their syntax. For IPsec policy any such error keeps Policy Agent from installing the new policy at all."},
		{ID: "POLICY-BRACE", Name: "policy-brace", Severity: diag.Error, Summary: "unbalanced or misplaced braces in a policy file",
			Doc: "Braces of policy statements stand on lines of their own; a block that is never closed, or a stray closing brace, is reported at the brace."},
		{ID: "POLICY-UNKNOWN", Name: "policy-unknown", Severity: diag.Error, Also: []diag.Severity{diag.Warning}, Summary: "a policy statement type or attribute nobody knows",
			Doc: "An unknown statement type or attribute, usually a misspelling (with a suggestion). In statements whose attribute list tcpipc may lack entries, an unknown attribute that looks like no misspelling is a warning."},
		{ID: "POLICY-PLACEMENT", Name: "policy-placement", Severity: diag.Error, Summary: "a policy attribute where it does not belong",
			Doc: "A known attribute inside a statement that does not accept it, for example SharedKey inside IpDataOffer."},
		{ID: "POLICY-BLOCK", Name: "policy-block", Severity: diag.Error, Summary: "a block missing, or given where none belongs",
			Doc: "A block statement without its { … }, or an inline block after an attribute that cannot be written inline."},
		{ID: "POLICY-NAME", Name: "policy-name", Severity: diag.Error, Summary: "a missing or malformed policy object name",
			Doc: "IPsec policy names are 1 to 32 characters, do not start with '-' and contain no ','; global statements that others reference need a name."},
		{ID: "POLICY-VALUES", Name: "policy-values", Severity: diag.Warning, Also: []diag.Severity{diag.Error}, Summary: "missing values, or words past the last value of an attribute",
			Doc: "Pagent reads one attribute per line and ignores what follows its values; missing values make the attribute invalid. " +
				"A SharedKey whose value continues on a later line, or has no format (Ascii, Ebcdic, Hex) before the key, is an error; the value is never shown."},
		{ID: "POLICY-DUPLICATE", Name: "policy-duplicate", Severity: diag.Warning, Summary: "an attribute or statement given twice where the last one wins",
			Doc: "A non-repeatable attribute given twice in one block, or a statement such as IkeConfig given twice: the last one is used, which is rarely what the author meant."},
		{ID: "POLICY-READ", Name: "policy-read", Severity: diag.Error, Summary: "a policy file that cannot be read",
			Doc: "The file the manifest or pagent.conf names cannot be read."},
		{ID: "POLICY-UNSUPPORTED", Name: "policy-unsupported", Severity: diag.Info, Summary: "a Policy Agent statement tcpipc keeps but does not model",
			Doc: "QoS, AT-TLS, IDS, routing and other policy statements are recognised and kept but not checked or simulated."},
		{ID: "POLICYFILE", Name: "policy-file", Severity: diag.Error, Also: []diag.Severity{diag.Warning, diag.Info}, Summary: "a policy file pagent.conf names that cannot be located",
			Doc: "pagent.conf names z/OS UNIX paths or data sets; tcpipc maps them to files through the stack's paths or root in sysplex.yaml. Also reported: a pagent.conf without a TcpImage for the stack's job."},
		{ID: "POLICYREF", Name: "policy-reference", Severity: diag.Error, Also: []diag.Severity{diag.Warning}, Summary: "a policy reference that names nothing, an IpFilterPolicy missing, a rule without an action",
			Doc: "Every …Ref names a global statement of its type, case-sensitively (the stack file overrides same-named objects of the common file). A reference that names nothing makes Policy Agent discard the rule and, for IPsec, refuse the whole policy; without IpFilterPolicy the stack keeps its default profile rules. A name defined twice in one file keeps its last definition (warning)."},
		{ID: "POLICYVALUE", Name: "policy-value", Severity: diag.Error, Also: []diag.Severity{diag.Warning, diag.Info}, Summary: "an IPsec policy or iked.conf value outside the set IBM documents (a warning where tcpipc could not confirm the set; an info for an option that has no effect)",
			Doc: "Every attribute value of the IPsec policy and iked.conf is checked against IBM's documented set or range, at the value, with a suggestion for a misspelt word (IpFilterAction PermitWithIPSec, Direction Bidirectionnal, HowToAuth ESP HMAC_SHA2_265_128, a port above 65535). Policy Agent rejects such a value, and one error in an IPsec policy keeps the whole policy from being installed: the stack keeps its profile rules and the protection the file describes never exists. Values of attributes whose full set tcpipc could not confirm are warnings. FLUSH, NOFLUSH, PURGE and NOPURGE after IpSecConfig are an info: Policy Agent does not support them for IPsec policy, which it always replaces. docs/policy-values.md lists every set and its source."},
		{ID: "POLICYUNUSED", Name: "policy-unused", Severity: diag.Info, Summary: "a named policy object nothing references",
			Doc: "No reference names the object, so nothing of it is installed. Objects of a common file several stacks read are reported only when no stack uses them."},
		{ID: "VALUE", Name: "value", Severity: diag.Error, Also: []diag.Severity{diag.Warning}, Summary: "an operand that parses but makes no sense",
			Doc: "An address that is not an address, a mask whose one bits are not contiguous, a system symbol with no value in the manifest (warning: give it under the stack's symbols), an XCFGRPID outside 2-31."},
	}
}
