package model

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/policy"
	"github.com/tcpipc/tcpipc/grammar/profile"
)

// RulePolicyFile is the id of problems locating a stack's policy files.
const RulePolicyFile = "POLICYFILE"

// Iked is the IKE daemon configuration of a stack's image.
type Iked struct {
	File string `json:"file"`
	// Params holds every IkeConfig parameter of the last IkeConfig block
	// (repeated parameters: the last value), by canonical name.
	Params map[string]string `json:"params"`
	// SMF119 and SupportedCertAuth accumulate over the block.
	SMF119            []string `json:"smf119,omitempty"`
	SupportedCertAuth []string `json:"supportedCertAuth,omitempty"`
	// NetworkSecurityServer is the NSS host, "" when not configured.
	NetworkSecurityServer string `json:"networkSecurityServer,omitempty"`
	// NssStacks maps a stack name to its NssStackConfig service types.
	NssStacks map[string][]string `json:"nssStacks,omitempty"`
	Range     diag.Range          `json:"range"`
}

// policyLoader reads one stack's Policy Agent and IKED files.
type policyLoader struct {
	sx    *Sysplex
	m     *Manifest
	e     *StackEntry
	src   stackFiles // where the stack's files may come from
	opts  Options
	ds    *diag.Diagnostics
	files []*policy.File // every file parsed, for unused-object reporting
	// hidden counts the errors of files another stack read first: they
	// are reported once, but still keep this stack's policy from being
	// installed.
	hidden int
}

// parse reads one pagent, policy or iked file, confined to the stack's
// root, and checks its values. A file several stacks read (the common
// policy file) has its findings reported once, with the first stack that
// reads it. From the second reader on, its parse is shared read-only:
// keeping every stack's own file parsed until the end of the load would
// double the heap of a large sysplex for nothing.
func (l *policyLoader) parse(p string, kind policy.Kind) *policy.File {
	key := parsedKey(p, kind)
	seen, again := l.sx.policyParsed[key]
	if again && seen.file != nil {
		l.hidden += seen.errors
		return seen.file
	}
	data, err := l.src.root.ReadFile(p)
	if err != nil {
		// Checked just before; gone or changed since.
		l.ds.Errorf(RuleRead, diag.Range{File: p}, "cannot read %s: %v", p, osReason(err))
		return &policy.File{Name: p, Kind: kind}
	}
	f, pds := policy.Parse(p, data, policy.Options{Encoding: l.opts.Encoding, Kind: kind})
	f.Name = p
	checkPolicyValues(f, &pds)
	if l.sx.policyParsed == nil {
		l.sx.policyParsed = map[string]parsedPolicy{}
	}
	errs := pds.Count(diag.Error)
	if again {
		l.hidden += errs
		l.sx.policyParsed[key] = parsedPolicy{file: f, errors: errs}
		return f
	}
	l.sx.policyParsed[key] = parsedPolicy{errors: errs}
	*l.ds = append(*l.ds, pds...)
	for n, text := range f.Sources() {
		l.sx.Sources[n] = text
	}
	return f
}

// parsedKey is the key of a file parsed as kind in Sysplex.policyParsed.
func parsedKey(p string, kind policy.Kind) string { return p + "\x00" + kind.String() }

// parsedPolicy is a policy file met in a sysplex load: the number of
// errors its findings hold (for the stacks that read it later, whose
// policy they refuse too) and, once a second stack reads it, its parse.
type parsedPolicy struct {
	file   *policy.File
	errors int
}

// report adds the findings of the stack's object table and policy
// builder. Each stack builds its own policy from the files it reads, so a
// file several stacks read (the common policy file) draws the same
// findings from each: a finding already reported, at the same place with
// the same words, is not reported again, and its errors count as hidden.
func (l *policyLoader) report(ds diag.Diagnostics) {
	if l.sx.policyReported == nil {
		l.sx.policyReported = map[string]bool{}
	}
	for _, d := range ds {
		key := fmt.Sprintf("%s\x00%v\x00%s\x00%d:%d-%d:%d\x00%s", d.Rule, d.Severity, d.Range.File,
			d.Range.Start.Line, d.Range.Start.Column, d.Range.End.Line, d.Range.End.Column, d.Summary)
		if l.sx.policyReported[key] {
			if d.Severity == diag.Error {
				l.hidden++
			}
			continue
		}
		l.sx.policyReported[key] = true
		l.ds.Add(d)
	}
}

// errors counts the errors this loader met, reported or hidden.
func (l *policyLoader) errors() int { return l.ds.Count(diag.Error) + l.hidden }

