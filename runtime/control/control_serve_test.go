package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"github.com/tcpipc/tcpipc/runtime/workload"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
)

// The tests in this file exercise the control socket itself, not the
// sysplex behind it: a display-only control of a figure 9 sysplex that is
// built but not started answers "fail MVS1" with a refusal, which is
// enough to see that a request was read and answered.

// displayControl returns a control whose every "fail" is refused.
func displayControl(t *testing.T) *Control {
	t.Helper()
	sx, err := sysplex.New(sysplextest.Plan(t, "figure9"), sysplex.Options{Clock: clock.NewManual(time.Unix(0, 0))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sx.Stop)
	return NewDisplayOnly(sx, workload.New(sx, nil))
}

// serveOn starts c.Serve on l and stops it when the test ends, failing the
// test if Serve returned early or with an error.
func serveOn(t *testing.T, c *Control, l net.Listener) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- c.Serve(ctx, l) }()
	t.Cleanup(func() {
		select {
		case err := <-served:
			t.Errorf("Serve returned before the test ended: %v", err)
			return
		default:
		}
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
}

func listenUnix(t *testing.T) (net.Listener, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ctl.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	return l, path
}

func callCtl(path string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return Call(ctx, path, args)
}

// mustRefuseFail checks that the control at path read and answered a request.
func mustRefuseFail(t *testing.T, path string) {
	t.Helper()
	if _, err := callCtl(path, "fail", "MVS1"); err == nil || !strings.Contains(err.Error(), "displays only") {
		t.Fatalf("ctl fail MVS1: %v, want the display-only refusal", err)
	}
}

// emfileListener fails its first n Accepts with EMFILE, as a process at its
// file limit does, then accepts for real.
type emfileListener struct {
	net.Listener
	n      int32
	failed chan struct{}
}

func (l *emfileListener) Accept() (net.Conn, error) {
	if atomic.AddInt32(&l.n, -1) >= 0 {
		l.failed <- struct{}{}
		return nil, &net.OpError{Op: "accept", Net: "unix", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// awaitFailure waits for the next failed Accept.
func (l *emfileListener) awaitFailure(t *testing.T) {
	t.Helper()
	select {
	case <-l.failed:
	case <-time.After(10 * time.Second):
		t.Fatal("the server stopped calling Accept")
	}
}

// TestControlSurvivesAcceptErrors: at the file limit Accept fails with
// EMFILE; the server backs off and answers once descriptors are free,
// instead of returning and ending `tcpipc run`.
func TestControlSurvivesAcceptErrors(t *testing.T) {
	leakcheck.Check(t)
	c := displayControl(t)
	l, path := listenUnix(t)
	el := &emfileListener{Listener: l, n: 5, failed: make(chan struct{}, 5)}
	serveOn(t, c, el)
	for i := 0; i < 5; i++ {
		el.awaitFailure(t)
	}
	mustRefuseFail(t, path)
	if got := c.Stats().AcceptErrors; got != 5 {
		t.Errorf("AcceptErrors = %d, want 5", got)
	}
}

// TestControlAcceptBackoffUsesClock: the wait after a failed Accept comes
// from the control's clock, grows, and is bounded.
func TestControlAcceptBackoffUsesClock(t *testing.T) {
	leakcheck.Check(t)
	clk := clock.NewManual(time.Unix(0, 0))
	c := displayControl(t)
	c.Limits.Clock = clk
	l, path := listenUnix(t)
	const errs = 12
	el := &emfileListener{Listener: l, n: errs, failed: make(chan struct{}, errs)}
	serveOn(t, c, el)
	var want time.Duration
	for i := 0; i < errs; i++ {
		el.awaitFailure(t)
		want = nextAcceptBackoff(want)
		sysplextest.WaitFor(t, "the backoff timer", func() bool { return clk.Pending() == 1 })
		// One nanosecond short of the backoff, Accept is not called again.
		clk.Advance(want - time.Nanosecond)
		select {
		case <-el.failed:
			t.Fatalf("Accept retried before %v", want)
		case <-time.After(10 * time.Millisecond):
		}
		clk.Advance(time.Nanosecond)
	}
	if want != maxAcceptBackoff {
		t.Errorf("after %d errors the backoff is %v, want the bound %v", errs, want, maxAcceptBackoff)
	}
	mustRefuseFail(t, path)
}

func TestNextAcceptBackoff(t *testing.T) {
	var d time.Duration
	for i := 0; i < 30; i++ {
		next := nextAcceptBackoff(d)
		if next <= 0 || next > maxAcceptBackoff || (next <= d && d < maxAcceptBackoff) {
			t.Fatalf("backoff after %v is %v", d, next)
		}
		d = next
	}
	if d != maxAcceptBackoff {
		t.Fatalf("backoff settles at %v, want %v", d, maxAcceptBackoff)
	}
}

// TestControlOtherAcceptErrorEnds: an error that is not temporary (the
// listener closed under the server) still ends Serve.
func TestControlOtherAcceptErrorEnds(t *testing.T) {
	leakcheck.Check(t)
	c := displayControl(t)
	l, _ := listenUnix(t)
	l.Close()
	if err := c.Serve(context.Background(), l); err == nil {
		t.Fatal("Serve on a closed listener returned nil")
	}
}

// TestControlRequestWithoutNewline: a request that ends without its
// newline, whether the client half-closes or waits, is answered.
func TestControlRequestWithoutNewline(t *testing.T) {
	leakcheck.Check(t)
	c := displayControl(t)
	l, path := listenUnix(t)
	serveOn(t, c, l)
	for _, halfClose := range []bool{true, false} {
		conn, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write([]byte(`{"args":["fail","MVS1"]}`)); err != nil {
			t.Fatal(err)
		}
		if halfClose {
			if err := conn.(*net.UnixConn).CloseWrite(); err != nil {
				t.Fatal(err)
			}
		}
		var resp controlResponse
		err = json.NewDecoder(conn).Decode(&resp)
		conn.Close()
		if err != nil || !strings.Contains(resp.Error, "displays only") {
			t.Fatalf("half-close %v: answer %+v, %v; want the display-only refusal", halfClose, resp, err)
		}
	}
}

// TestControlIdleClientsTimeOut: a client that connects and says nothing
// is told so and closed after the request timeout (it was held a minute),
// and the server answers the next client.
func TestControlIdleClientsTimeOut(t *testing.T) {
	leakcheck.Check(t)
	c := displayControl(t)
	c.Limits.RequestTimeout = 50 * time.Millisecond
	l, path := listenUnix(t)
	serveOn(t, c, l)
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server still held an idle client after 10s")
	}
	if !strings.Contains(line, "no request") {
		t.Errorf("an idle client got %q (%v), want a line saying no request came", line, err)
	}
	mustRefuseFail(t, path)
}

// TestControlCapsClients: beyond MaxClients, a client is told the server
// is busy and closed at once (and counted); when the others leave, it is
// answered again.
func TestControlCapsClients(t *testing.T) {
	leakcheck.Check(t)
	c := displayControl(t)
	c.Limits.MaxClients = 2
	l, path := listenUnix(t)
	serveOn(t, c, l)
	var idle []net.Conn
	for i := 0; i < 2; i++ {
		conn, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, conn)
	}
	sysplextest.WaitFor(t, "two clients held", func() bool { return c.Stats().Active == 2 })
	if _, err := callCtl(path, "fail", "MVS1"); err == nil || !strings.Contains(err.Error(), "busy") {
		t.Fatalf("third client: %v, want busy", err)
	}
	if got := c.Stats().Busy; got != 1 {
		t.Errorf("Busy = %d, want 1", got)
	}
	for _, conn := range idle {
		conn.Close()
	}
	sysplextest.WaitFor(t, "the idle clients to go", func() bool { return c.Stats().Active == 0 })
	mustRefuseFail(t, path)
}

// TestControlRequestTooLong: a request past the bound is refused with a
// message saying so, not read without end.
func TestControlRequestTooLong(t *testing.T) {
	leakcheck.Check(t)
	c := displayControl(t)
	l, path := listenUnix(t)
	serveOn(t, c, l)
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	go func() { _, _ = conn.Write([]byte(`{"args":["` + strings.Repeat("x", maxControlRequest) + `"]}`)) }()
	var resp controlResponse
	if err := json.NewDecoder(conn).Decode(&resp); err != nil || !strings.Contains(resp.Error, "longer than") {
		t.Fatalf("answer %+v, %v; want a refusal of the long request", resp, err)
	}
}

// TestControlSurvivesFileLimit is the case for real: under a low
// file limit, idle clients fill the process's descriptor table until
// Accept fails with EMFILE; the server waits it out, and once the clients
// leave it answers again.
func TestControlSurvivesFileLimit(t *testing.T) {
	leakcheck.Check(t)
	c := displayControl(t)
	c.Limits.MaxClients = 10000 // the descriptor table, not the cap, runs out
	c.Limits.RequestTimeout = time.Minute
	l, path := listenUnix(t)
	serveOn(t, c, l)

	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	low := old
	low.Cur = uint64(openFiles(t) + 40)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skipf("cannot lower the file limit: %v", err)
	}
	var idle []net.Conn
	for len(idle) < 1000 {
		conn, err := net.Dial("unix", path)
		if err != nil {
			break // this side is out of descriptors too
		}
		idle = append(idle, conn)
	}
	sysplextest.WaitFor(t, "Accept to fail for want of descriptors", func() bool { return c.Stats().AcceptErrors > 0 })
	for _, conn := range idle {
		conn.Close()
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	mustRefuseFail(t, path)
}

// openFiles counts this process's open descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count open files: %v", err)
	}
	return len(entries)
}

// slowClose is a listener whose Close takes a while after closing it,
// like the socket's removal that follows.
type slowClose struct {
	net.Listener
	done atomic.Bool
}

func (l *slowClose) Close() error {
	err := l.Listener.Close()
	time.Sleep(50 * time.Millisecond)
	l.done.Store(true)
	return err
}

// TestServeClosesBeforeReturning: when its context ends, Serve returns
// only once the listener is closed, socket removed: the process may exit
// right after (`run` ends), and a CI run found ctl.sock still there.
func TestServeClosesBeforeReturning(t *testing.T) {
	leakcheck.Check(t)
	c := displayControl(t)
	inner, path := listenUnix(t)
	l := &slowClose{Listener: inner}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- c.Serve(ctx, l) }()
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if !l.done.Load() {
		t.Fatal("Serve returned while the listener was still closing")
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the socket is still there after Serve returned: %v", err)
	}
}
