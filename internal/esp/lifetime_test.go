package esp

import (
	"errors"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
)

// expiries records lifetime callbacks.
type expiries struct {
	soft, hard []Expiry
}

func (e *expiries) hook(cfg *Config) {
	cfg.OnSoftExpire = func(_ *SA, why Expiry) { e.soft = append(e.soft, why) }
	cfg.OnHardExpire = func(_ *SA, why Expiry) { e.hard = append(e.hard, why) }
}

func TestTimeLifetimes(t *testing.T) {
	clk := clock.NewManual(time.Unix(1_000_000, 0))
	var got expiries
	cfg := suites[0].config(0x1000, Tunnel, false)
	cfg.Clock = clk
	cfg.Lifetime = Lifetime{SoftTime: 50 * time.Minute, HardTime: time.Hour}
	got.hook(&cfg)
	out, in := pair(t, cfg)

	clk.Advance(50*time.Minute - time.Nanosecond)
	if len(got.soft)+len(got.hard) != 0 {
		t.Fatalf("callbacks before the soft lifetime: %+v", got)
	}
	clk.Advance(time.Nanosecond)
	// Both SAs of the pair share the clock, so each fires once.
	if len(got.soft) != 2 || got.soft[0] != ExpiryTime || len(got.hard) != 0 {
		t.Fatalf("at the soft lifetime: %+v", got)
	}
	wire, err := out.Encap(nil, ipv4UDP(1), ProtoIPv4)
	if err != nil {
		t.Fatalf("Encap between soft and hard lifetime: %v", err)
	}
	clk.Advance(10 * time.Minute)
	if len(got.hard) != 2 || got.hard[0] != ExpiryTime || out.Alive() || in.Alive() {
		t.Fatalf("at the hard lifetime: %+v", got)
	}
	if _, err := out.Encap(nil, ipv4UDP(1), ProtoIPv4); !errors.Is(err, ErrExpired) {
		t.Fatalf("Encap after hard lifetime: %v", err)
	}
	if _, _, err := in.Decap(nil, wire); !errors.Is(err, ErrExpired) {
		t.Fatalf("Decap after hard lifetime: %v", err)
	}
	if out.Counters().Expired != 1 || in.Counters().Expired != 1 {
		t.Fatalf("expired drops not counted: %+v %+v", out.Counters(), in.Counters())
	}
	if clk.Pending() != 0 {
		t.Fatalf("%d timers left behind", clk.Pending())
	}
}

func TestVolumeLifetimes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		life      Lifetime
		softAfter int // packets after which the soft callback has run
		hardAfter int
		why       Expiry
	}{
		{"packets", Lifetime{SoftPackets: 3, HardPackets: 5}, 3, 5, ExpiryPackets},
		// Each payload is a 29-byte IPv4 packet.
		{"bytes", Lifetime{SoftBytes: 29*2 + 1, HardBytes: 29 * 4}, 3, 4, ExpiryBytes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got expiries
			cfg := suites[2].config(0x1000, Tunnel, false)
			cfg.Lifetime = tc.life
			got.hook(&cfg)
			out, in := pair(t, cfg)
			for i := 1; ; i++ {
				wire, err := out.Encap(nil, ipv4UDP(1), ProtoIPv4)
				if i > tc.hardAfter {
					if !errors.Is(err, ErrExpired) {
						t.Fatalf("packet %d after the hard limit: %v", i, err)
					}
					break
				}
				if err != nil {
					t.Fatalf("packet %d: %v", i, err)
				}
				if _, _, err := in.Decap(nil, wire); err != nil {
					t.Fatalf("packet %d: %v", i, err)
				}
				wantSoft := 0
				if i >= tc.softAfter {
					wantSoft = 2 // sender and receiver
				}
				wantHard := 0
				if i >= tc.hardAfter {
					wantHard = 2
				}
				if len(got.soft) != wantSoft || len(got.hard) != wantHard {
					t.Fatalf("after packet %d: %+v", i, got)
				}
			}
			for _, why := range append(got.soft, got.hard...) {
				if why != tc.why {
					t.Fatalf("callbacks %+v, want all %v", got, tc.why)
				}
			}
		})
	}
}

func TestCloseStopsTimersWithoutCallback(t *testing.T) {
	clk := clock.NewManual(time.Unix(0, 0))
	var got expiries
	cfg := suites[0].config(0x1000, Tunnel, false)
	cfg.Clock = clk
	cfg.Lifetime = Lifetime{SoftTime: time.Minute, HardTime: 2 * time.Minute}
	got.hook(&cfg)
	sa, err := NewSA(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sa.Close()
	clk.Advance(time.Hour)
	if len(got.soft)+len(got.hard) != 0 || clk.Pending() != 0 || sa.Alive() {
		t.Fatalf("after Close: callbacks %+v, %d timers pending, alive %v", got, clk.Pending(), sa.Alive())
	}
}

// TestRealClockLifetime runs the timers on the wall clock, where they fire
// on their own goroutines, so the race detector sees that path too.
func TestRealClockLifetime(t *testing.T) {
	hard := make(chan Expiry, 1)
	cfg := suites[0].config(0x1000, Tunnel, false)
	cfg.Clock = clock.Real{}
	cfg.Lifetime = Lifetime{SoftTime: time.Microsecond, HardTime: 2 * time.Microsecond}
	cfg.OnHardExpire = func(_ *SA, why Expiry) { hard <- why }
	sa, err := NewSA(cfg)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case why := <-hard:
		if why != ExpiryTime || sa.Alive() {
			t.Fatalf("hard expiry %v, alive %v", why, sa.Alive())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("hard lifetime never fired")
	}
	if _, err := sa.Encap(nil, ipv4UDP(1), ProtoIPv4); !errors.Is(err, ErrExpired) {
		t.Fatalf("Encap after hard lifetime: %v", err)
	}
}
