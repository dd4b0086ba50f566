package workload

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/scenario"
)

// lateListener's Accept returns one connection only when release is
// closed, after its listener has been closed: a connection the stack
// handed over just before the application was stopped.
type lateListener struct {
	closed  chan struct{}
	release chan struct{}
	conn    net.Conn
	once    sync.Once
	done    atomic.Bool
}

func (l *lateListener) Accept() (net.Conn, error) {
	<-l.release
	if l.done.Swap(true) {
		return nil, net.ErrClosed
	}
	return l.conn, nil
}

func (l *lateListener) Close() error   { l.once.Do(func() { close(l.closed) }); return nil }
func (l *lateListener) Addr() net.Addr { return &net.TCPAddr{} }

// TestStopClosesConnectionAcceptedMeanwhile: a connection Accept returns
// while stop is running, after stop has closed what it had, is closed too:
// stop returned only once that connection's client ended it, so a "stop
// application" event stalled the timeline for the rest of a conversation.
func TestStopClosesConnectionAcceptedMeanwhile(t *testing.T) {
	srvEnd, client := net.Pipe()
	defer client.Close()
	ln := &lateListener{closed: make(chan struct{}), release: make(chan struct{}), conn: srvEnd}
	srv := &server{app: "APP", ln: ln, poller: netstack.NewPoller(0), conns: map[net.Conn]*served{}, ids: new(atomic.Uint32)}
	srv.wg.Add(1)
	go srv.serve(scenario.Echo)
	stopped := make(chan struct{})
	go func() { srv.stop(); close(stopped) }()
	<-ln.closed
	time.Sleep(20 * time.Millisecond) // let stop close what it has
	close(ln.release)
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("stop did not return: the connection accepted meanwhile is still served")
	}
	if _, err := client.Write([]byte("x")); err == nil {
		t.Error("the connection accepted meanwhile is still open")
	}
}
