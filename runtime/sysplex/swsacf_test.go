package sysplex

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/runtime/cf"
	"github.com/tcpipc/tcpipc/runtime/swsa"
)

// faultyCF is an in-memory coupling facility whose SWSA structure fails
// writes or lists while told to.
type faultyCF struct {
	cf.Facility
	failWrites, failLists atomic.Bool
}

type faultyStructure struct {
	cf.Structure
	f *faultyCF
}

var errCF = errors.New("structure failure (test)")

func (f *faultyCF) Structure(ctx context.Context, name string) (cf.Structure, error) {
	st, err := f.Facility.Structure(ctx, name)
	if err != nil || !strings.HasPrefix(name, "EZBDVIPA") {
		return st, err
	}
	return faultyStructure{Structure: st, f: f}, nil
}

func (s faultyStructure) CompareAndSwap(ctx context.Context, key string, version uint64, value []byte) (cf.Entry, error) {
	if s.f.failWrites.Load() {
		return cf.Entry{}, errCF
	}
	return s.Structure.CompareAndSwap(ctx, key, version, value)
}

func (s faultyStructure) List(ctx context.Context, prefix string) ([]cf.Entry, error) {
	if s.f.failLists.Load() {
		return nil, errCF
	}
	return s.Structure.List(ctx, prefix)
}

// TestSWSARecordWriteFails: a record the coupling facility refuses makes
// the owner say EZD0831I, as z/OS does; the tunnel keeps working there
// but, with no record, MVS5 recovers nothing on takeover.
func TestSWSARecordWriteFails(t *testing.T) {
	leakcheck.Check(t)
	f := &faultyCF{Facility: cf.NewMemory()}
	f.failWrites.Store(true)
	sx, clk := startSysplex(t, figure9Plan(t), withIPsec, func(o *Options) { o.CF = f })
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	serveAPPA(t, sx)
	conns, _ := swsaClients(t, sx, 2)
	// Each write of a tunnel's record fails (the IKE SA's, then its
	// child's, unless they coalesce): at least one EZD0831I per tunnel.
	waitFor(t, "EZD0831I for both tunnels", func() bool {
		tl := timelineText(sx)
		return strings.Contains(tl, "EZD0831I Tunnel takeover preparation failed") &&
			strings.Contains(tl, "tunnelID= MVS1.Y1 ") && strings.Contains(tl, "tunnelID= MVS1.Y2 ")
	})
	if n := sx.SWSAFailures(); n < 2 {
		t.Fatalf("%d failures counted", n)
	}
	echoOnce(t, conns[0], "still working on MVS1")
	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	if tl := timelineText(sx); strings.Contains(tl, "renegotiating") || len(sx.SWSAOutcomes()) != 0 {
		t.Fatalf("MVS5 recovered tunnels without records:\n%s", tl)
	}
}

// TestSWSAStructureUnreachable: a takeover while the structure cannot be
// read recovers nothing and says so; the records stay.
func TestSWSAStructureUnreachable(t *testing.T) {
	leakcheck.Check(t)
	f := &faultyCF{Facility: cf.NewMemory()}
	sx, clk := startSysplex(t, figure9Plan(t), withIPsec, func(o *Options) { o.CF = f })
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	serveAPPA(t, sx)
	swsaClients(t, sx, 2)
	waitFor(t, "MVS1's records", func() bool { return records(t, sx)["MVS1"] == 2 })
	f.failLists.Store(true)
	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	waitFor(t, "the outcome", func() bool { return lastOutcome(sx, "MVS5") != nil })
	if o := lastOutcome(sx, "MVS5"); !o.Unreachable || len(o.Recovered) != 0 {
		t.Fatalf("outcome %+v", o)
	}
	if tl := timelineText(sx); !strings.Contains(tl, "SWSA: no SAs of 201.2.10.11 recovered: coupling facility structure EZBDVIPA1121: list") {
		t.Fatalf("timeline:\n%s", tl)
	}
	f.failLists.Store(false)
	if r := records(t, sx); r["MVS1"] != 2 {
		t.Fatalf("records after the failed takeover: %v", r)
	}
}

// TestSWSAStructureNotInCFRM: without the structure in the CFRM policy no
// stack writes records, and the takeover says why nothing is recovered.
func TestSWSAStructureNotInCFRM(t *testing.T) {
	leakcheck.Check(t)
	p := figure9Plan(t)
	p.CFRM = []string{"EZBEPORT1121"}
	sx, clk := startSysplex(t, p, withIPsec)
	waitFor(t, "MVS1 to own DVA1", func() bool { return sx.Owner(dva1) == "MVS1" })
	serveAPPA(t, sx)
	swsaClients(t, sx, 1)
	failOver(t, sx, clk, "MVS1", dva1, "MVS5")
	waitFor(t, "the outcome", func() bool { return lastOutcome(sx, "MVS5") != nil })
	if tl := timelineText(sx); !strings.Contains(tl, "MVS5     SWSA: no SAs of 201.2.10.11 recovered: SWSA structure not in the CFRM policy: EZBDVIPA1121") {
		t.Fatalf("timeline:\n%s", tl)
	}
}

