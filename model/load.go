package model

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/profile"
	"github.com/tcpipc/tcpipc/grammar/source"
)

// Options control how a sysplex is read.
type Options struct {
	// Encoding of the configuration files; Auto detects EBCDIC per file.
	Encoding source.Encoding
	// Allow lists directories outside the sysplex directory that files of
	// the sysplex may come from too. Without it every file read stays
	// inside the directory the user named (see Root).
	Allow []string
	// MaxIncludes and MaxIncludeBytes bound each profile's INCLUDEs
	// (0: profile.DefaultMaxIncludes, profile.DefaultMaxIncludeBytes).
	MaxIncludes, MaxIncludeBytes int
}

// Load reads the sysplex at path: a directory holding sysplex.yaml, a
// manifest file itself, or a directory of <STACK>/PROFILE.TCPIP by
// convention. It returns as much of the model as the input allows and every
// problem found; error is for tcpipc's own failures only (none today).
func Load(p string, opts Options) (*Sysplex, diag.Diagnostics) {
	var ds diag.Diagnostics
	sx := &Sysplex{Sources: diag.Sources{}}
	var m *Manifest
	fi, err := os.Stat(p)
	rootDir := p
	switch {
	case err != nil:
		rule := RuleRead
		if errors.Is(err, fs.ErrNotExist) {
			rule = RuleManifest
		}
		ds.Errorf(rule, diag.Range{File: filepath.ToSlash(p)}, "cannot read sysplex: %v", err)
		return sx, ds
	case !fi.IsDir():
		rootDir = filepath.Dir(p)
		var f *source.File
		var mds diag.Diagnostics
		m, f, mds = ReadManifest(p)
		ds = append(ds, mds...)
		if f != nil {
			sx.Sources[f.Name] = f.Text
		}
	default:
		mp := filepath.Join(p, ManifestName)
		if _, err := os.Lstat(mp); err == nil && !NewRoot(p, opts.Allow).fileProblem(&ds, mp, ManifestName, "manifest", "", diag.Range{File: filepath.ToSlash(mp)}, RuleManifest) {
			return sx, ds
		}
		if _, err := os.Stat(mp); err == nil {
			var f *source.File
			var mds diag.Diagnostics
			m, f, mds = ReadManifest(filepath.Join(p, ManifestName))
			ds = append(ds, mds...)
			if f != nil {
				sx.Sources[f.Name] = f.Text
			}
		} else {
			var mds diag.Diagnostics
			m, mds = conventionManifest(p)
			ds = append(ds, mds...)
		}
	}
	sx.Manifest, sx.Name, sx.VTAMXCFGrpID = m, m.Name, m.VTAMXCFGrpID
	root := NewRoot(rootDir, opts.Allow)
	refused := checkFiles(m, root, &ds)
	resolver := profile.DirResolver{Map: map[string]string{}, Stat: root.Stat}
	for dsn, dir := range m.Include {
		resolver.Map[dsn] = path.Join(m.Dir, dir)
	}
	seen := map[string]bool{}
	for _, e := range m.Stacks {
		if e.Name == "" || seen[e.Name] {
			continue // a duplicate was reported by the manifest reader
		}
		seen[e.Name] = true
		sx.Stacks = append(sx.Stacks, loadStack(sx, m, e, stackFiles{root, resolver, refused[e]}, opts, &ds))
	}
	sx.policyParsed, sx.policyReported = nil, nil // the parses and findings shared during the load
	sx.link(&ds)
	sx.reportUnused(&ds)
	return sx, ds
}

// stackFiles is where a stack's files come from: the root they are
// confined to, the INCLUDE resolver, and the manifest's root and paths
// entries refused because they lead outside (reported already).
type stackFiles struct {
	root     *Root
	resolver profile.Resolver
	refused  map[string]bool
}

