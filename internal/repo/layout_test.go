package repo

import (
	"os/exec"
	"path"
	"strings"
	"testing"
)

// modulePath is the import path every package of the repository starts with.
const modulePath = "github.com/tcpipc/tcpipc"

// listed is one package as go list describes it, without its tests.
type listed struct {
	path, name string
	deps       []string
}

// goList lists every package of the modulePath with its transitive imports.
func goList(t *testing.T) []listed {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}} {{.Name}} {{join .Deps \" \"}}", modulePath+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []listed
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkgs = append(pkgs, listed{path: f[0], name: f[1], deps: f[2:]})
	}
	return pkgs
}

// TestPackagesNamedLikeDirectories keeps import aliases unnecessary: every
// package but a command is named like its directory.
func TestPackagesNamedLikeDirectories(t *testing.T) {
	for _, p := range goList(t) {
		if p.name != "main" && p.name != path.Base(p.path) {
			t.Errorf("%s is package %s; name the directory or the package like the other", p.path, p.name)
		}
	}
}

// TestTestKitsOnlyInTests keeps the test kits out of the binary: no
// package outside internal/testkit imports one, directly or through
// another package (tests may).
func TestTestKitsOnlyInTests(t *testing.T) {
	kits := modulePath + "/internal/testkit"
	for _, p := range goList(t) {
		if p.path == kits || strings.HasPrefix(p.path, kits+"/") {
			continue
		}
		for _, d := range p.deps {
			if strings.HasPrefix(d, kits+"/") {
				t.Errorf("%s imports the test kit %s", p.path, d)
			}
		}
	}
}
