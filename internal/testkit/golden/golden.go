package golden

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

// Updating reports whether golden files should be rewritten.
func Updating() bool { return os.Getenv("TCPIPC_UPDATE") != "" }

// File compares got with the checked-in file at path, or rewrites the
// file when updating; what names the content in the failure message.
func File(t *testing.T, path, got, what string) {
	t.Helper()
	if Updating() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run make update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s changed (-%s +now); review and run make update:\n%s", what, path, diff)
	}
}

// Case is one golden archive.
type Case struct {
	Path    string
	Archive *txtar.Archive
	// Dir is a temporary directory holding the in/ files, written out so
	// code that reads files from disk can run on them.
	Dir string
}

// Input returns the content of in/<name>.
func (c *Case) Input(name string) ([]byte, bool) {
	for _, f := range c.Archive.Files {
		if f.Name == "in/"+name {
			return f.Data, true
		}
	}
	return nil, false
}

// Inputs lists the names of the in/ files, sorted.
func (c *Case) Inputs() []string {
	var out []string
	for _, f := range c.Archive.Files {
		if name, ok := strings.CutPrefix(f.Name, "in/"); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Run runs f for every archive matching pattern (a glob). f returns the
// output of each phase by name; Run compares each with out/<phase> or, when
// updating, rewrites the archive.
func Run(t *testing.T, pattern string, f func(t *testing.T, c *Case) map[string]string) {
	t.Helper()
	paths, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no golden files match %s", pattern)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c := &Case{Path: path, Archive: ar, Dir: t.TempDir()}
			for _, file := range ar.Files {
				if name, ok := strings.CutPrefix(file.Name, "in/"); ok {
					p := filepath.Join(c.Dir, filepath.FromSlash(name))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					mode := os.FileMode(0o644)
					if strings.HasSuffix(name, ".key") {
						mode = 0o600 // private key fixtures: lint refuses readable ones
					}
					if err := os.WriteFile(p, file.Data, mode); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := f(t, c)
			check(t, c, got)
		})
	}
}

func check(t *testing.T, c *Case, got map[string]string) {
	t.Helper()
	want := map[string]string{}
	var kept []txtar.File
	for _, file := range c.Archive.Files {
		if phase, ok := strings.CutPrefix(file.Name, "out/"); ok {
			want[phase] = string(file.Data)
			continue
		}
		kept = append(kept, file)
	}
	if Updating() {
		phases := make([]string, 0, len(got))
		for p := range got {
			phases = append(phases, p)
		}
		sort.Strings(phases)
		for _, p := range phases {
			kept = append(kept, txtar.File{Name: "out/" + p, Data: []byte(got[p])})
		}
		c.Archive.Files = kept
		if err := os.WriteFile(c.Path, txtar.Format(c.Archive), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for phase, out := range got {
		w, ok := want[phase]
		if !ok {
			t.Errorf("%s: no out/%s section; run with TCPIPC_UPDATE=1 to create it", c.Path, phase)
			continue
		}
		if diff := cmp.Diff(w, out); diff != "" {
			t.Errorf("%s: out/%s differs (-want +got); TCPIPC_UPDATE=1 rewrites it:\n%s", c.Path, phase, diff)
		}
	}
	for phase := range want {
		if _, ok := got[phase]; !ok {
			t.Errorf("%s: out/%s is no longer produced; TCPIPC_UPDATE=1 removes it", c.Path, phase)
		}
	}
}

// RelativeTo rewrites occurrences of dir in s to "$DIR" so outputs do not
// depend on where the test ran.
func RelativeTo(s, dir string) string {
	s = strings.ReplaceAll(s, filepath.ToSlash(dir)+"/", "")
	return strings.ReplaceAll(s, filepath.ToSlash(dir), ".")
}
