// Package streambench measures one TCP stream between two netstacks for
// the link benchmarks, so the direct link and the XCF link are measured
// exactly the same way.
package streambench

import (
	"context"
	"io"
	"net"
	"net/netip"
	"testing"
)

// Dialer and Listener are the two sides of a stack the stream needs. They
// are interfaces, not runtime/netstack's Stack, so that this kit imports
// nothing of the runtime it measures: the arrows stay runtime → internal.
type (
	Dialer[C net.Conn] interface {
		DialTCP(ctx context.Context, ap netip.AddrPort) (C, error)
	}
	Listener[L net.Listener] interface {
		ListenTCP(ap netip.AddrPort) (L, error)
	}
)

// Chunk is what each benchmark iteration writes.
const Chunk = 1 << 20

// Sink writes b.N chunks of a fixed buffer from client to a discarding
// server on server at ap, with b timing only the writes, and fails b if
// the server did not receive every byte.
func Sink[C net.Conn, L net.Listener](b *testing.B, client Dialer[C], server Listener[L], ap netip.AddrPort) {
	b.Helper()
	ln, err := server.ListenTCP(ap)
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	got := make(chan int64, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- -1
			return
		}
		defer c.Close()
		n, _ := io.Copy(io.Discard, c)
		got <- n
	}()
	c, err := client.DialTCP(context.Background(), ap)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, Chunk)
	b.SetBytes(Chunk)
	b.ResetTimer()
	for range b.N {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	c.Close()
	if n := <-got; n != int64(b.N)*Chunk {
		b.Fatalf("received %d bytes, want %d", n, int64(b.N)*Chunk)
	}
	b.StopTimer()
}
