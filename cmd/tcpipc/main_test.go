package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/tcpipc/tcpipc/runtime/control"
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
		UpdateScripts: os.Getenv("TCPIPC_UPDATE") != "", // make update rewrites the scripts' expected outputs too
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
			// squat PATH listens on a Unix socket at PATH and answers every
			// request with a fake display, as a squatter would.
			"squat": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: squat PATH")
				}
				l, err := net.Listen("unix", ts.MkAbs(args[0]))
				ts.Check(err)
				go func() {
					for {
						c, err := l.Accept()
						if err != nil {
							return
						}
						_, _ = c.Write([]byte(`{"output": "FAKE DISPLAY\n"}` + "\n"))
						c.Close()
					}
				}()
				ts.Defer(func() { l.Close() })
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
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunIPsecScenario: tcpipc run plays the figure 9 IPsec scenario, and
// --keylog DIR writes Wireshark's two key tables there (readable by the
// user alone), and nowhere else.
func TestRunIPsecScenario(t *testing.T) {
	keylog := t.TempDir() + "/keys"
	var out, errb strings.Builder
	if got := run([]string{"run", "--allow-outside", "../../testdata/profiles", "--scenario", "../../testdata/scenarios/figure9-ipsec.yaml", "--keylog", keylog}, &out, &errb); got != ExitClean {
		t.Fatalf("exit %d\n%s\n%s", got, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "result: every expectation holds") ||
		!strings.Contains(out.String(), "ipsec: MVS1 for 201.2.10.11: 1 IKE SA, 1 child SA;") {
		t.Fatalf("report:\n%s", out.String())
	}
	for _, name := range []string{"esp_sa", "ikev2_decryption_table"} {
		fi, err := os.Stat(keylog + "/" + name)
		if err != nil || fi.Size() == 0 || fi.Mode().Perm() != 0o600 {
			t.Fatalf("key log %s: %v, %v", name, fi, err)
		}
	}
	if strings.Contains(out.String()+errb.String(), "figure9-demo-psk-0001") {
		t.Fatal("the pre-shared key shows in the output")
	}
}

// TestRunEnforcesPolicyOnCleartextClients: run always applies the plan's
// IPsec policy, also when no client is an IPsec peer. A cleartext client
// to DVA1 port 60, which figure 9's policy protects, is warned about
// before the run and its connections fail; before, the sysplex ran in the
// clear and every connection succeeded.
func TestRunEnforcesPolicyOnCleartextClients(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/clear.yaml", `name: clear
heartbeat: 100ms
missed: 3
duration: 1s
applications:
  - {name: APPA, stacks: [MVS1], bind: 201.2.10.11:60, behaviour: echo}
clients:
  - {name: clear, from: 192.0.2.10, connect: 201.2.10.11:60, connections: 2, bytes: 512, chunk: 512, interval: 100ms}
expect:
  - failed: 0
`)
	var out, errb strings.Builder
	got := run([]string{"run", "../../testdata/profiles/figure9", "--scenario", dir + "/clear.yaml"}, &out, &errb)
	if got != ExitFindings {
		t.Fatalf("exit %d, want %d (the connections fail)\n%s\n%s", got, ExitFindings, out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "warning: client clear connects to 201.2.10.11:60 in the clear, which MVS1's IPsec policy refuses (filter DVA1-app60-client-net)") {
		t.Errorf("no warning before the run:\n%s", errb.String())
	}
	if !strings.Contains(out.String(), "2 connections: 0 completed") {
		t.Errorf("cleartext connections got through:\n%s", out.String())
	}
}

// TestRunScenarioWithControl: with --control, tcpipc ctl displays the
// sysplex while a scenario plays, and refuses to change it.
func TestRunScenarioWithControl(t *testing.T) {
	sock := t.TempDir() + "/ctl.sock"
	exit := make(chan int, 1)
	go func() {
		var out, errb strings.Builder
		exit <- run([]string{"run", "--allow-outside", "../../testdata/profiles", "--scenario", "../../testdata/scenarios/figure9-ipsec.yaml", "--control", sock}, &out, &errb)
	}()
	call := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return control.Call(ctx, sock, args)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := call("ipsec", "-k", "--stack", "MVS1")
		if err == nil && strings.Contains(out, "1 entries selected") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no IKE tunnel displayed on MVS1: %v\n%s", err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The scenario's application sockets show while it plays (they were
	// empty: the displays had applications of their own, none). Which
	// stack serves a connection at this moment is the distributor's
	// choice, so only the listener is certain.
	if out, err := call("netstat", "conn", "--stack", "MVS1"); err != nil || !strings.Contains(out, "APPA") || !strings.Contains(out, "Listen") {
		t.Errorf("netstat conn on MVS1 during the scenario: %v\n%s", err, out)
	}
	if _, err := call("fail", "MVS1"); err == nil || !strings.Contains(err.Error(), "displays only") {
		t.Fatalf("fail during a scenario: %v", err)
	}
	if code := <-exit; code != ExitClean {
		t.Fatalf("run exited %d", code)
	}
}

// TestRunScenarioAbsoluteSysplex: a scenario's sysplex key may be an
// absolute path, used as it is; a relative one is from the scenario's
// directory (run_ctl_socket.txtar and the scenarios in testdata). A
// sysplex outside the scenario's directory and the working directory
// needs --allow-outside (TestRunScenarioSysplexConfined).
func writeTwoStackPlex(t *testing.T, plex string) string {
	t.Helper()
	writeFile(t, plex+"/sysplex.yaml", "sysplex: PLEX\nstacks:\n"+
		"  - {name: SYSA, release: V2R5, profile: SYSA.PROFILE}\n"+
		"  - {name: SYSB, release: V2R5, profile: SYSB.PROFILE}\n")
	writeFile(t, plex+"/SYSA.PROFILE", "IPCONFIG DYNAMICXCF 10.0.0.1 255.255.255.0 1\n"+
		"VIPADYNAMIC\n  VIPADEFINE MOVEABLE IMMEDIATE 255.255.255.0 10.9.9.1\nENDVIPADYNAMIC\n")
	writeFile(t, plex+"/SYSB.PROFILE", "IPCONFIG DYNAMICXCF 10.0.0.2 255.255.255.0 1\n"+
		"VIPADYNAMIC\n  VIPABACKUP 100 10.9.9.1\nENDVIPADYNAMIC\n")
	return plex
}

// TestRunScenarioSysplexConfined: a scenario's sysplex key cannot make run
// read, and print in a diagnostic, a file outside the scenario's directory
// and the working directory; --allow-outside allows a sysplex elsewhere.
func TestRunScenarioSysplexConfined(t *testing.T) {
	secret := t.TempDir() + "/credentials"
	writeFile(t, secret, "https://alice:CANARY-TOKEN-42@example.invalid\n")
	scenario := t.TempDir() + "/scenario.yaml"
	writeFile(t, scenario, "name: leak\nsysplex: "+secret+"\nduration: 1s\n")
	var out, errb strings.Builder
	if got := run([]string{"run", "--scenario", scenario}, &out, &errb); got != ExitFindings {
		t.Fatalf("exit %d, want %d\n%s\n%s", got, ExitFindings, out.String(), errb.String())
	}
	if all := out.String() + errb.String(); strings.Contains(all, "CANARY-TOKEN-42") || !strings.Contains(all, "[OUTSIDE]") {
		t.Fatalf("want an OUTSIDE diagnostic and no content of the file:\n%s", all)
	}

	plex := writeTwoStackPlex(t, t.TempDir()+"/plex")
	writeFile(t, scenario, "name: elsewhere\nsysplex: "+plex+"\nheartbeat: 100ms\nduration: 1s\n"+
		"expect:\n  - owner: {at: 500ms, dvipa: 10.9.9.1, stack: SYSA}\n")
	out.Reset()
	errb.Reset()
	if got := run([]string{"run", "--scenario", scenario}, &out, &errb); got != ExitFindings {
		t.Fatalf("a sysplex elsewhere without --allow-outside: exit %d\n%s", got, errb.String())
	}
	out.Reset()
	errb.Reset()
	if got := run([]string{"run", "--allow-outside", plex, "--scenario", scenario}, &out, &errb); got != ExitClean {
		t.Fatalf("with --allow-outside: exit %d\n%s\n%s", got, out.String(), errb.String())
	}
}

func TestRunScenarioAbsoluteSysplex(t *testing.T) {
	dir := t.TempDir()
	plex := writeTwoStackPlex(t, dir+"/plex")
	scenario := dir + "/scenario.yaml"
	writeFile(t, scenario, "name: absolute\nsysplex: "+plex+"\nheartbeat: 100ms\nduration: 1s\n"+
		"expect:\n  - owner: {at: 500ms, dvipa: 10.9.9.1, stack: SYSA}\n")
	var out, errb strings.Builder
	if got := run([]string{"run", "--scenario", scenario}, &out, &errb); got != ExitClean {
		t.Fatalf("exit %d\n%s\n%s", got, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "result: every expectation holds") {
		t.Fatalf("report:\n%s", out.String())
	}
}