func loadStack(sx *Sysplex, m *Manifest, e *StackEntry, files stackFiles, opts Options, ds *diag.Diagnostics) *Stack {
	rel, _ := ParseRelease(e.Release)
	s := &Stack{Name: e.Name, Job: e.TCPIP, Release: rel, Entry: e}
	if e.Profile == "" {
		return s
	}
	profPath := path.Join(m.Dir, e.Profile)
	if fi, err := files.root.Stat(profPath); err != nil || fi.IsDir() {
		return s // the manifest check reported it
	}
	syms := stackSymbols(m, e)
	prof, pds := profile.ParseFile(profPath, profile.Options{Encoding: opts.Encoding, Resolver: files.resolver,
		ReadFile: files.root.ReadFile, MaxIncludes: opts.MaxIncludes, MaxIncludeBytes: opts.MaxIncludeBytes,
		Symbols: syms})
	*ds = append(*ds, pds...)
	for n, text := range prof.Sources() {
		sx.Sources[n] = text
	}
	s.Profile = prof
	b := &stackBuilder{s: s, prof: prof, syms: syms, ds: ds}
	b.build()
	s.Groups = Names(m.VTAMXCFGrpID, s.XCFGrpID)
	(&policyLoader{sx: sx, m: m, e: e, src: files, opts: opts, ds: ds}).load(s)
	s.KeyRing = loadKeyRing(m, e, s.Iked, files.root)
	return s
}

// link builds the cross-stack view: DESTIP addresses resolved to stacks
// and the table of DVIPAs.
func (sx *Sysplex) link(ds *diag.Diagnostics) {
	byXCF := map[netip.Addr]*Stack{}
	for _, s := range sx.Stacks {
		for _, x := range s.DynamicXCF {
			byXCF[x.Addr.Addr] = s
		}
	}
	table := map[netip.Addr]*DVIPA{}
	get := func(a netip.Addr) *DVIPA {
		d, ok := table[a]
		if !ok {
			d = &DVIPA{Addr: a, PrefixLen: -1}
			table[a] = d
		}
		return d
	}
	for _, s := range sx.Stacks {
		for _, d := range s.VIPA.Defines {
			v := get(d.Addr.Addr)
			v.Defines = append(v.Defines, d)
			if v.PrefixLen < 0 {
				v.PrefixLen = d.PrefixLen
			}
		}
		for _, bk := range s.VIPA.Backups {
			get(bk.Addr.Addr).Backups = append(get(bk.Addr.Addr).Backups, bk)
		}
		for _, dist := range s.VIPA.Distributes {
			for _, dest := range dist.Dests {
				if st, ok := byXCF[dest.Addr.Addr]; ok {
					dest.Stack, dest.StackName = st, st.Name
				}
			}
			get(dist.Addr.Addr).Distributes = append(get(dist.Addr.Addr).Distributes, dist)
		}
	}
	for _, v := range table {
		if v.PrefixLen < 0 {
			for _, bk := range v.Backups {
				if bk.Mask != nil || bk.IntfName != "" {
					v.PrefixLen = bk.PrefixLen
					break
				}
			}
		}
		if v.PrefixLen < 0 {
			v.PrefixLen = v.Addr.BitLen()
		}
		// Highest rank first; equal ranks keep manifest order.
		sort.SliceStable(v.Backups, func(i, j int) bool { return v.Backups[i].Rank > v.Backups[j].Rank })
		sx.DVIPAs = append(sx.DVIPAs, v)
	}
	sort.Slice(sx.DVIPAs, func(i, j int) bool { return sx.DVIPAs[i].Addr.Less(sx.DVIPAs[j].Addr) })
}

