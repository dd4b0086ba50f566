package repo

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The runtime and the CLI stay walkable: a file a newcomer can read in one
// sitting, a function that fits on a screen or two. Test files count for
// the file limit; the function limit holds for the code itself (a table
// test may run long).
const (
	maxFileLines = 600
	maxFuncLines = 80
)

// sizeRoots are the directories the limits hold for.
var sizeRoots = []string{"runtime", "cmd"}

// TestSizeLimits fails on a file of runtime/ or cmd/ over maxFileLines
// lines or a function over maxFuncLines lines.
func TestSizeLimits(t *testing.T) {
	for _, v := range sizeViolations(t, "../..", sizeRoots) {
		t.Error(v)
	}
}

// TestSizeLimitsCatchLongFunctions shows the check's teeth on a file made
// for it: one line too many is a violation.
func TestSizeLimitsCatchLongFunctions(t *testing.T) {
	dir := t.TempDir()
	body := strings.Repeat("\t_ = 0\n", maxFuncLines-2)
	write(t, filepath.Join(dir, "runtime", "ok.go"), "package x\n\nfunc fits() {\n"+body+"}\n")
	write(t, filepath.Join(dir, "runtime", "long.go"), "package x\n\nfunc long() {\n"+body+"\t_ = 1\n}\n")
	write(t, filepath.Join(dir, "runtime", "big_test.go"), "package x\n"+strings.Repeat("\n", maxFileLines))
	got := sizeViolations(t, dir, []string{"runtime"})
	if len(got) != 2 || !strings.Contains(got[0], "big_test.go") || !strings.Contains(got[1], "func long") {
		t.Fatalf("want big_test.go and func long, got %q", got)
	}
}

// sizeViolations walks the roots under dir and describes every file and
// function over its limit, in path order.
func sizeViolations(t *testing.T, dir string, roots []string) []string {
	t.Helper()
	var out []string
	for _, root := range roots {
		err := filepath.WalkDir(filepath.Join(dir, root), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			v, err := fileViolations(p, filepath.ToSlash(rel))
			out = append(out, v...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// fileViolations checks one Go file.
func fileViolations(path, rel string) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		return nil, err
	}
	var out []string
	if n := fset.File(f.Pos()).LineCount(); n > maxFileLines {
		out = append(out, fmt.Sprintf("%s has %d lines, over %d: split it by concept", rel, n, maxFileLines))
	}
	if strings.HasSuffix(path, "_test.go") {
		return out, nil
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
		if n > maxFuncLines {
			out = append(out, fmt.Sprintf("%s:%d: func %s has %d lines, over %d", rel, fset.Position(fd.Pos()).Line, fd.Name.Name, n, maxFuncLines))
		}
	}
	return out, nil
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
