package model

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/profile"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/grammar/yamlpos"
)

// RuleManifest is the id of problems in sysplex.yaml.
const RuleManifest = "MANIFEST"

// ManifestName is the manifest's file name inside a sysplex directory.
const ManifestName = "sysplex.yaml"

// Manifest is sysplex.yaml: the sysplex and where each stack's files are.
type Manifest struct {
	// Path is the manifest file ("" when the directory was read by
	// convention); Dir the directory relative paths resolve against.
	Path string
	Dir  string
	Name string
	// VTAMXCFGrpID is VTAM's XCFGRPID start option (nil when not set).
	VTAMXCFGrpID *int
	// CFRM lists the CF structures defined in the CFRM policy; CFRMGiven
	// tells an empty list from none.
	CFRM      []string
	CFRMGiven bool
	CFRMRange diag.Range
	// Include maps data set names (without member) to directories, for
	// profile INCLUDEs.
	Include map[string]string
	Stacks  []*StackEntry
	Range   diag.Range
	// Loose is set for loose profile files: their stack names are made up
	// from file names, not MVS system names, so no system symbol defaults
	// from them.
	Loose bool
}

// StackEntry is one stack of the manifest.
type StackEntry struct {
	Name    string // MVS system name
	TCPIP   string // stack job name
	Release string
	Profile string
	Pagent  string
	Policy  []string
	Iked    string
	// Root is the directory that stands for the stack's z/OS UNIX root;
	// Paths maps single z/OS UNIX paths or data set names to files.
	Root    string
	Paths   map[string]string
	Symbols map[string]string
	Range   diag.Range
	// Ranges holds the range of each key's value, for diagnostics;
	// PolicyRanges that of each policy file, PathRanges that of each
	// paths value (by its key).
	Ranges       map[string]diag.Range
	PolicyRanges []diag.Range
	PathRanges   map[string]diag.Range
	// KeyRings maps key ring names (IkeConfig KeyRing, upper case) to
	// the PEM files that stand for them.
	KeyRings map[string]*KeyRingFiles
}

var (
	topKeys   = []string{"sysplex", "vtam", "cfrm", "include", "stacks"}
	vtamKeys  = []string{"xcfgrpid"}
	stackKeys = []string{"name", "tcpip", "release", "profile", "pagent", "policy", "iked", "root", "paths", "symbols", "keyrings"}
	mvsName   = regexp.MustCompile(`^[A-Z@#$][A-Z0-9@#$]{0,7}$`)
)