// zosPath maps a z/OS UNIX path or data set name from a pagent file to a
// file: an explicit mapping under the stack's paths, else the stack's
// root directory, else "". refused says the mapping leads outside the
// sysplex directory (reported at the manifest).
func (l *policyLoader) zosPath(name string) (p string, refused bool) {
	name = strings.TrimSpace(name)
	if p, ok := l.e.Paths[name]; ok {
		return path.Join(l.m.Dir, p), l.src.refused["paths:"+name]
	}
	if l.e.Root != "" && strings.HasPrefix(name, "/") {
		return path.Join(l.m.Dir, l.e.Root, name), l.src.refused["root"]
	}
	return "", false
}

// mapped maps the file operand v of a pagent statement to a file inside
// the root; "" when it cannot (reported, unless the manifest entry it goes
// through was).
func (l *policyLoader) mapped(keyword string, v *policy.Value) string {
	p, refused := l.zosPath(v.Text)
	switch {
	case refused:
		return ""
	case p == "":
		l.unmapped(v)
		return ""
	}
	if _, err := l.src.root.Resolve(p); errors.Is(err, profile.ErrOutside) {
		d := l.ds.Errorf(RuleOutside, v.Range, "%s file %s is outside the sysplex directory", keyword, v.Text)
		d.Detail = outsideDetail(l.src.root)
		return ""
	}
	return p
}

// load reads the stack's IPsec policy (through pagent.conf or the policy
// list) and its iked.conf.
func (l *policyLoader) load(s *Stack) {
	var files []string
	var frm diag.Range
	switch {
	case l.e.Pagent != "":
		files, frm = l.fromPagent(s)
	case len(l.e.Policy) > 0:
		for _, p := range l.e.Policy {
			files = append(files, path.Join(l.m.Dir, p))
		}
		frm = l.e.Ranges["policy"]
	}
	if len(files) > 0 {
		errorsBefore := l.errors()
		var parsed []*policy.File
		for _, p := range files {
			_, err := l.src.root.Stat(p)
			switch {
			case errors.Is(err, profile.ErrOutside):
				continue // reported at the reference
			case errors.Is(err, fs.ErrNotExist):
				l.ds.Errorf(RulePolicyFile, frm, "policy file %s of stack %s does not exist", p, s.Name)
				continue
			case err != nil:
				l.ds.Errorf(RuleRead, frm, "cannot read policy file %s of stack %s: %v", p, s.Name, osReason(err))
				continue
			}
			parsed = append(parsed, l.parse(p, policy.IPSecPolicy))
		}
		var built diag.Diagnostics
		t := newObjectTable(&built)
		t.define(parsed)
		t.resolve(parsed)
		b := &policyBuilder{t: t, ds: &built}
		s.Policy = b.build(parsed)
		l.report(built)
		s.Policy.Files = files
		switch {
		case s.IPSecurity == nil:
			s.Policy.NotInstalled = "the stack lacks IPCONFIG IPSECURITY, so Policy Agent does not read its IPsec policy"
		case l.errors() > errorsBefore:
			s.Policy.NotInstalled = "the policy files have errors, and Policy Agent installs no IPsec policy that has any"
			s.Policy.Refused = true
			l.reportRefused(s)
		}
		s.Policy.Installed = s.Policy.NotInstalled == ""
		for _, o := range t.unused() {
			l.sx.unused = append(l.sx.unused, unusedObject{stack: s.Name, obj: o})
		}
	}
	if l.e.Iked != "" {
		p := path.Join(l.m.Dir, l.e.Iked)
		if fi, err := l.src.root.Stat(p); err == nil && !fi.IsDir() {
			s.Iked = ikedConfig(l.parse(p, policy.Iked))
		}
	}
}

