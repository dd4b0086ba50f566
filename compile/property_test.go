package compile

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/whatif"
)

// sysplexes returns every test sysplex as a directory: figure9 and the
// in/ files of each golden archive written to a temporary directory.
func sysplexes(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{"figure9": "../testdata/profiles/figure9"}
	paths, err := filepath.Glob("testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range ar.Files {
			if name, ok := strings.CutPrefix(f.Name, "in/"); ok {
				files[name] = f.Data
			}
		}
		if len(files) == 0 {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(p), ".txtar")
		out[name] = writeTree(t, files, nil)
	}
	return out
}

// writeTree writes files into a new directory in the given order (nil:
// sorted by name).
func writeTree(t *testing.T, files map[string][]byte, order []string) string {
	t.Helper()
	if order == nil {
		for name := range files {
			order = append(order, name)
		}
		slices.Sort(order)
	}
	dir := t.TempDir()
	for _, name := range order {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func planJSON(t testing.TB, sx *model.Sysplex, opts Options) string {
	t.Helper()
	p, _ := opts.Compile(sx)
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestDeterministic compiles each sysplex many times, from copies written
// in shuffled file order to different directories: the plan bytes never
// change (map iteration, file system order and location do not leak in).
func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for name, dir := range sysplexes(t) {
		t.Run(name, func(t *testing.T) {
			want := planJSON(t, load(t, dir), Options{})
			files := readTree(t, dir)
			for i := range 8 {
				var order []string
				for n := range files {
					order = append(order, n)
				}
				slices.Sort(order)
				rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
				got := planJSON(t, load(t, writeTree(t, files, order)), Options{})
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("copy %d (file order %v) compiles differently:\n%s", i, order, diff)
				}
			}
		})
	}
}

// TestOneOwner checks that every DVIPA some stack can activate has exactly
// one owner, a stack of the plan that defines it or backs it up with the
// long form, and that under every combination of failures (and recovery
// of all of them) the holder is a stack that is up and may hold it.
func TestOneOwner(t *testing.T) {
	for name, dir := range sysplexes(t) {
		t.Run(name, func(t *testing.T) {
			p, _ := Compile(load(t, dir))
			for _, d := range p.DVIPAs {
				creators := slices.Clone(d.DefinedBy)
				for _, b := range d.Backups {
					if b.CanCreate {
						creators = append(creators, b.Stack)
					}
				}
				switch {
				case len(creators) == 0 && d.Owner != "":
					t.Errorf("%s: owner %s, but no stack can create it", d.Addr, d.Owner)
				case len(creators) > 0 && !slices.Contains(creators, d.Owner):
					t.Errorf("%s: owner %q is not one of %v", d.Addr, d.Owner, creators)
				}
			}
			names := make([]string, len(p.Stacks))
			for i, s := range p.Stacks {
				names[i] = s.Name
			}
			for mask := 0; mask < 1<<len(names); mask++ {
				var failed []string
				for i, n := range names {
					if mask&(1<<i) != 0 {
						failed = append(failed, n)
					}
				}
				for _, sc := range []whatif.Scenario{{Failed: failed}, {Failed: failed, Recovered: failed}} {
					o, err := whatif.Derive(p, sc)
					if err != nil {
						t.Fatal(err)
					}
					for i, od := range o.DVIPAs {
						d := p.DVIPAs[i]
						phases := []whatif.Phase{od.AfterFailure}
						if od.AfterRecovery != nil {
							phases = append(phases, *od.AfterRecovery)
						}
						for k, ph := range phases {
							down := failed
							if k == 1 {
								down = nil
							}
							if ph.Owner == "" {
								continue
							}
							if slices.Contains(down, ph.Owner) {
								t.Errorf("%v: %s held by %s, which is down", sc, d.Addr, ph.Owner)
							}
							if ph.Owner != d.Owner && !slices.ContainsFunc(d.Backups, func(b plan.Backup) bool { return b.Stack == ph.Owner }) {
								t.Errorf("%v: %s held by %s, neither its owner nor a backup", sc, d.Addr, ph.Owner)
							}
						}
					}
				}
			}
		})
	}
}

// TestNoFailureIsInitialState: failing no stack leaves every DVIPA with its
// owner, its distribution in force and its SAs where they are.
func TestNoFailureIsInitialState(t *testing.T) {
	for name, dir := range sysplexes(t) {
		t.Run(name, func(t *testing.T) {
			p, _ := Compile(load(t, dir))
			o, err := whatif.Derive(p, whatif.Scenario{})
			if err != nil {
				t.Fatal(err)
			}
			if o.Recovered == nil || len(o.Failed) != 0 {
				t.Errorf("failed %v, recovered %v", o.Failed, o.Recovered)
			}
			for i, od := range o.DVIPAs {
				d := p.DVIPAs[i]
				ph := od.AfterFailure
				if ph.Owner != d.Owner || od.AfterRecovery != nil {
					t.Errorf("%s: owner %q, want %q", d.Addr, ph.Owner, d.Owner)
				}
				if want := map[bool]string{true: "unchanged", false: "none"}[d.Owner != ""]; ph.Event != want {
					t.Errorf("%s: event %s, want %s", d.Addr, ph.Event, want)
				}
				var want []string
				// whatif's Distribution is the first port set in force.
				if inForce := d.InForce(); len(inForce) > 0 {
					for _, tg := range inForce[0].Targets {
						if tg.Stack != "" {
							want = append(want, tg.Stack)
						}
					}
				}
				var got []string
				if ph.Distribution != nil {
					got = ph.Distribution.Targets
					if ph.Distribution.Definition != d.DistributedBy || ph.Distribution.Inherited {
						t.Errorf("%s: distribution from %s (inherited %v), want %s", d.Addr, ph.Distribution.Definition, ph.Distribution.Inherited, d.DistributedBy)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: targets %v, want %v", d.Addr, got, want)
				}
				if s := ph.SA.Status; s != "kept" && s != "not-protected" || (s == "kept") != d.SWSA.Protected && d.Owner != "" {
					t.Errorf("%s: SA status %s (protected %v)", d.Addr, s, d.SWSA.Protected)
				}
			}
		})
	}
}
