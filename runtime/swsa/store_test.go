package swsa

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/runtime/cf"
)

func openFigure9(t *testing.T, stack string) (*Store, *cf.Memory) {
	t.Helper()
	mem := cf.NewMemory()
	t.Cleanup(func() { mem.Close() })
	s, err := Open(context.Background(), mem, figure9(t), stack)
	if err != nil {
		t.Fatal(err)
	}
	return s, mem
}

// TestStoreFollowsTheTunnel: create, update at the version read, a stale
// update refused, delete; the structure is the plan's EZBDVIPA1121.
func TestStoreFollowsTheTunnel(t *testing.T) {
	s, _ := openFigure9(t, "MVS1")
	if s.Name() != "EZBDVIPA1121" {
		t.Fatalf("structure %s, want the plan's EZBDVIPA1121", s.Name())
	}
	ctx := context.Background()
	r := sample(10)
	v1, err := s.Create(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, r); !errors.Is(err, ErrConflict) {
		t.Fatalf("second Create: %v, want ErrConflict", err)
	}
	r.Children[0].InboundSPI = 0x5000 // a rekey
	v2, err := s.Update(ctx, r, v1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, r, v1); !errors.Is(err, ErrConflict) {
		t.Fatalf("update at a stale version: %v, want ErrConflict", err)
	}
	got, err := s.Get(ctx, dva1, r.TunnelID)
	if err != nil || got.Version != v2 || got.Record.Children[0].InboundSPI != 0x5000 {
		t.Fatalf("Get = %+v, %v; want the rekeyed record at version %d", got, err, v2)
	}
	if err := s.Delete(ctx, dva1, r.TunnelID, v1); !errors.Is(err, ErrConflict) {
		t.Fatalf("delete at a stale version: %v, want ErrConflict", err)
	}
	if err := s.Delete(ctx, dva1, r.TunnelID, v2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, dva1, r.TunnelID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after delete: %v", err)
	}
	if err := s.Delete(ctx, dva1, r.TunnelID, v2); err != nil {
		t.Fatalf("deleting a deleted record: %v", err)
	}
}

// TestListIsPerDVIPA: one DVIPA's prefix never lists another's records,
// not even one whose address starts with the same digits; a bad entry is
// reported, not dropped, and does not hide the good ones.
func TestListIsPerDVIPA(t *testing.T) {
	s, mem := openFigure9(t, "MVS1")
	ctx := context.Background()
	for n := byte(1); n <= 3; n++ {
		if _, err := s.Create(ctx, sample(n)); err != nil {
			t.Fatal(err)
		}
	}
	other := sample(4)
	other.DVIPA = netip.MustParseAddr("201.2.10.1")
	other.Local.Value = "201.2.10.1"
	other.Children[0].Local[0].Start, other.Children[0].Local[0].End = other.DVIPA, other.DVIPA
	if _, err := s.Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	st, _ := mem.Structure(ctx, s.Name())
	_, _ = st.Put(ctx, Key(dva1, "garbage"), []byte(`{"version":"tcpipc.swsa/v9"}`))
	moved, _ := Encode(sample(5))
	_, _ = st.Put(ctx, Key(dva1, "elsewhere"), moved)

	got, bad, err := s.List(ctx, dva1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Errorf("List(DVA1) = %d records, want 3", len(got))
	}
	for _, g := range got {
		if g.Record.DVIPA != dva1 || g.Record.Writer != "MVS1" || !g.Record.Written.Equal(start) {
			t.Errorf("listed %s by %s at %s", g.Record.Key(), g.Record.Writer, g.Record.Written)
		}
	}
	if len(bad) != 2 || !errors.Is(bad[1].Err, ErrVersion) || !strings.Contains(bad[0].Err.Error(), "stored under") {
		t.Errorf("corrupt entries = %+v, want the v9 record and the one under another key", bad)
	}
	all, _, _ := s.ListAll(ctx)
	if len(all) != 4 {
		t.Errorf("ListAll = %d records, want 4", len(all))
	}
}

// TestMissingStructureIsNotAFault: a structure the CFRM policy lacks is
// ErrNoStructure (configuration), a facility that fails is a FaultError;
// the caller reports them differently.
func TestMissingStructureIsNotAFault(t *testing.T) {
	p := figure9(t)
	p.CFRM = []string{"EZBEPORT1121"}
	mem := cf.NewMemory()
	defer mem.Close()
	_, err := Open(context.Background(), mem, p, "MVS5")
	var fault *FaultError
	if !errors.Is(err, ErrNoStructure) || errors.As(err, &fault) || !strings.Contains(err.Error(), "EZBDVIPA1121") {
		t.Fatalf("Open without the structure in CFRM: %v", err)
	}
	p.CFRM = nil // no CFRM list in the manifest: nothing to check against
	s, err := Open(context.Background(), mem, p, "MVS5")
	if err != nil {
		t.Fatal(err)
	}
	mem.Close()
	_, err = s.Create(context.Background(), sample(1))
	if !errors.As(err, &fault) || !errors.Is(err, cf.ErrClosed) || errors.Is(err, ErrNoStructure) {
		t.Fatalf("write to a closed facility: %v, want a FaultError", err)
	}
	if _, err := Open(context.Background(), mem, p, "MVS5"); !errors.As(err, &fault) {
		t.Fatalf("connect to a closed facility: %v, want a FaultError", err)
	}
	if _, err := Open(context.Background(), mem, p, "MVS9"); err == nil {
		t.Fatal("Open for a stack the plan lacks succeeded")
	}
}

// TestTakeoverPreparationFailedMessage: the EZD0831I text names the time
// the tunnel was added, the action, the tunnel and the SPIs, as IBM's
// message does.
func TestTakeoverPreparationFailedMessage(t *testing.T) {
	r := sample(10)
	got := TakeoverPreparationFailed(r, start.Add(90*time.Second))
	want := "EZD0831I Tunnel takeover preparation failed : 2026/12/07 01:01:30 vpnaction= dvipa-esp-gcm tunnelID= MVS1.Y01 AHSPI= 0 ESPSPI= 4106"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestWatchSeesWritesAndDeletes, and stops with its context.
func TestWatchSeesWritesAndDeletes(t *testing.T) {
	leakcheck.Check(t)
	s, _ := openFigure9(t, "MVS1")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := s.Watch(ctx, dva1)
	if err != nil {
		t.Fatal(err)
	}
	r := sample(7)
	v, _ := s.Create(ctx, r)
	_ = s.Delete(ctx, dva1, r.TunnelID, v)
	put, del := <-ch, <-ch
	if put.Record == nil || put.Record.TunnelID != r.TunnelID || put.Version != v || put.Err != nil {
		t.Errorf("first change %+v, want the write", put)
	}
	if del.Record != nil || del.TunnelID != r.TunnelID {
		t.Errorf("second change %+v, want the delete", del)
	}
	// After cancel the channel closes, whatever is left unread.
	_, _ = s.Create(ctx, sample(8))
	cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		for range ch {
		}
	})
	wg.Wait()
}
