package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
)

// This file is the control socket as a resource of the host: where it
// lives, who may talk on it, and how many clients it holds for how long.
// control.go is what the commands mean.

// Limits bound what the clients of a control socket can hold.
// The zero value of a field takes its default.
type Limits struct {
	// MaxClients is how many connections are answered at once; a client
	// past it gets a "busy" answer and is closed at once.
	MaxClients int
	// RequestTimeout is how long a client has to send its request, and
	// AnswerTimeout how long to take the answer.
	RequestTimeout, AnswerTimeout time.Duration
	// Clock times the pause after a failed Accept. It is the host's real
	// clock by default, not the sysplex's: the pause waits for the host to
	// free file descriptors. (Socket deadlines are always the kernel's.)
	Clock clock.Clock
}

// DefaultControlLimits are generous for an operator and a few scripts, and
// small enough that idle or slow clients cannot take a process's
// descriptors: ctl sends one short line and reads one answer.
var DefaultControlLimits = Limits{MaxClients: 32, RequestTimeout: 5 * time.Second, AnswerTimeout: 5 * time.Second}

func (l Limits) withDefaults() Limits {
	d := DefaultControlLimits
	if l.MaxClients > 0 {
		d.MaxClients = l.MaxClients
	}
	if l.RequestTimeout > 0 {
		d.RequestTimeout = l.RequestTimeout
	}
	if l.AnswerTimeout > 0 {
		d.AnswerTimeout = l.AnswerTimeout
	}
	d.Clock = l.Clock
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	return d
}

// Stats counts what the control socket did.
type Stats struct {
	Answered     uint64 // requests read and answered
	Busy         uint64 // clients turned away past MaxClients
	Refused      uint64 // clients of another user, turned away
	AcceptErrors uint64 // temporary Accept failures (EMFILE, ...) survived
	Active       int64  // clients being answered now
}

type controlCounters struct {
	answered, busy, refused, acceptErrors atomic.Uint64
	active                                atomic.Int64
}

// Stats returns the control socket's counters.
func (c *Control) Stats() Stats {
	k := &c.counters
	return Stats{Answered: k.answered.Load(), Busy: k.busy.Load(), Refused: k.refused.Load(),
		AcceptErrors: k.acceptErrors.Load(), Active: k.active.Load()}
}

// Serve answers control requests on l until ctx ends; it closes l. A
// temporary Accept failure (out of descriptors, a connection aborted in
// the queue) is waited out, not returned: a client must not be able to end
// the sysplex by exhausting the process's descriptors.
func (c *Control) Serve(ctx context.Context, l net.Listener) error {
	lim := c.Limits.withDefaults()
	var wg sync.WaitGroup
	defer wg.Wait()
	// The context's end closes l to end Accept; Serve closes it again
	// before returning so that it returns only once l is closed and its
	// socket removed (the process may exit right after).
	defer l.Close()
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	slots := make(chan struct{}, lim.MaxClients)
	var backoff time.Duration
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if !temporaryAcceptError(err) {
				return err
			}
			c.counters.acceptErrors.Add(1)
			backoff = nextAcceptBackoff(backoff)
			if !sleepOn(ctx, lim.Clock, backoff) {
				return nil
			}
			continue
		}
		backoff = 0
		select {
		case slots <- struct{}{}:
		default:
			c.counters.busy.Add(1)
			reply(conn, lim, controlResponse{Error: fmt.Sprintf("busy: %d clients are being answered; try again", lim.MaxClients)})
			conn.Close()
			continue
		}
		c.counters.active.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { c.counters.active.Add(-1); <-slots }()
			c.answer(ctx, conn, lim)
		}()
	}
}

// answer reads one request from conn and writes its answer.
func (c *Control) answer(ctx context.Context, conn net.Conn, lim Limits) {
	defer conn.Close()
	// Stopping the sysplex does not wait for a slow client.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := checkPeer(conn); err != nil {
		c.counters.refused.Add(1)
		reply(conn, lim, controlResponse{Error: "refused: " + err.Error()})
		return
	}
	var resp controlResponse
	args, err := readRequest(conn, lim.RequestTimeout)
	if err != nil {
		resp.Error = fmt.Sprintf("bad request: %v", err)
	} else if resp.Output, err = c.Do(args); err != nil {
		resp.Error = err.Error()
	}
	c.counters.answered.Add(1)
	reply(conn, lim, resp)
}

// readRequest reads one request from conn within timeout.
func readRequest(conn net.Conn, timeout time.Duration) ([]string, error) {
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	args, err := decodeRequest(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return nil, fmt.Errorf("no request within %v", timeout)
	}
	return args, err
}

// decodeRequest reads one JSON request. It ends at the request's closing
// brace, so a client that sends no newline, and then half-closes or just
// waits for the answer, is answered all the same. It reads at most
// maxControlRequest bytes: a client cannot make the server read without end.
func decodeRequest(r io.Reader) ([]string, error) {
	limited := &io.LimitedReader{R: r, N: maxControlRequest}
	var req controlRequest
	err := json.NewDecoder(limited).Decode(&req)
	switch {
	case err == nil:
		return req.Args, nil
	case limited.N == 0:
		return nil, fmt.Errorf("request longer than %d bytes", maxControlRequest)
	case errors.Is(err, io.EOF):
		return nil, errors.New("no request before the connection ended")
	}
	return nil, err
}

// reply writes one answer, giving up after the answer timeout.
func reply(conn net.Conn, lim Limits, resp controlResponse) {
	_ = conn.SetWriteDeadline(time.Now().Add(lim.AnswerTimeout))
	_ = json.NewEncoder(conn).Encode(resp)
}

