package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tcpipc": func() { main() },
	})
}

// TestScripts runs the end-to-end command tests in testdata/script.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: false,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// sleep DURATION gives a running sysplex time to react.
			"sleep": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: sleep DURATION")
				}
				d, err := time.ParseDuration(args[0])
				ts.Check(err)
				time.Sleep(d)
			},
		},
	})
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	good, bad := dir+"/GOOD", dir+"/BAD"
	writeFile(t, good, "HOME 10.1.1.1 ETH1\n")
	writeFile(t, bad, "HOMER 10.1.1.1 ETH1\n")
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{"parse", good}, ExitClean},
		{[]string{"parse", bad}, ExitFindings},
		{[]string{"parse", dir + "/MISSING"}, ExitUsage},
		{[]string{"parse", "--format", "xml", good}, ExitUsage},
		{[]string{"parse"}, ExitUsage},
		{[]string{"nosuchcommand"}, ExitUsage},
	} {
		var out, errb strings.Builder
		if got := run(c.args, &out, &errb); got != c.want {
			t.Errorf("tcpipc %v: exit %d, want %d (stderr %q)", c.args, got, c.want, errb.String())
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
