package repo

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// module is the import path every package of tcpipc starts with.
const module = "github.com/tcpipc/tcpipc/"

// A layer rule says what the packages under a directory may not depend
// on, transitively: DESIGN.md's arrows
//
//	diag ← grammar ← model ← {verify, compile} → plan ← {whatif, display} ← runtime ← cmd/tcpipc
//
// read as prohibitions. Directories match by path segment: "runtime"
// means runtime and everything under it. only, when set, lists the one
// set of packages the layer may use (plan is a leaf: diag at most).
type layerRule struct {
	layer  string
	forbid []string
	only   []string
}

var layerRules = []layerRule{
	{layer: "diag", only: []string{}},
	{layer: "grammar", forbid: []string{"model", "verify", "compile", "plan", "whatif", "display", "runtime", "scenario", "cmd"}},
	{layer: "model", forbid: []string{"verify", "compile", "whatif", "display", "runtime", "scenario", "cmd"}},
	{layer: "verify", forbid: []string{"compile", "whatif", "display", "runtime", "scenario", "cmd"}},
	{layer: "compile", forbid: []string{"verify", "whatif", "display", "runtime", "scenario", "cmd"}},
	{layer: "plan", only: []string{"diag"}},
	{layer: "whatif", forbid: []string{"grammar", "model", "verify", "compile", "display", "runtime", "scenario", "cmd"}},
	{layer: "display", forbid: []string{"grammar", "model", "verify", "compile", "whatif", "runtime", "scenario", "cmd"}},
	// The scenario language is read by the runtime, never the reverse;
	// its reader (scenario/scenarioyaml) uses the grammar layer's YAML.
	{layer: "scenario", forbid: []string{"model", "verify", "compile", "whatif", "display", "runtime", "cmd"}},
	{layer: "runtime", forbid: []string{"grammar", "model", "verify", "compile", "cmd"}},
	// Inside the runtime: control → play → sysplex → {lan, workload}; the
	// LAN and the applications know no sysplex (workload through an
	// interface), the sysplex plays no scenario.
	{layer: "runtime/play", forbid: []string{"runtime/control"}},
	{layer: "runtime/sysplex", forbid: []string{"runtime/control", "runtime/play"}},
	{layer: "runtime/lan", forbid: []string{"runtime/sysplex", "runtime/control", "runtime/play", "runtime/workload"}},
	{layer: "runtime/workload", forbid: []string{"runtime/sysplex", "runtime/control", "runtime/play", "runtime/lan"}},
}

// pendingEdges are imports that break the arrows today and are being
// removed: the dependency graph is checked as if they were gone, and the
// test fails once one no longer exists, so the list cannot outlive its
// reason. None are pending.
var pendingEdges [][2]string

// runtimeTestsForbid is what the runtime's tests may not depend on: the
// front end that reads profiles and policies, and the compiler. They may
// read scenario files, whose YAML reader sits in the grammar layer.
var runtimeTestsForbid = layerRule{layer: "runtime", forbid: []string{"grammar/profile", "grammar/policy", "model", "verify", "compile", "cmd"}}

// TestLayers fails when a package of tcpipc depends on a package its layer
// may not use, directly or through any chain of imports (go list).
func TestLayers(t *testing.T) {
	graph, _ := importGraph(t)
	if len(graph) < 20 {
		t.Fatalf("go list found %d packages; the module is larger", len(graph))
	}
	for _, e := range pendingEdges {
		if !slices.Contains(graph[e[0]], e[1]) {
			t.Errorf("%s no longer imports %s: remove the pending edge", e[0], e[1])
		}
	}
	for _, v := range layerViolations(graph, layerRules, pendingEdges) {
		t.Error(v)
	}
}

// TestRuntimeTestsSeePlansOnly: the runtime's tests, too, stay on their
// side of the arrows. They run plans from testdata/plans (compiled and
// kept current by compile's TestCheckedInPlans), never model.Load or the
// compiler, so a runtime test cannot come to rely on the front end; they
// may read scenario files (scenario/scenarioyaml).
func TestRuntimeTestsSeePlansOnly(t *testing.T) {
	graph, tests := importGraph(t)
	rule := runtimeTestsForbid
	for pkg, imps := range tests {
		if !under(pkg, "runtime") {
			continue
		}
		for _, imp := range imps {
			deps := reachable(graph, imp, pendingEdges)
			deps[imp] = []string{imp}
			for dep, chain := range deps {
				if bad(rule, pkg, dep) {
					t.Errorf("the tests of %s depend on %s (%s)", pkg, dep, strings.Join(chain, " → "))
				}
			}
		}
	}
}