// fromPagent follows the pagent main file to the stack's IPsec policy
// files: the TcpImage (or PEPInstance) of the stack's job names an image
// file, or the main file doubles as the image; CommonIpSecConfig (main file)
// comes first, then the image's IpSecConfig.
func (l *policyLoader) fromPagent(s *Stack) ([]string, diag.Range) {
	mainPath := path.Join(l.m.Dir, l.e.Pagent)
	if fi, err := l.src.root.Stat(mainPath); err != nil || fi.IsDir() {
		return nil, diag.Range{} // the manifest check reported it
	}
	main := l.parse(mainPath, policy.PagentMain)
	image := main
	var images int
	for _, e := range main.Entries {
		if e.Keyword != "TcpImage" && e.Keyword != "PEPInstance" {
			continue
		}
		images++
		if !strings.EqualFold(e.Name(), s.Job) {
			continue
		}
		if file := imageFile(e); file != nil {
			p := l.mapped(e.Keyword, file)
			if p == "" || !l.src.root.fileProblem(l.ds, p, file.Text, e.Keyword+" file", " of stack "+s.Name, file.Range, RulePolicyFile) {
				return nil, diag.Range{}
			}
			_, seen := l.sx.policyParsed[parsedKey(p, policy.PagentMain)]
			image = l.parse(p, policy.PagentMain)
			if !seen && image != main {
				commonInImage(image, l.ds)
			}
		}
	}
	if images > 0 && image == main && !hasImage(main, s.Job) {
		d := l.ds.Warnf(RulePolicyFile, main.Entries[0].Range, "pagent.conf has no TcpImage for stack job %s; Policy Agent installs no policy for it", s.Job)
		d.Detail = "Add TcpImage " + s.Job + " (and the image file, or let the main file serve as image)."
		return nil, diag.Range{}
	}
	l.otherPolicies(main, image)
	var out []string
	var at diag.Range
	if c := last(main, "CommonIpSecConfig"); c != nil && len(c.Values) > 0 {
		if p := l.mapped(c.Keyword, c.Values[0]); p != "" {
			out, at = append(out, p), c.Range
		}
	}
	if c := last(image, "IpSecConfig"); c != nil {
		at = c.Range
		if len(c.Values) > 0 {
			if p := l.mapped(c.Keyword, c.Values[0]); p != "" {
				out = append(out, p)
			}
		}
	} else if len(out) > 0 {
		out = nil // the common file is not read at all without IpSecConfig
	}
	return out, at
}

// commonInImage warns of the Common… statements of an image file: Policy
// Agent reads CommonIpSecConfig and the other common files from the main
// file only and ignores them in an image file (IBM's sample EZAPAGCO),
// so the objects of that file are missing from the stack's policy.
func commonInImage(image *policy.File, ds *diag.Diagnostics) {
	for _, e := range image.Entries {
		if !strings.HasPrefix(e.Keyword, "Common") || !strings.HasSuffix(e.Keyword, "Config") {
			continue
		}
		d := ds.Warnf(RulePolicyFile, e.KeywordRange, "%s in an image file is ignored", e.Keyword)
		d.Detail = "Policy Agent reads " + e.Keyword + " from its main configuration file only; in an image file it reads nothing from the statement, " +
			"so the objects of that file are not part of the stack's policy. Move the statement to the main file."
	}
}

// otherConfigs names the pagent statements that point at the policy files
// of the types tcpipc recognises without modelling, with their kind.
var otherConfigs = []struct {
	common, image string
	kind          policy.Kind
}{
	{"CommonTTLSConfig", "TTLSConfig", policy.ATTLS},
	{"CommonIDSConfig", "IDSConfig", policy.IDS},
	{"CommonQoSConfig", "QoSConfig", policy.QoS},
	{"CommonRoutingConfig", "RoutingConfig", policy.Routing},
}

// otherPolicies reads the AT-TLS, IDS, QoS and routing policy files the
// main and image files name, as their kind, so that lint reports their
// misspelt and misplaced statements. tcpipc does not model them, so a
// file it cannot map is an info, not an error.
func (l *policyLoader) otherPolicies(main, image *policy.File) {
	for _, oc := range otherConfigs {
		for _, e := range []*policy.Entry{last(main, oc.common), last(image, oc.image)} {
			if e == nil || len(e.Values) == 0 {
				continue
			}
			p, refused := l.zosPath(e.Values[0].Text)
			if refused {
				continue
			}
			if p == "" {
				d := l.ds.Infof(RulePolicyFile, e.Values[0].Range, "%s file %s is not read: it is not mapped to a file", e.Keyword, e.Values[0].Text)
				d.Detail = "tcpipc does not model this policy type; map the path under the stack's paths in sysplex.yaml to have lint check its statements."
				continue
			}
			_, err := l.src.root.Stat(p)
			switch {
			case errors.Is(err, profile.ErrOutside):
				d := l.ds.Errorf(RuleOutside, e.Values[0].Range, "%s file %s is outside the sysplex directory", e.Keyword, e.Values[0].Text)
				d.Detail = outsideDetail(l.src.root)
				continue
			case errors.Is(err, fs.ErrNotExist):
				l.ds.Errorf(RulePolicyFile, e.Values[0].Range, "%s file %s does not exist", e.Keyword, p)
				continue
			case err != nil:
				l.ds.Errorf(RuleRead, e.Values[0].Range, "cannot read %s file %s: %v", e.Keyword, p, osReason(err))
				continue
			}
			l.parse(p, oc.kind)
		}
	}
}

