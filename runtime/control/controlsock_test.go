package control

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
)

// nobody is the user the tests run other-user processes as.
const nobody = 65534

// TestControlDefaultPathIsPrivate: the default socket is in a directory of
// this user's that nobody else may enter, never straight in the shared
// temporary directory where another user could listen first.
func TestControlDefaultPathIsPrivate(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("XDG_RUNTIME_DIR", "")
	uid := os.Geteuid()
	dir := filepath.Join(tmp, "tcpipc-"+strconv.Itoa(uid))
	for i := 0; i < 2; i++ { // made the first time, accepted the second
		got, err := DefaultPath()
		if err != nil || got != filepath.Join(dir, "tcpipc.sock") {
			t.Fatalf("DefaultPath() = %q, %v; want it in %s", got, err, dir)
		}
		if fi, err := os.Lstat(dir); err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v, %v; want a 0700 directory", dir, fi.Mode(), err)
		}
	}

	// A directory open to others, a symbolic link, a file: refused.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, "open to others")
	os.Remove(dir)
	if err := os.Symlink(t.TempDir(), dir); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, "symbolic link")
	os.Remove(dir)
	if os.Geteuid() == 0 {
		// Another user made the directory first.
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, nobody, nobody); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, "belongs to uid 65534")
		os.Remove(dir)
	}

	// $XDG_RUNTIME_DIR is used when it is private, passed over when not.
	xdg := t.TempDir()
	if err := os.Chmod(xdg, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", xdg)
	if got, err := DefaultPath(); err != nil || got != filepath.Join(xdg, "tcpipc.sock") {
		t.Fatalf("with a private XDG_RUNTIME_DIR: %q, %v", got, err)
	}
	if err := os.Chmod(xdg, 0o777); err != nil {
		t.Fatal(err)
	}
	if got, err := DefaultPath(); err != nil || got != filepath.Join(dir, "tcpipc.sock") {
		t.Fatalf("with an XDG_RUNTIME_DIR open to all: %q, %v; want %s", got, err, dir)
	}
}

func wantRefused(t *testing.T, why string) {
	t.Helper()
	if got, err := DefaultPath(); err == nil || !strings.Contains(err.Error(), why) {
		t.Fatalf("DefaultPath() = %q, %v; want a refusal (%s)", got, err, why)
	}
}

// TestListenControlMode: the socket is 0600 even under umask 0, nothing
// is left beside it, and closing the listener removes it.
func TestListenControlMode(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	path := filepath.Join(dir, "ctl.sock")
	l, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v, %v; want a socket of mode 0600", path, fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("the directory holds %d entries, want the socket alone", len(entries))
	}
	l.Close()
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the socket is still there after Close: %v", err)
	}
}

// TestListenControlReplacesOnlyStaleSockets: --control PATH never deletes
// what is not a dead control socket.
func TestListenControlReplacesOnlyStaleSockets(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	writeTestFile(t, file, "keep me\n")
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "stale.sock")
	sl, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	sl.(*net.UnixListener).SetUnlinkOnClose(false)
	sl.Close()
	link := filepath.Join(dir, "link.sock")
	if err := os.Symlink(stale, link); err != nil {
		t.Fatal(err)
	}
	live := filepath.Join(dir, "live.sock")
	ll, err := net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer ll.Close()

	for path, why := range map[string]string{file: "is a regular file", empty: "is a directory",
		link: "is a symbolic link", live: "already runs"} {
		if l, err := Listen(path); err == nil || !strings.Contains(err.Error(), why) {
			if l != nil {
				l.Close()
			}
			t.Errorf("Listen(%s): %v; want a refusal saying it %s", filepath.Base(path), err, why)
		}
		if _, err := os.Lstat(path); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(path), err)
		}
	}
	if b, _ := os.ReadFile(file); string(b) != "keep me\n" {
		t.Errorf("the file now holds %q", b)
	}

	l, err := Listen(stale)
	if err != nil {
		t.Fatalf("a stale socket is not replaced: %v", err)
	}
	l.Close()
}

func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestPeerAllowed(t *testing.T) {
	for _, c := range []struct {
		peer, self int
		ok         bool
	}{{1000, 1000, true}, {0, 1000, true}, {1001, 1000, false}, {nobody, 0, false}, {0, 0, true}} {
		if err := peerAllowed(c.peer, c.self); (err == nil) != c.ok {
			t.Errorf("peerAllowed(%d, %d) = %v", c.peer, c.self, err)
		}
	}
}

// otherUser skips the test unless it can run a process as nobody: it must
// run as root, with a Python that nobody can execute.
func otherUser(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("running a process as another user needs root")
	}
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skipf("the other user's process is a %s script: %v", python, err)
	}
	return python
}

// sharedDir is a directory any user may enter and write.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tcpipc-peer")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

func asNobody(python string, script string, args ...string) *exec.Cmd {
	cmd := exec.Command(python, append([]string{"-c", script}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	return cmd
}

// TestControlCallRefusesOtherUsersServer: a socket another user listens
// on (at the path ctl calls) gets no command from ctl, and ctl prints
// nothing it answers.
func TestControlCallRefusesOtherUsersServer(t *testing.T) {
	python := otherUser(t)
	path := filepath.Join(sharedDir(t), "ctl.sock")
	squatter := asNobody(python, `
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
while True:
    c, _ = s.accept()
    c.sendall(b'{"output": "FAKE DISPLAY\\n"}\n')
    c.close()
`, path)
	if err := squatter.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { squatter.Process.Kill(); squatter.Wait() }()
	// The file appears at bind, before listen: wait until it accepts.
	sysplextest.WaitFor(t, "the other user's socket", func() bool {
		c, err := net.Dial("unix", path)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	out, err := callCtl(path, "fail", "MVS1")
	if err == nil || !strings.Contains(err.Error(), "uid 65534") || strings.Contains(out, "FAKE") {
		t.Fatalf("ctl to another user's socket: %q, %v; want a refusal naming uid 65534", out, err)
	}
}

// TestControlServeRefusesOtherUsers: a client of another user that reaches
// the socket (here it is opened to all on purpose) gets a refusal, not a
// command carried out.
func TestControlServeRefusesOtherUsers(t *testing.T) {
	python := otherUser(t)
	leakcheck.Check(t)
	c := displayControl(t)
	path := filepath.Join(sharedDir(t), "ctl.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	serveOn(t, c, l)
	client := asNobody(python, `
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
try:
    s.sendall(b'{"args": ["fail", "MVS1"]}\n')
except OSError:
    pass  # a refusing server answers and closes without reading
sys.stdout.write(s.makefile().readline())
`, path)
	var stderr strings.Builder
	client.Stderr = &stderr
	out, err := client.Output()
	if err != nil {
		t.Fatalf("the other user's client: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(string(out), "refused") || !strings.Contains(string(out), "uid 65534") || strings.Contains(string(out), "displays only") {
		t.Fatalf("another user's request was answered with %s", out)
	}
	if got := c.Stats(); got.Refused != 1 || got.Answered != 0 {
		t.Fatalf("stats %+v, want one refusal and nothing answered", got)
	}
}
