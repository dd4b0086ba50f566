package rules

import (
	"os"
	"path"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/tcpipc/tcpipc/verify"
)

// TestPackagesNamedLikeRules: every rule package's directory is its rule's
// Name without the dashes (a Go package name cannot hold one), so the
// directory listing reads like `tcpipc rules`; and every directory under
// verify/rules holds a rule. The package of a rule is the one its Run
// function is declared in.
func TestPackagesNamedLikeRules(t *testing.T) {
	dirs := map[string]bool{}
	for _, r := range withPrerequisites(All()) {
		fn := runtime.FuncForPC(reflect.ValueOf(r.Run).Pointer()).Name()
		pkg := path.Base(fn[:strings.LastIndex(fn, ".")])
		pkg = strings.SplitN(pkg, ".", 2)[0]
		if want := strings.ReplaceAll(r.Name, "-", ""); pkg != want {
			t.Errorf("rule %s (%s) is in package %s; its directory should be verify/rules/%s", r.ID, r.Name, pkg, want)
		}
		dirs[pkg] = true
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && e.Name() != "testdata" && !dirs[e.Name()] {
			t.Errorf("verify/rules/%s holds no rule", e.Name())
		}
	}
}

// withPrerequisites is rules and every rule they require, each once.
func withPrerequisites(rules []*verify.Rule) []*verify.Rule {
	seen := map[*verify.Rule]bool{}
	var out []*verify.Rule
	var visit func(r *verify.Rule)
	visit = func(r *verify.Rule) {
		if seen[r] {
			return
		}
		seen[r] = true
		out = append(out, r)
		for _, q := range r.Requires {
			visit(q)
		}
	}
	for _, r := range rules {
		visit(r)
	}
	return out
}
