package plexgen

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/golden"
)

// TestPlex32IsGenerated checks that testdata/profiles/plex32 and
// testdata/scenarios/plex32.yaml are what the generator writes, file for
// file, with no file it would not write but the LINT.golden of
// verify/rules; TCPIPC_UPDATE=1 rewrites them.
func TestPlex32IsGenerated(t *testing.T) {
	c := Plex32
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "..", "testdata")
	dir := filepath.Join(root, "profiles", c.Name)
	files := c.Files()
	if golden.Updating() {
		for name := range files {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	var want []string
	for name, text := range files {
		golden.File(t, filepath.Join(dir, name), text, c.Name+" file "+name)
		want = append(want, filepath.FromSlash(name))
	}
	golden.File(t, filepath.Join(root, "scenarios", c.Name+".yaml"), c.Scenario(), c.Name+" scenario")

	var have []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		have = append(have, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// LINT.golden is verify/rules' record of the lint findings (none).
	have = slices.DeleteFunc(have, func(f string) bool { return f == "LINT.golden" })
	slices.Sort(have)
	slices.Sort(want)
	if !slices.Equal(have, want) {
		t.Fatalf("%s holds %v, the generator writes %v", dir, have, want)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []Config{
		{Name: "x", Stacks: 1, Connections: 1, Targets: 1},
		{Name: "x", Stacks: 63, Connections: 1, Targets: 1},
		{Name: "x", Stacks: 4, Connections: 1, Targets: 5},
		{Name: "x", Stacks: 4, Connections: 0, Targets: 1},
	} {
		if c.Validate() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

// TestRing: every DVIPA has exactly one owner and one backup, the next
// stack round the ring.
func TestRing(t *testing.T) {
	c := Config{Name: "x", Stacks: 4, Connections: 1, Targets: 2}
	for i := 1; i <= c.Stacks; i++ {
		if c.prev(c.next(i)) != i {
			t.Fatalf("prev(next(%d)) = %d", i, c.prev(c.next(i)))
		}
	}
	if c.next(4) != 1 || c.prev(1) != 4 {
		t.Fatalf("the ring does not close: next(4)=%d prev(1)=%d", c.next(4), c.prev(1))
	}
}
