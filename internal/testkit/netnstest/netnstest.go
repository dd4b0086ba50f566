// Package netnstest helps tests that run strongSwan in Linux network
// namespaces: checking the machine can, running commands, starting a
// process group that ends with the test, and running code on a thread
// inside a namespace. Tests only: it fails tests instead of returning
// errors.
package netnstest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// DefaultStrongSwan6Root is where .ci/strongswan6-root builds its Debian
// trixie root with strongSwan 6, unless TCPIPC_STRONGSWAN6_ROOT says
// otherwise.
const DefaultStrongSwan6Root = "/var/cache/tcpipc/strongswan6"

// StrongSwan is one strongSwan installation: the host's (Root empty) or
// the one in a root directory that charon and swanctl run chrooted in.
// strongSwan 6 comes that way: Debian bookworm has 5.9.8, whose
// kernel-libipsec (the only data path on a kernel without ESP) always
// sends ESP in UDP; 5.9.11 added raw ESP to it.
type StrongSwan struct{ Root string }

// NeedStrongSwan6 returns the strongSwan 6 root that .ci/strongswan6-root
// builds, or skips the test (under CI=true, fails it) when the root, or
// root privileges, ip, unshare or chroot, are missing.
func NeedStrongSwan6(t testing.TB) StrongSwan {
	t.Helper()
	root := os.Getenv("TCPIPC_STRONGSWAN6_ROOT")
	if root == "" {
		root = DefaultStrongSwan6Root
	}
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	for _, bin := range []string{"ip", "unshare", "chroot"} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin)
		}
	}
	for _, bin := range []string{Charon, "/usr/sbin/swanctl"} {
		if _, err := os.Stat(filepath.Join(root, bin)); err != nil {
			missing = append(missing, root+bin)
		}
	}
	if len(missing) == 0 {
		return StrongSwan{Root: root}
	}
	msg := "strongSwan 6 interop needs " + strings.Join(missing, ", ") + " (build the root with .ci/strongswan6-root, or make strongswan6)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return StrongSwan{}
}

// bindDir is the shell prelude that makes dir ($2) visible at the same
// path inside the root ($1), in the caller's private mount namespace, so
// paths in charon's and swanctl's configuration read the same inside and
// out. The mount point is made in a tmpfs over the root's /tmp, where
// test directories live, so the root itself is not written to; a
// directory elsewhere (TMPDIR set) is refused rather than created in it.
const bindDir = `set -e
case "$2" in /tmp/*) ;; *) echo "netnstest: $2 is not under /tmp: the strongSwan 6 root is only written under its own /tmp (unset TMPDIR)" >&2; exit 2;; esac
mount -t tmpfs tmpfs "$1/tmp"
mkdir -p "$1$2"
mount --bind "$2" "$1$2"
`

// Charon is the command that starts charon in network namespace ns with
// the strongswan.conf at conf, in a private mount namespace with its own
// /run: charon's pid file path is fixed (ipsec.md §5), and two charons
// in two namespaces must not share it. Chrooted, charon also gets /dev
// (its TUN device) and /proc; dir is the directory of its files.
func (s StrongSwan) Charon(ns, dir, conf string) *exec.Cmd {
	if s.Root == "" {
		return exec.Command("ip", "netns", "exec", ns, "unshare", "-m", "sh", "-c",
			fmt.Sprintf("mount -t tmpfs tmpfs /run && STRONGSWAN_CONF=%s exec %s", conf, Charon))
	}
	script := bindDir + `mount --rbind /dev "$1/dev"
mount -t proc proc "$1/proc"
mount -t tmpfs tmpfs "$1/run"
STRONGSWAN_CONF="$3" exec chroot "$1" ` + Charon
	return exec.Command("ip", "netns", "exec", ns, "unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", s.Root, dir, conf)
}

// Swanctl is the command line (name first) of swanctl talking to the
// charon whose vici socket is at vici; dir is the test's directory, which
// holds the socket and swanctl.conf.
func (s StrongSwan) Swanctl(dir, vici string, args ...string) []string {
	args = append(args, "--uri", "unix://"+vici)
	if s.Root == "" {
		return append([]string{"swanctl"}, args...)
	}
	script := bindDir + `root=$1; shift 2
exec chroot "$root" /usr/sbin/swanctl "$@"`
	return append([]string{"unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", s.Root, dir}, args...)
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