// TestSWSAHasRecordsOnStructureError: a giver that cannot read the
// structure does not take it for empty (which would delete every SA at
// once, before the taker renegotiated): it keeps waiting, and its
// timeout decides.
func TestSWSAHasRecordsOnStructureError(t *testing.T) {
	f := &faultyCF{Facility: cf.NewMemory()}
	st, err := f.Structure(context.Background(), "EZBDVIPA1121")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	side := &swsaSide{store: swsa.NewStore(st), ctx: ctx, cancel: cancel}
	s := &Stack{plan: plan.Stack{Name: "MVS5"}}
	if s.hasRecords(side, dva1) {
		t.Fatal("an empty structure has records")
	}
	f.failLists.Store(true)
	if !s.hasRecords(side, dva1) {
		t.Error("a structure that cannot be read counts as holding no records")
	}
}

// TestSWSADeleteReadAfterGiverWrote: the taker read a record at version v;
// the giver's journal wrote v+1 (a rekey) before releasing the DVIPA. The
// taker's delete at v conflicts, and the record is deleted at the version
// its writer left; a record another writer took over is not deleted.
func TestSWSADeleteReadAfterGiverWrote(t *testing.T) {
	ctx := context.Background()
	st, err := cf.NewMemory().Structure(ctx, "EZBDVIPA1121")
	if err != nil {
		t.Fatal(err)
	}
	store := swsa.NewStore(st)
	rec := swsaSample(t)
	v, err := store.Create(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	read := swsa.Stored{Record: rec, Version: v}
	if _, err := store.Update(ctx, rec, v); err != nil { // the giver's last write
		t.Fatal(err)
	}
	if err := deleteRead(ctx, store, dva1, read); err != nil {
		t.Fatalf("delete after the giver's last write: %v", err)
	}
	if _, err := store.Get(ctx, dva1, rec.TunnelID); !errors.Is(err, swsa.ErrNotFound) {
		t.Fatalf("the record is still there: %v", err)
	}
	v, err = store.Create(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	other := *rec
	other.Writer = "MVS2"
	if _, err := store.Update(ctx, &other, v); err != nil {
		t.Fatal(err)
	}
	if err := deleteRead(ctx, store, dva1, swsa.Stored{Record: rec, Version: v}); !errors.Is(err, swsa.ErrConflict) {
		t.Fatalf("deleting a record another writer rewrote: %v, want a conflict", err)
	}
}

// swsaSample is a valid record of MVS1 for DVA1's tunnel to a client of
// figure 9.
func swsaSample(t *testing.T) *swsa.Record {
	t.Helper()
	peer := netip.MustParseAddr("192.0.2.10")
	host := func(a netip.Addr) []swsa.TrafficSelector {
		return []swsa.TrafficSelector{{Protocol: 6, Start: a, End: a, EndPort: 65535}}
	}
	r := &swsa.Record{Version: swsa.Version, DVIPA: dva1, TunnelID: "MVS1.Y1", VPNAction: "dvipa-esp-gcm",
		Writer: "MVS1", Written: time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC),
		Local: swsa.Identity{Type: "IPADDR", Value: dva1.String()},
		Peer:  swsa.Peer{Identity: swsa.Identity{Type: "IPADDR", Value: peer.String()}, Addr: netip.AddrPortFrom(peer, 500)},
		IKE: swsa.IKESA{Version: "IKEv2", SPIi: 1, SPIr: 2, LifetimeSeconds: 28800, Transforms: []plan.Transform{
			{Type: plan.TypeENCR, ID: plan.EncrAESCBC, KeyLength: 128}, {Type: plan.TypePRF, ID: plan.PRFHMACSHA2_256},
			{Type: plan.TypeINTEG, ID: plan.IntegHMACSHA2_256_128}, {Type: plan.TypeDH, ID: plan.DHECP256}}},
		Children: []swsa.ChildSA{{Protocol: "ESP", Mode: "TUNNEL", Encap: "NONE", InboundSPI: 0x1000, OutboundSPI: 0x2000,
			LifetimeSeconds: 14400, Transforms: []plan.Transform{{Type: plan.TypeENCR, ID: plan.EncrAESGCM16, KeyLength: 128},
				{Type: plan.TypeESN, ID: plan.ESNNo}},
			Local: host(dva1), Remote: host(peer)}},
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	return r
}