// Stack returns the stack with the given name, or nil.
func (sx *Sysplex) Stack(name string) *Stack {
	for _, s := range sx.Stacks {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// DVIPA returns the DVIPA with the given address, or nil.
func (sx *Sysplex) DVIPA(a netip.Addr) *DVIPA {
	i := sort.Search(len(sx.DVIPAs), func(i int) bool { return !sx.DVIPAs[i].Addr.Less(a) })
	if i < len(sx.DVIPAs) && sx.DVIPAs[i].Addr == a {
		return sx.DVIPAs[i]
	}
	return nil
}

// XCFStack returns the stack whose dynamic XCF address is a, or nil.
func (sx *Sysplex) XCFStack(a netip.Addr) *Stack {
	for _, s := range sx.Stacks {
		for _, x := range s.DynamicXCF {
			if x.Addr.Addr == a {
				return s
			}
		}
	}
	return nil
}

// LoadFiles reads loose profile files as a sysplex: each file is the
// profile of one stack, named after the directory it is in (or the file,
// when several share a directory). Each profile and what it includes are
// confined to the profile's directory (and opts.Allow). Loose pagent, policy
// and iked files and TCPIP.DATA files (LooseKind) are parsed and checked on
// their own.
func LoadFiles(paths []string, opts Options) (*Sysplex, diag.Diagnostics) {
	paths, policies, tcpipData := splitLooseFiles(paths) // pagent, policy, iked and TCPIP.DATA files are no stacks
	// Dir "" keeps each path as given, absolute or relative.
	m := &Manifest{Dir: "", Name: "FILES", Loose: true}
	used := map[string]bool{}
	for _, p := range paths {
		p = filepath.ToSlash(p)
		name := stackNameFor(dirName(p))
		if used[name] || name == "" {
			name = stackNameFor(path.Base(p))
		}
		for n := 2; used[name]; n++ {
			name = stackNameFor(fmt.Sprintf("%s%d", path.Base(p), n))
		}
		used[name] = true
		m.Stacks = append(m.Stacks, &StackEntry{Name: name, TCPIP: "TCPIP", Profile: p, Ranges: map[string]diag.Range{}})
	}
	var ds diag.Diagnostics
	sx := &Sysplex{Sources: diag.Sources{}, Manifest: m, Name: m.Name}
	for _, e := range m.Stacks {
		root := NewFileRoot(filepath.FromSlash(e.Profile), opts.Allow)
		if !root.fileProblem(&ds, e.Profile, e.Profile, "profile", "", diag.Range{File: e.Profile}, RuleManifest) {
			continue
		}
		files := stackFiles{root: root, resolver: profile.DirResolver{Stat: root.Stat}}
		sx.Stacks = append(sx.Stacks, loadStack(sx, m, e, files, opts, &ds))
	}
	loadLoosePolicies(sx, policies, opts, &ds)
	loadLooseTCPIPData(sx, tcpipData, opts, &ds)
	sx.policyParsed, sx.policyReported = nil, nil // the parses and findings shared during the load
	sx.link(&ds)
	return sx, ds
}

// dirName is the name of the directory holding the file p, the working
// directory's own for a file named without one (PROFILE.TCPIP, or
// ./PROFILE.TCPIP): the system's directory names its stack, not "."
// or the file.
func dirName(p string) string {
	dir := path.Dir(p)
	if base := path.Base(dir); base != "." && base != ".." && base != "/" {
		return base
	}
	abs, err := filepath.Abs(filepath.FromSlash(dir))
	if err != nil {
		return ""
	}
	return filepath.Base(abs)
}

// stackNameFor turns a file or directory name into an MVS-style name.
func stackNameFor(s string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		if (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '@' || c == '#' || c == '$' {
			b.WriteRune(c)
		}
		if b.Len() == 8 {
			break
		}
	}
	return b.String()
}

// stackSymbols is the stack's MVS system symbols: the manifest's symbols,
// and the static symbols MVS always defines with their default values
// (IBM, z/OS MVS Initialization and Tuning Reference, "Static system
// symbols"): &SYSNAME. the system name (the stack entry's name), &SYSCLONE.
// the last two characters of &SYSNAME., and &SYSPLEX. the sysplex name.
// Loose profile files have no system: their symbols stay unresolved.
func stackSymbols(m *Manifest, e *StackEntry) map[string]string {
	if m.Loose {
		return e.Symbols // nil: tcpipc does not know the system's symbols
	}
	out := map[string]string{}
	if e.Name != "" {
		out["SYSNAME"] = strings.ToUpper(e.Name)
	}
	if m.Name != "" {
		out["SYSPLEX"] = strings.ToUpper(m.Name)
	}
	for k, v := range e.Symbols {
		out[k] = v
	}
	if _, ok := out["SYSCLONE"]; !ok && out["SYSNAME"] != "" {
		name := out["SYSNAME"]
		out["SYSCLONE"] = name[max(0, len(name)-2):]
	}
	return out
}