// reportRefused says, once per stack, that lint checks a policy Policy
// Agent would refuse as written: findings about it are real mistakes, but
// until the errors are fixed the stack runs its profile IPSEC rules.
func (l *policyLoader) reportRefused(s *Stack) {
	at := s.Policy.Range
	if at.IsZero() {
		return // no IpFilterPolicy: reported as such
	}
	d := l.ds.Infof(RulePolicyFile, at, "%s: Policy Agent would not install this IPsec policy (it has errors); lint checks it as written", s.Name)
	d.Detail = "Rules evaluate the policy as written so that one error does not hide findings elsewhere. " +
		"Until the errors are fixed the stack keeps its profile IPSEC rules, and compile, whatif and run use those."
}

func (l *policyLoader) unmapped(v *policy.Value) {
	d := l.ds.Errorf(RulePolicyFile, v.Range, "cannot map %s to a file", v.Text)
	d.Detail = "Map it in sysplex.yaml under the stack's paths (paths: {" + v.Text + ": file}) or give the stack a root directory that stands for its z/OS UNIX root."
}

// imageFile returns the image file operand of a TcpImage statement: the
// word after the stack name unless it is an option or the interval.
func imageFile(e *policy.Entry) *policy.Value {
	if len(e.Values) < 2 {
		return nil
	}
	v := e.Values[1]
	switch strings.ToUpper(v.Text) {
	case "FLUSH", "NOFLUSH", "PURGE", "NOPURGE":
		return nil
	}
	if strings.Trim(v.Text, "0123456789") == "" {
		return nil
	}
	return v
}

func hasImage(f *policy.File, job string) bool {
	for _, e := range f.Entries {
		if (e.Keyword == "TcpImage" || e.Keyword == "PEPInstance") && strings.EqualFold(e.Name(), job) {
			return true
		}
	}
	return false
}

// last returns the last top-level entry with the keyword.
func last(f *policy.File, keyword string) *policy.Entry {
	var found *policy.Entry
	for _, e := range f.Entries {
		if e.Keyword == keyword {
			found = e
		}
	}
	return found
}

// ikedConfig reads iked.conf: the last IkeConfig block counts.
func ikedConfig(f *policy.File) *Iked {
	k := &Iked{File: f.Name, Params: map[string]string{}, NssStacks: map[string][]string{}}
	if ic := last(f, "IkeConfig"); ic != nil && ic.Block != nil {
		k.Range = ic.KeywordRange
		for _, a := range ic.Block.Entries {
			v := strings.Join(a.Texts(), " ")
			switch a.Keyword {
			case "SMF119":
				k.SMF119 = append(k.SMF119, v)
			case "SupportedCertAuth":
				k.SupportedCertAuth = append(k.SupportedCertAuth, v)
			case "NetworkSecurityServer":
				k.NetworkSecurityServer = a.Name()
				k.Params[a.Keyword] = v
			default:
				k.Params[a.Keyword] = v
			}
		}
	}
	for _, e := range f.Entries {
		if e.Keyword == "NssStackConfig" && e.Block != nil {
			var types []string
			for _, a := range e.Block.Entries {
				if a.Keyword == "ServiceType" {
					types = append(types, strings.ToUpper(a.Name()))
				}
			}
			k.NssStacks[strings.ToUpper(e.Name())] = types
		}
	}
	return k
}

// unusedObject is a named policy object nothing references, on one stack.
type unusedObject struct {
	stack string
	obj   *object
}

// reportUnused reports named policy objects that nothing uses. An object
// of a file several stacks read (the common file) is reported once, and
// only when no stack uses it.
func (sx *Sysplex) reportUnused(ds *diag.Diagnostics) {
	type key struct{ file, typ, name string }
	count := map[key]int{}
	readers := map[string]int{}
	first := map[key]*object{}
	for _, s := range sx.Stacks {
		if s.Policy == nil {
			continue
		}
		for _, f := range s.Policy.Files {
			readers[f]++
		}
	}
	for _, u := range sx.unused {
		k := key{u.obj.entry.Range.File, u.obj.typ, u.obj.name}
		count[k]++
		if first[k] == nil {
			first[k] = u.obj
		}
	}
	for k, n := range count {
		if n < readers[k.file] {
			continue // another stack reading the same file uses it
		}
		o := first[k]
		d := ds.Infof(RulePolicyUnused, o.entry.KeywordRange, "%s %s is not used", o.typ, o.name)
		d.Detail = "No reference names this object, so Policy Agent installs nothing from it. Reference it, or remove it."
	}
}
