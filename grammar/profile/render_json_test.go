package profile

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/tcpipc/tcpipc/internal/testkit/profilegen"
)

// agreeJSON checks that the streamed JSON of prof is, byte for byte, what
// encoding/json makes of JSON(), at the top level and nested.
func agreeJSON(t *testing.T, what string, prof *Profile) {
	t.Helper()
	for _, prefix := range []string{"", "    "} {
		want, err := json.MarshalIndent(prof.JSON(), prefix, "  ")
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := prof.WriteIndentedJSON(&got, prefix); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			g, w := got.String(), string(want)
			i := 0
			for i < len(g) && i < len(w) && g[i] == w[i] {
				i++
			}
			t.Errorf("%s (prefix %q): streamed JSON differs from encoding/json at byte %d:\n got …%s…\nwant …%s…",
				what, prefix, i, g[max(0, i-80):min(len(g), i+80)], w[max(0, i-80):min(len(w), i+80)])
		}
	}
}

// TestWriteIndentedJSONAgrees holds WriteIndentedJSON to encoding/json's
// rendering of JSON() on every profile the tests have: the golden
// archives (with their members), the sysplexes under testdata/profiles, a
// generated profile, and the fuzz seeds.
func TestWriteIndentedJSONAgrees(t *testing.T) {
	archives, _ := filepath.Glob("../testdata/profile/*.txtar")
	for _, path := range archives {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, f := range ar.Files {
			files[filepath.Join("/in", strings.TrimPrefix(f.Name, "in/"))] = f.Data
		}
		read := func(p string) ([]byte, error) {
			if d, ok := files[p]; ok {
				return d, nil
			}
			return nil, fs.ErrNotExist
		}
		prof, _ := Parse("/in/PROFILE.TCPIP", files["/in/PROFILE.TCPIP"], Options{ReadFile: read})
		agreeJSON(t, path, prof)
	}
	n := 0
	filepath.WalkDir("../../testdata/profiles", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "PROFILE") {
			return err
		}
		prof, _ := ParseFile(path, Options{})
		agreeJSON(t, path, prof)
		n++
		return nil
	})
	if n == 0 {
		t.Error("no profiles found under testdata/profiles")
	}
	prof, _ := Parse("GEN", profilegen.Generate(2000), Options{})
	agreeJSON(t, "generated", prof)
	seeds, _ := filepath.Glob("testdata/fuzz/*/*")
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		prof, _ := Parse("SEED", data, Options{}) // the corpus file itself: text as odd as it gets
		agreeJSON(t, path, prof)
	}
}

// FuzzWriteIndentedJSON checks the agreement on any input, strings with
// quotes, control characters and invalid UTF-8 included.
// Seeds: testdata/fuzz/FuzzWriteIndentedJSON.
func FuzzWriteIndentedJSON(f *testing.F) {
	f.Add([]byte("AUTOLOG\n FTPD PARMSTRING \"<a & b>\\\"\"\nENDAUTOLOG\n; comment \xff\x01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		prof, _ := Parse("FUZZ", data, Options{ReadFile: func(string) ([]byte, error) { return []byte("HOME 1.1.1.1 L\n"), nil }})
		agreeJSON(t, "input", prof)
	})
}
