//go:build unix

package xcf_test

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/xcf"
)

// TestRealStopOfTheProcessDeclaresNobodyFailed stops the test process
// itself for two seconds (SIGSTOP; a child process sends SIGCONT), as an
// overloaded host or a paused VM does: on the wall clock every heartbeat
// and every failure deadline of the eight members falls due inside the
// stop, and the Go runtime fires them together afterwards in whatever
// order it likes. Nobody is declared failed; a member that then really
// stops still is.
func TestRealStopOfTheProcessDeclaresNobodyFailed(t *testing.T) {
	if testing.Short() {
		t.Skip("stops the process for 2s")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh to send SIGCONT")
	}
	leakcheck.Check(t)
	ms := realSysplex(t, 8)
	time.Sleep(2 * interval)

	for round := range 2 {
		cont := exec.Command("sh", "-c", fmt.Sprintf("sleep 2; kill -CONT %d", os.Getpid()))
		if err := cont.Start(); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(os.Getpid(), syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		if err := cont.Wait(); err != nil {
			t.Fatalf("the SIGCONT sender: %v", err)
		}
		time.Sleep(5 * interval)
		noFailure(t, ms, fmt.Sprintf("after stop %d of the process", round+1))
	}

	ms["MVS8"].Stop()
	delete(ms, "MVS8")
	for _, m := range ms {
		expect(t, m, xcf.Failed, "MVS8")
	}
}
