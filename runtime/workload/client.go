package workload

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/scenario"
)

// This file is a scenario client's connection, run by a poller like the
// servers' (issue 16: the 32-stack scenario's 3,200 client connections
// were a goroutine each). It runs on the wall clock, as the clients'
// deadlines always did: they measure the sysplex, not the scenario.

// Client connection deadlines: the handshake, and each chunk's write and
// echo.
const (
	DialTimeout  = 10 * time.Second
	ChunkTimeout = 20 * time.Second
)

// Outcomes of a client connection.
const (
	Completed = "completed"
	Reset     = "reset" // reset or refused by the server side
	Failed    = "failed"
	Corrupt   = "corrupt" // an echoed byte differed
)

// Result is how one client connection ended.
type Result struct {
	Sent, Verified int64
	Outcome        string
}

// conversation is one client connection: it writes connection i's pattern
// in chunks and, for an echo server, checks every byte that comes back,
// with the client's interval after each chunk.
type conversation struct {
	ctx  context.Context
	c    *netstack.Conn
	spec *scenario.Client
	i    int
	// up is told once the handshake completes (it may be nil); done
	// gets the result.
	up   func()
	done func(Result)

	mu       sync.Mutex  // held by the step; Converse holds it while it sets up
	timer    *time.Timer // kicks the step at the phase's deadline
	stopCtx  func() bool // stops kicking the step when ctx ends
	phase    phase
	due      time.Time // the phase's deadline, or the interval's end
	off, n   int       // the chunk under way: its offset and length
	progress int       // bytes of the chunk written, or echoed back
	res      Result
}

type phase uint8

const (
	connecting phase = iota
	writing
	reading
	pausing
)

// Converse dials spec.Connect from ns and plays connection i on p; up
// (if not nil) is called when the connection is established, done gets
// the result; both on one of p's goroutines, except done for a dial that
// cannot start (no route), which runs before Converse returns. The
// context ends it early, as failed, while it connects or pauses.
func Converse(ctx context.Context, p *netstack.Poller, ns *netstack.Stack, spec *scenario.Client, i int, up func(), done func(Result)) {
	c, err := ns.StartDialTCP(spec.Connect)
	if err != nil {
		done(Result{Outcome: Failed})
		return
	}
	v := &conversation{ctx: ctx, c: c, spec: spec, i: i, up: up, done: done}
	// The step takes mu first: it waits here until the timers exist.
	v.mu.Lock()
	defer v.mu.Unlock()
	w := p.Add(c, v.step)
	v.due = time.Now().Add(DialTimeout)
	v.timer = time.AfterFunc(DialTimeout, w.Kick)
	v.stopCtx = context.AfterFunc(ctx, w.Kick)
}

// step moves the conversation on as far as it can without waiting.
func (v *conversation) step(w *netstack.Polled) (wantWrite, done bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for {
		var next bool
		switch v.phase {
		case connecting:
			next, wantWrite = v.connect()
		case writing:
			next, wantWrite = v.write()
		case reading:
			next = v.read()
		case pausing:
			next = v.pause(w)
		}
		if v.res.Outcome != "" {
			v.end()
			return false, true
		}
		if !next {
			return wantWrite, false
		}
	}
}

// connect waits for the handshake, as long as the dial timeout and the
// context allow.
func (v *conversation) connect() (next, wantWrite bool) {
	ok, err := v.c.Connected()
	switch {
	case ok && err == nil:
		if v.up != nil {
			v.up()
		}
		v.startChunk(0)
		return true, false
	case ok, time.Now().After(v.due), v.ctx.Err() != nil:
		v.res.Outcome = Failed
		return false, false
	}
	return false, true // the handshake ends with a writable event
}

// startChunk begins the chunk at off, or completes the conversation.
func (v *conversation) startChunk(off int) {
	if off >= v.spec.Bytes {
		v.res.Outcome = Completed
		return
	}
	v.off, v.n, v.progress = off, min(v.spec.Chunk, v.spec.Bytes-off), 0
	v.phase = writing
	v.due = time.Now().Add(ChunkTimeout)
	v.timer.Reset(ChunkTimeout)
}

// write sends what is left of the chunk.
func (v *conversation) write() (next, wantWrite bool) {
	if time.Now().After(v.due) {
		v.res.Outcome = Failed
		return false, false
	}
	bp := bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	for v.progress < v.n {
		b := (*bp)[:min(len(*bp), v.n-v.progress)]
		Fill(b, v.i, v.off+v.progress)
		n, err := v.c.TryWrite(b)
		v.progress += n
		if errors.Is(err, netstack.ErrWouldBlock) {
			return false, true
		}
		if err != nil {
			v.res.Outcome = classify(err)
			return false, false
		}
	}
	v.res.Sent += int64(v.n)
	v.phase, v.progress = reading, 0
	if !v.spec.Check {
		v.afterChunk()
	}
	return true, false
}

// read checks the echo of the chunk as it comes back.
func (v *conversation) read() (next bool) {
	if time.Now().After(v.due) {
		v.res.Outcome = Failed
		return false
	}
	bp, wp := bufs.Get().(*[]byte), bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	defer bufs.Put(wp)
	for v.progress < v.n {
		got := (*bp)[:min(len(*bp), v.n-v.progress)]
		n, err := v.c.TryRead(got)
		want := (*wp)[:n]
		Fill(want, v.i, v.off+v.progress)
		if string(got[:n]) != string(want) {
			v.res.Outcome = Corrupt
			return false
		}
		v.progress += n
		if errors.Is(err, netstack.ErrWouldBlock) {
			return false
		}
		if err != nil {
			v.res.Outcome = classify(err)
			return false
		}
	}
	v.res.Verified += int64(v.n)
	v.afterChunk()
	return true
}

// afterChunk pauses for the interval, or starts the next chunk.
func (v *conversation) afterChunk() {
	if v.spec.Interval <= 0 {
		v.startChunk(v.off + v.n)
		return
	}
	v.phase = pausing
	v.due = time.Now().Add(v.spec.Interval)
	v.timer.Reset(v.spec.Interval)
}

// pause waits out the interval; the context's end fails the connection.
func (v *conversation) pause(w *netstack.Polled) (next bool) {
	if v.ctx.Err() != nil {
		v.res.Outcome = Failed
		return false
	}
	if time.Now().Before(v.due) {
		return false
	}
	v.startChunk(v.off + v.n)
	return true
}

// end closes the connection and reports.
func (v *conversation) end() {
	v.timer.Stop()
	v.stopCtx()
	v.c.Close()
	v.done(v.res)
}

// classify names the outcome of a failed read or write: a reset or
// refusal from the far side, or a failure (timeout, end of stream).
func classify(err error) string {
	if errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) {
		return Failed
	}
	if strings.Contains(err.Error(), "reset") || strings.Contains(err.Error(), "refused") {
		return Reset
	}
	return Failed
}