// ReadManifest parses sysplex.yaml. Problems come back as diagnostics with
// positions in the YAML; the manifest is as complete as the file allows.
func ReadManifest(manifestPath string) (*Manifest, *source.File, diag.Diagnostics) {
	var ds diag.Diagnostics
	name := filepath.ToSlash(manifestPath)
	m := &Manifest{Path: name, Dir: path.Dir(name)}
	data, err := os.ReadFile(manifestPath)
	if err != nil {
		rule := RuleRead
		if errors.Is(err, fs.ErrNotExist) {
			rule = RuleManifest
		}
		ds.Errorf(rule, diag.Range{File: name}, "cannot read manifest: %v", osReason(err))
		return m, nil, ds
	}
	f := source.Decode(name, data, source.UTF8)
	r := manifestReader{&yamlpos.Reader{File: f, Rule: RuleManifest, Diags: &ds}}
	root, ok := r.Root("manifest")
	if !ok {
		return m, f, ds
	}
	if root == nil {
		ds.Errorf(RuleManifest, f.Range(0, 0), "manifest is empty")
		return m, f, ds
	}
	m.Range = r.Range(root)
	if root.Kind != yaml.MappingNode {
		ds.Errorf(RuleManifest, r.Range(root), "manifest must be a mapping with sysplex, vtam, cfrm, include and stacks")
		return m, f, ds
	}
	r.Mapping(root, topKeys, "manifest", func(key string, k, v *yaml.Node) {
		switch key {
		case "sysplex":
			m.Name = strings.ToUpper(r.scalar(v, key))
			if m.Name != "" && !mvsName.MatchString(m.Name) {
				ds.Errorf(RuleManifest, r.Range(v), "sysplex name %q is not a valid name (1-8 characters A-Z, 0-9, @, #, $)", m.Name)
			}
		case "vtam":
			r.Mapping(v, vtamKeys, "vtam", func(key string, k, v *yaml.Node) {
				n, ok := r.integer(v, key)
				if !ok {
					return
				}
				if n < 2 || n > 31 {
					ds.Errorf(RuleManifest, r.Range(v), "VTAM XCFGRPID %d is outside 2-31", n)
					return
				}
				m.VTAMXCFGrpID = &n
			})
		case "cfrm":
			m.CFRMGiven, m.CFRMRange = true, r.Range(v)
			m.CFRM = r.strings(v, key)
			for i := range m.CFRM {
				m.CFRM[i] = strings.ToUpper(m.CFRM[i])
			}
		case "include":
			m.Include = map[string]string{}
			r.stringMap(v, key, func(k, val string, kn, vn *yaml.Node) {
				m.Include[strings.ToUpper(k)] = val
			})
		case "stacks":
			if v.Kind != yaml.SequenceNode {
				ds.Errorf(RuleManifest, r.Range(v), "stacks must be a list of stacks")
				return
			}
			for _, item := range v.Content {
				m.Stacks = append(m.Stacks, r.stack(item))
			}
		}
	})
	if m.Name == "" {
		ds.Errorf(RuleManifest, m.Range, "manifest has no sysplex name").Detail = "Add `sysplex: NAME` with the sysplex name."
	}
	if len(m.Stacks) == 0 {
		ds.Errorf(RuleManifest, m.Range, "manifest lists no stacks")
	}
	seen := map[string]*StackEntry{}
	for _, s := range m.Stacks {
		if s.Name == "" {
			continue
		}
		if first, ok := seen[s.Name]; ok {
			d := ds.Errorf(RuleManifest, s.Ranges["name"], "stack %s is listed twice", s.Name)
			d.Related = []diag.Related{{Range: first.Ranges["name"], Message: "first listed here"}}
			continue
		}
		seen[s.Name] = s
	}
	return m, f, ds
}

// manifestReader reads the values of a manifest; problems are MANIFEST
// diagnostics at the value.
type manifestReader struct{ *yamlpos.Reader }

func (r manifestReader) scalar(n *yaml.Node, key string) string {
	if n.Kind != yaml.ScalarNode {
		r.Diags.Errorf(RuleManifest, r.Range(n), "%s must be a single value", key)
		return ""
	}
	return n.Value
}

func (r manifestReader) integer(n *yaml.Node, key string) (int, bool) {
	s := r.scalar(n, key)
	v, err := strconv.Atoi(s)
	if err != nil && s != "" {
		r.Diags.Errorf(RuleManifest, r.Range(n), "%s must be a number, not %q", key, s)
		return 0, false
	}
	return v, err == nil
}

