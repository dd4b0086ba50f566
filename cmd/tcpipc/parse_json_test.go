package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
)

// TestParseJSONAgrees holds parse's streamed JSON document to what
// encoding/json writes for the same trees and diagnostics as one map
// (the way parse wrote it before streaming): a profile with members and
// errors, and policy files, which are still encoded by encoding/json.
func TestParseJSONAgrees(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "PROFILE.TCPIP")
	text := "VIPADYNAMIC\n VIPADEFINE MOVEABLE SOMETIMES 255.0.0.0 10.1.1.1\nENDVIPADYNAMIC\n" +
		"AUTOLOG\n FTPD PARMSTRING \"<a & b>\"\nENDAUTOLOG\nHOMEE 10.1.1.1 L ; typo\n"
	if err := os.WriteFile(bad, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	paths := []string{
		bad,
		"../../testdata/profiles/figure9/MVS1/PROFILE.TCPIP",
		"../../testdata/profiles/broken-vocabulary/MVS1/PROFILE.TCPIP",
		"../../testdata/profiles/figure9/common.policy",
		"../../testdata/profiles/figure9/MVS1/pagent.conf",
	}
	var files []parsedFile
	var trees []any
	var all diag.Diagnostics
	for _, p := range paths {
		f, ds, _ := parseAny(p, "auto", source.Auto, nil, nil)
		files, trees, all = append(files, f), append(trees, f.JSON()), append(all, ds...)
	}
	if !all.HasErrors() {
		t.Fatal("want a file with errors among the inputs, so that diagnostics are compared too")
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"files": trees, "diagnostics": displayDiagnostics(all)}); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := writeParseJSON(&got, files, all); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		g, w := got.String(), want.String()
		i := 0
		for i < len(g) && i < len(w) && g[i] == w[i] {
			i++
		}
		t.Errorf("streamed document differs at byte %d:\n got …%s…\nwant …%s…", i, g[max(0, i-80):min(len(g), i+80)], w[max(0, i-80):min(len(w), i+80)])
	}
}
