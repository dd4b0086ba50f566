package swsa

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/runtime/cf"
)

// peerN is the n-th client address of 192.0.2.0/22-like space, so a
// thousand peers have distinct addresses.
func peerN(n int) netip.Addr {
	return netip.AddrFrom4([4]byte{192, 0, 2 + byte(n>>8), byte(n)})
}

func benchRecord(n int) *Record {
	r := sample(10)
	peer := peerN(n)
	r.TunnelID = fmt.Sprintf("MVS1.Y%d", n)
	r.Peer = Peer{Identity: Identity{Type: "IPADDR", Value: peer.String()}, Addr: netip.AddrPortFrom(peer, 500)}
	r.Children = []ChildSA{child(uint32(0x1000+n), uint32(0x100000+n), peer)}
	return r
}

// BenchmarkRecordWrite is the coupling facility's cost per SA setup:
// encoding and a compare-and-swap write of a new tunnel's record to the
// in-memory facility (records/s is what README's Benchmarks quote).
func BenchmarkRecordWrite(b *testing.B) {
	mem := cf.NewMemory()
	defer mem.Close()
	st, _ := mem.Structure(context.Background(), "EZBDVIPA1121")
	s := NewStore(st)
	recs := make([]*Record, 4096)
	for i := range recs {
		recs[i] = benchRecord(i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := recs[i%len(recs)]
		if i >= len(recs) {
			// Past the first round the tunnel exists: a rekey's update.
			got, err := s.Get(ctx, r.DVIPA, r.TunnelID)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.Update(ctx, r, got.Version); err != nil {
				b.Fatal(err)
			}
		} else if _, err := s.Create(ctx, r); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkJournalSetup is the same through the journal: what the
// IPsec endpoint pays per tunnel set up is Report alone; the writes happen
// on the journal's goroutine and Flush waits for them.
func BenchmarkJournalSetup(b *testing.B) {
	mem := cf.NewMemory()
	defer mem.Close()
	st, _ := mem.Structure(context.Background(), "EZBDVIPA1121")
	j := NewCFJournal(NewStore(st), Options{Stack: "MVS1", Clock: clock.NewManual(start), MaxPending: 1 << 20})
	defer j.Close()
	evs := make([]Event, 1000)
	for i := range evs {
		r := benchRecord(i)
		evs[i] = Event{Kind: IKEEstablished, DVIPA: r.DVIPA, TunnelID: r.TunnelID, Tunnel: r}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, ev := range evs {
			j.Report(ev)
		}
		if err := j.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(evs))/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkList1000 lists and decodes the 1,000 records of one DVIPA, as
// a backup does first on a takeover.
func BenchmarkList1000(b *testing.B) {
	mem := cf.NewMemory()
	defer mem.Close()
	st, _ := mem.Structure(context.Background(), "EZBDVIPA1121")
	s := NewStore(st)
	ctx := context.Background()
	for i := range 1000 {
		if _, err := s.Create(ctx, benchRecord(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		got, bad, err := s.List(ctx, dva1)
		if err != nil || len(got) != 1000 || len(bad) != 0 {
			b.Fatalf("listed %d, %d bad, %v", len(got), len(bad), err)
		}
	}
}