// strings reads a scalar or a list of scalars.
func (r manifestReader) strings(n *yaml.Node, key string) []string {
	if n.Kind == yaml.ScalarNode {
		if n.Value == "" {
			return nil
		}
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		r.Diags.Errorf(RuleManifest, r.Range(n), "%s must be a value or a list of values", key)
		return nil
	}
	var out []string
	for _, c := range n.Content {
		if s := r.scalar(c, key); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (r manifestReader) stringMap(n *yaml.Node, key string, fn func(k, v string, kn, vn *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		r.Diags.Errorf(RuleManifest, r.Range(n), "%s must be a mapping", key)
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		fn(n.Content[i].Value, r.scalar(n.Content[i+1], key), n.Content[i], n.Content[i+1])
	}
}

func (r manifestReader) stack(n *yaml.Node) *StackEntry {
	s := &StackEntry{Range: r.Range(n), Ranges: map[string]diag.Range{}}
	r.Mapping(n, stackKeys, "stack", func(key string, k, v *yaml.Node) {
		s.Ranges[key] = r.Range(v)
		switch key {
		case "name":
			s.Name = strings.ToUpper(r.scalar(v, key))
			if s.Name != "" && !mvsName.MatchString(s.Name) {
				r.Diags.Errorf(RuleManifest, r.Range(v), "stack name %q is not a valid MVS system name (1-8 characters A-Z, 0-9, @, #, $)", s.Name)
			}
		case "tcpip":
			s.TCPIP = strings.ToUpper(r.scalar(v, key))
			if s.TCPIP != "" && !mvsName.MatchString(s.TCPIP) {
				r.Diags.Errorf(RuleManifest, r.Range(v), "job name %q is not a valid job name (1-8 characters)", s.TCPIP)
			}
		case "release":
			s.Release = strings.ToUpper(r.scalar(v, key))
			if _, err := ParseRelease(s.Release); err != nil {
				r.Diags.Errorf(RuleManifest, r.Range(v), "%v", err)
			}
		case "profile":
			s.Profile = r.scalar(v, key)
		case "pagent":
			s.Pagent = r.scalar(v, key)
		case "policy":
			s.Policy = r.strings(v, key)
			if v.Kind == yaml.SequenceNode {
				for _, c := range v.Content {
					if c.Kind == yaml.ScalarNode && c.Value != "" {
						s.PolicyRanges = append(s.PolicyRanges, r.Range(c))
					}
				}
			}
		case "iked":
			s.Iked = r.scalar(v, key)
		case "root":
			s.Root = r.scalar(v, key)
		case "paths":
			s.Paths, s.PathRanges = map[string]string{}, map[string]diag.Range{}
			r.stringMap(v, key, func(k, val string, _, vn *yaml.Node) {
				s.Paths[k], s.PathRanges[k] = val, r.Range(vn)
			})
		case "keyrings":
			r.keyRings(s, v)
		case "symbols":
			s.Symbols = map[string]string{}
			r.stringMap(v, key, func(k, val string, _, _ *yaml.Node) {
				s.Symbols[strings.ToUpper(strings.Trim(k, "&."))] = val
			})
		}
	})
	if s.Name == "" {
		r.Diags.Errorf(RuleManifest, s.Range, "stack has no name")
	}
	if s.TCPIP == "" {
		s.TCPIP = "TCPIP"
	}
	if s.Profile == "" && s.Name != "" {
		r.Diags.Errorf(RuleManifest, s.Range, "stack %s has no profile", s.Name)
	}
	if s.Pagent != "" && len(s.Policy) > 0 {
		r.Diags.Errorf(RuleManifest, s.Ranges["policy"], "stack %s gives both pagent and policy", s.Name).Detail =
			"Give the Policy Agent main file (pagent), which names the policy files, or the policy files directly (policy), not both."
	}
	return s
}

// checkFiles reports the files and directories the manifest names that
// are missing, unreadable or outside the root, and returns, per stack, the
// keys of root and paths values that must not be used (outside the root).
func checkFiles(m *Manifest, root *Root, ds *diag.Diagnostics) map[*StackEntry]map[string]bool {
	refused := map[*StackEntry]map[string]bool{}
	for _, s := range m.Stacks {
		refused[s] = map[string]bool{}
		of := " of stack " + s.Name
		check := func(key, p string, at diag.Range) {
			if p == "" {
				return
			}
			root.fileProblem(ds, path.Join(m.Dir, p), p, key+" file", of, rangeOr(at, m.Dir, p), RuleManifest)
		}
		check("profile", s.Profile, s.Ranges["profile"])
		check("pagent", s.Pagent, s.Ranges["pagent"])
		check("iked", s.Iked, s.Ranges["iked"])
		for i, p := range s.Policy {
			at := s.Ranges["policy"]
			if i < len(s.PolicyRanges) {
				at = s.PolicyRanges[i]
			}
			check("policy", p, at)
		}
		if s.Root != "" && !checkRoot(m, root, s, ds) {
			refused[s]["root"] = true
		}
		for k, p := range s.Paths {
			if _, err := root.Resolve(path.Join(m.Dir, p)); errors.Is(err, profile.ErrOutside) {
				d := ds.Errorf(RuleOutside, s.PathRanges[k], "paths file %s%s is outside the sysplex directory", p, of)
				d.Detail = outsideDetail(root)
				refused[s]["paths:"+k] = true
			}
		}
	}
	return refused
}

// checkRoot reports a stack's root directory that is missing, not a
// directory or outside the root.
func checkRoot(m *Manifest, root *Root, s *StackEntry, ds *diag.Diagnostics) bool {
	at := s.Ranges["root"]
	fi, err := root.Stat(path.Join(m.Dir, s.Root))
	switch {
	case errors.Is(err, profile.ErrOutside):
		d := ds.Errorf(RuleOutside, at, "root directory %s of stack %s is outside the sysplex directory", s.Root, s.Name)
		d.Detail = outsideDetail(root)
		return false
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		ds.Errorf(RuleRead, at, "cannot read root directory %s of stack %s: %v", s.Root, s.Name, osReason(err))
	case err != nil || !fi.IsDir():
		ds.Errorf(RuleManifest, at, "root directory %s of stack %s does not exist", s.Root, s.Name)
	}
	return true
}

// rangeOr is at, or the file itself when the manifest gave no position
// (a sysplex read by convention).
func rangeOr(at diag.Range, dir, p string) diag.Range {
	if at.File == "" {
		return diag.Range{File: path.Join(dir, p)}
	}
	return at
}

// conventionManifest builds a manifest for a directory without
// sysplex.yaml: every subdirectory holding PROFILE.TCPIP is a stack named
// after it, with pagent.conf and iked.conf when present.
func conventionManifest(dir string) (*Manifest, diag.Diagnostics) {
	var ds diag.Diagnostics
	name := filepath.ToSlash(dir)
	m := &Manifest{Dir: name, Name: strings.ToUpper(filepath.Base(filepath.Clean(dir)))}
	if !mvsName.MatchString(m.Name) {
		m.Name = "SYSPLEX"
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		ds.Errorf(RuleRead, diag.Range{File: name}, "cannot read sysplex directory: %v", osReason(err))
		return m, ds
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "PROFILE.TCPIP")); err != nil {
			continue
		}
		s := &StackEntry{Name: strings.ToUpper(e.Name()), TCPIP: "TCPIP", Profile: e.Name() + "/PROFILE.TCPIP", Ranges: map[string]diag.Range{}}
		for file, field := range map[string]*string{"pagent.conf": &s.Pagent, "iked.conf": &s.Iked} {
			if _, err := os.Stat(filepath.Join(dir, e.Name(), file)); err == nil {
				*field = e.Name() + "/" + file
			}
		}
		m.Stacks = append(m.Stacks, s)
	}
	sort.Slice(m.Stacks, func(i, j int) bool { return m.Stacks[i].Name < m.Stacks[j].Name })
	if len(m.Stacks) == 0 {
		d := ds.Errorf(RuleManifest, diag.Range{File: name}, "no sysplex found in %s", name)
		d.Detail = fmt.Sprintf("A sysplex is a directory with %s, or with one subdirectory per stack holding PROFILE.TCPIP.", ManifestName)
		if _, err := os.Stat(filepath.Join(dir, "PROFILE.TCPIP")); err == nil {
			d.Detail += fmt.Sprintf(" This directory holds one stack's profile itself; lint it as a stack of its own with `tcpipc lint %s`.", path.Join(name, "PROFILE.TCPIP"))
		}
	}
	return m, ds
}
