// Package netnstest helps tests that run strongSwan in Linux network
// namespaces: checking the machine can, running commands, starting a
// process group that ends with the test, and running code on a thread
// inside a namespace. Tests only: it fails tests instead of returning
// errors.
package netnstest

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Charon is where Debian's strongswan-charon puts the daemon.
const Charon = "/usr/lib/ipsec/charon"

// NeedStrongSwan skips the test (or, under CI=true, fails it) unless it
// runs as root with charon, swanctl, ip and unshare.
func NeedStrongSwan(t testing.TB) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	for _, bin := range []string{Charon, "swanctl", "ip", "unshare"} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "strongSwan interop needs " + strings.Join(missing, ", ") + " (.ci/run installs the packages; see ipsec.md §5)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Run runs a command and fails the test if it fails; it returns the
// combined output.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// StartGroup starts cmd in a process group of its own and ends that group,
// and only it, when the test ends.
func StartGroup(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", cmd.Path, err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(-pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			syscall.Kill(-pid, syscall.SIGKILL)
			<-done
		}
	})
}

// InNetns runs fn on a thread inside the named namespace. Sockets belong
// to the namespace they were created in, so fn can open them and others
// use them. The thread stays locked, so Go discards it afterwards.
func InNetns(t testing.TB, ns string, fn func() error) {
	t.Helper()
	errc := make(chan error)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open("/var/run/netns/" + ns)
		if err != nil {
			errc <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	if err := <-errc; err != nil {
		t.Fatalf("in netns %s: %v", ns, err)
	}
}
