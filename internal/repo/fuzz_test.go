package repo

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestMakeFuzzListsEveryTarget keeps the Makefile's FUZZ_TARGETS, which
// `make fuzz` runs, equal to the fuzz targets the repository has: a new
// fuzz test that `make fuzz` never runs would guard nothing.
func TestMakeFuzzListsEveryTarget(t *testing.T) {
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^FUZZ_TARGETS := (.*)$`).FindSubmatch(makefile)
	if m == nil {
		t.Fatal("the Makefile has no FUZZ_TARGETS line")
	}
	listed := strings.Fields(string(m[1]))
	out, err := exec.Command("grep", "-rEo", "--include=*_test.go", `^func Fuzz[A-Za-z0-9_]*\(`, "../..").Output()
	if err != nil {
		t.Fatalf("grep: %v", err)
	}
	var found []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		file, fn, _ := strings.Cut(line, ":func ")
		dir := file[:strings.LastIndex(file, "/")]
		found = append(found, "./"+strings.TrimPrefix(dir, "../../")+":"+strings.TrimSuffix(fn, "("))
	}
	slices.Sort(found)
	found = slices.Compact(found)
	for _, f := range found {
		if !slices.Contains(listed, f) {
			t.Errorf("fuzz target %s is missing from the Makefile's FUZZ_TARGETS", f)
		}
	}
	for _, l := range listed {
		if !slices.Contains(found, l) {
			t.Errorf("the Makefile's FUZZ_TARGETS lists %s, which does not exist", l)
		}
	}
}