// TestLayerRulesCatch runs the checker on synthetic import graphs, so the
// rules are shown to fail where they must: a runtime package importing
// model, directly or through another runtime package, or plan importing
// more than diag.
func TestLayerRulesCatch(t *testing.T) {
	for _, c := range []struct {
		name  string
		graph map[string][]string
		want  []string
	}{
		{"today's arrows", map[string][]string{
			"runtime/control":  {"runtime/play", "runtime/sysplex", "runtime/workload", "display"},
			"runtime/play":     {"runtime/sysplex", "runtime/workload", "runtime/lan"},
			"runtime/sysplex":  {"runtime/ipsec", "runtime/lan", "runtime/workload", "plan", "display"},
			"runtime/lan":      {"runtime/ipsec"},
			"runtime/workload": {"display"},
			"runtime/ipsec":    {"plan"},
			"display":          {"plan"},
			"plan":             {"diag"},
			"compile":          {"model", "plan"},
			"model":            {"grammar/profile"},
		}, nil},
		{"runtime imports model", map[string][]string{
			"runtime/sysplex": {"model"},
			"model":           {"grammar/profile"},
		}, []string{
			"runtime/sysplex depends on grammar/profile (runtime/sysplex → model → grammar/profile)",
			"runtime/sysplex depends on model (runtime/sysplex → model)",
		}},
		{"the LAN reaches into the sysplex", map[string][]string{
			"runtime/lan":     {"runtime/sysplex"},
			"runtime/sysplex": {"plan"},
		}, []string{
			"runtime/lan depends on runtime/sysplex (runtime/lan → runtime/sysplex)",
		}},
		{"ctl's protocol reaches model through the sysplex", map[string][]string{
			"runtime/control": {"runtime/sysplex"},
			"runtime/sysplex": {"model"},
		}, []string{
			"runtime/control depends on model (runtime/control → runtime/sysplex → model)",
			"runtime/sysplex depends on model (runtime/sysplex → model)",
		}},
		{"runtime reaches compile through another runtime package", map[string][]string{
			"runtime/sysplex": {"runtime/dvipa"},
			"runtime/dvipa":   {"compile"},
		}, []string{
			"runtime/dvipa depends on compile (runtime/dvipa → compile)",
			"runtime/sysplex depends on compile (runtime/sysplex → runtime/dvipa → compile)",
		}},
		{"plan is a leaf", map[string][]string{
			"plan":      {"diag", "internal/ike/wire"},
			"diag":      {},
			"whatif":    {"plan"},
			"display":   {"plan", "whatif"},
			"cmd/x":     {"runtime/sysplex", "model"},
			"grammar/a": {"diag"},
		}, []string{
			"display depends on whatif (display → whatif)",
			"plan depends on internal/ike/wire (plan → internal/ike/wire)",
		}},
		{"the scenario language imports the runtime", map[string][]string{
			"scenario":    {"plan", "runtime/xcf"},
			"runtime/xcf": {"plan"},
		}, []string{
			"scenario depends on runtime/xcf (scenario → runtime/xcf)",
		}},
		{"a pending edge is not followed", map[string][]string{
			"runtime/scenario": {"grammar/source"},
			"runtime/sysplex":  {"runtime/scenario"},
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := layerViolations(c.graph, layerRules, [][2]string{{"runtime/scenario", "grammar/source"}})
			if !slices.Equal(got, c.want) {
				t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// importGraph lists every package of the module with its direct imports
// inside the module, paths relative to it, and apart the imports of its
// tests (which are not part of the package's dependencies).
func importGraph(t *testing.T) (graph, tests map[string][]string) {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,TestImports,XTestImports", "./...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	graph, tests = map[string][]string{}, map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath                         string
			Imports, TestImports, XTestImports []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module)
		graph[name] = inModule(p.Imports)
		tests[name] = slices.DeleteFunc(inModule(append(p.TestImports, p.XTestImports...)), func(imp string) bool { return imp == name })
	}
	return graph, tests
}

// inModule keeps the imports of tcpipc's own packages, relative to the
// module.
func inModule(imports []string) []string {
	out := []string{}
	for _, imp := range imports {
		if rel, ok := strings.CutPrefix(imp, module); ok {
			out = append(out, rel)
		}
	}
	return out
}

// layerViolations checks every package of graph against the rules of its
// layer, following imports transitively but not the skipped edges; each
// violation names the chain of imports that leads to it. The result is
// sorted.
func layerViolations(graph map[string][]string, rules []layerRule, skip [][2]string) []string {
	var out []string
	for pkg := range graph {
		for _, r := range rules {
			if !under(pkg, r.layer) {
				continue
			}
			for dep, chain := range reachable(graph, pkg, skip) {
				if bad(r, pkg, dep) {
					out = append(out, fmt.Sprintf("%s depends on %s (%s)", pkg, dep, strings.Join(chain, " → ")))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// bad reports whether the rule forbids pkg to depend on dep. Packages
// under internal/ hold protocol code and test kits every layer may use.
func bad(r layerRule, pkg, dep string) bool {
	if under(dep, r.layer) && under(pkg, r.layer) || under(dep, "internal") && r.only == nil {
		return false
	}
	if r.only != nil {
		return !slices.ContainsFunc(r.only, func(l string) bool { return under(dep, l) })
	}
	return slices.ContainsFunc(r.forbid, func(l string) bool { return under(dep, l) })
}

// reachable returns every package pkg depends on, each with one chain of
// imports from pkg to it (breadth first, so the shortest).
func reachable(graph map[string][]string, pkg string, skip [][2]string) map[string][]string {
	chains := map[string][]string{pkg: {pkg}}
	queue := []string{pkg}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, next := range graph[cur] {
			if _, seen := chains[next]; seen || slices.Contains(skip, [2]string{cur, next}) {
				continue
			}
			chains[next] = append(slices.Clone(chains[cur]), next)
			queue = append(queue, next)
		}
	}
	delete(chains, pkg)
	return chains
}

// under reports whether pkg is dir or inside it.
func under(pkg, dir string) bool {
	return pkg == dir || strings.HasPrefix(pkg, dir+"/")
}