// The pause after a failed Accept doubles from minAcceptBackoff up to
// maxAcceptBackoff (the schedule net/http's server uses), so a process at
// its file limit neither spins nor stays deaf long after descriptors free.
const (
	minAcceptBackoff = 5 * time.Millisecond
	maxAcceptBackoff = time.Second
)

func nextAcceptBackoff(prev time.Duration) time.Duration {
	if prev <= 0 {
		return minAcceptBackoff
	}
	return min(2*prev, maxAcceptBackoff)
}

// temporaryAcceptError reports whether a failed Accept leaves the listener
// usable: the process or the system is out of descriptors or buffers, or a
// client gave up while it waited in the queue.
func temporaryAcceptError(err error) bool {
	for _, errno := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
		syscall.ECONNABORTED, syscall.EINTR} {
		if errors.Is(err, errno) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// sleepOn waits d on clk; false if ctx ended first.
func sleepOn(ctx context.Context, clk clock.Clock, d time.Duration) bool {
	done := make(chan struct{})
	t := clk.AfterFunc(d, func() { close(done) })
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// controlSocketName is the socket's name in its default directory.
const controlSocketName = "tcpipc.sock"

// DefaultPath is where run listens and ctl calls unless told: in
// $XDG_RUNTIME_DIR when it is a directory of this user's that nobody else
// may enter, else in $TMPDIR/tcpipc-UID, created 0700 if missing and
// refused if it belongs to another user, is open to others or is not a
// plain directory. A socket straight in the shared /tmp could be taken by
// anyone first, who would then receive ctl's commands.
func DefaultPath() (string, error) {
	uid := os.Geteuid()
	if x := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(x) && privateDir(x, uid) == nil {
		return filepath.Join(x, controlSocketName), nil
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("tcpipc-%d", uid))
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", err
	}
	if err := privateDir(dir, uid); err != nil {
		return "", fmt.Errorf("no safe place for the control socket: %w (remove it, or use --control)", err)
	}
	return filepath.Join(dir, controlSocketName), nil
}

// privateDir checks that dir is a directory (not a symbolic link) that
// belongs to uid and that no one else may read, write or enter.
func privateDir(dir string, uid int) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is %s, not a directory", dir, fileKind(fi))
	}
	if owner, ok := fileOwner(fi); ok && owner != uid {
		return fmt.Errorf("%s belongs to uid %d, not to you (uid %d)", dir, owner, uid)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s is open to others (mode %04o, want 0700)", dir, perm)
	}
	return nil
}

// fileKind names what is at a path, for messages.
func fileKind(fi fs.FileInfo) string {
	switch t := fi.Mode().Type(); {
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case fi.IsDir():
		return "a directory"
	case t == 0:
		return "a regular file"
	}
	return "a special file"
}

// ErrControlInUse is returned by Listen when something answers on
// the path already.
var ErrControlInUse = errors.New("a sysplex already runs with control socket")

// Listen opens the control socket at path, readable and writable by
// this user alone whatever the umask. It replaces a stale socket (one
// nobody answers on) and nothing else: a regular file, a directory, a
// symbolic link or a socket in use is refused. Closing the listener
// removes the socket, unless something else has been put at path since.
func Listen(path string) (net.Listener, error) {
	if err := removeStaleSocket(path); err != nil {
		return nil, err
	}
	// The socket is made in a new 0700 directory beside path, set to 0600
	// there, and only then linked in: it is never reachable with the
	// umask's mode, and the link fails rather than replace what another
	// process put at path in the meantime.
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".tcpipc")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	private := filepath.Join(tmp, "s")
	l, err := net.Listen("unix", private)
	if err != nil {
		return nil, err
	}
	ul := l.(*net.UnixListener)
	ul.SetUnlinkOnClose(false) // the private name goes with tmp; path is ours to remove
	if err := os.Chmod(private, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	if err := os.Link(private, path); err != nil {
		l.Close()
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%s appeared while the control socket was being made; refusing to replace it", path)
		}
		return nil, err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		l.Close()
		return nil, err
	}
	return &controlListener{UnixListener: ul, path: path, file: fi}, nil
}

// removeStaleSocket clears path for a new control socket, or says why not.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s is %s, not a control socket; refusing to replace it", path, fileKind(fi))
	}
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		conn.Close()
		return fmt.Errorf("%w %s (use --control)", ErrControlInUse, path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%s: cannot tell whether the socket is stale (%v); refusing to replace it", path, err)
	}
	return os.Remove(path)
}

// controlListener removes its socket when closed.
type controlListener struct {
	*net.UnixListener
	path string
	file fs.FileInfo
	once sync.Once
}

func (l *controlListener) Close() error {
	err := l.UnixListener.Close()
	l.once.Do(func() {
		if fi, lerr := os.Lstat(l.path); lerr == nil && os.SameFile(fi, l.file) {
			_ = os.Remove(l.path)
		}
	})
	return err
}

// checkPeer lets a connection through only if the process at its other
// end runs as this process's user or as root (root can read and signal
// any process of the user anyway, as ssh-agent also reasons).
func checkPeer(conn net.Conn) error {
	uid, err := peerUID(conn)
	if errors.Is(err, errNoPeerCredentials) {
		return nil
	}
	if err != nil {
		return err
	}
	return peerAllowed(uid, os.Geteuid())
}

func peerAllowed(peer, self int) error {
	if peer == self || peer == 0 {
		return nil
	}
	return fmt.Errorf("the peer runs as uid %d, not as uid %d or root", peer, self)
}
