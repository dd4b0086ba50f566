package play

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tcpipc/tcpipc/internal/clock"
	"github.com/tcpipc/tcpipc/internal/testkit/leakcheck"
	"github.com/tcpipc/tcpipc/internal/testkit/sysplextest"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/scenario/scenarioyaml"
)

// stallingClock is a manual clock that a goroutine moves in stalls of
// step every 5 ms of real time until the test ends: inside a stall no
// callback runs, afterwards the overdue ones run late (clock.Manual.Stall).
// It is a process that keeps being descheduled for step at a time.
func stallingClock(t *testing.T, step time.Duration) *clock.Manual {
	clk := clock.NewManual(time.Now())
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				clk.Stall(step)
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return clk
}

const lateScenario = `name: late-timeline
sysplex: ../profiles/figure9
heartbeat: 100ms
missed: 3
duration: 1s
applications:
  - name: APPA
    stacks: [MVS1, MVS2, MVS4]
    bind: 201.2.10.11:60
    behaviour: echo
clients:
  - name: clients
    from: 192.0.2.10
    connect: 201.2.10.11:60
    connections: 10
    bytes: 4096
    chunk: 512
    interval: 100ms
    check: true
timeline:
  - {at: 1s, fail: MVS1}
expect:
  - owner: {at: 500ms, dvipa: 201.2.10.11, stack: MVS1}
`

// TestLateTimelineIsReported plays a failure due at 1 s on a sysplex
// whose clock only moves in stalls of 400 ms (longer than the 350 ms a
// silent peer is given), so the player wakes up for
// the event at the first stall that ends past it, late. The report says
// by how much, per event and in all, and measures the detection from when
// the failure was applied, not from when it was due; a sampled owner
// check says how late it was sampled. The stalls are also
// the failure detector's test at the scale of a sysplex: every heartbeat
// is late, and the only stack declared failed is the one that failed.
func TestLateTimelineIsReported(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the figure 9 sysplex")
	}
	leakcheck.Check(t)
	const step = 400 * time.Millisecond
	sc, _, ds := scenarioyaml.Parse("../scenarios/late-timeline.yaml", []byte(lateScenario))
	if len(ds) > 0 {
		t.Fatal(ds[0].Summary)
	}
	clk := stallingClock(t, step)
	_, report := startAndPlay(t, sysplextest.Plan(t, "figure9"), sysplex.Options{Clock: clk, XCF: sc.XCF}, sc)
	var out bytes.Buffer
	if err := report.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()

	// The clock stands still between stalls, so the timeline starts on a
	// stall's end and the event, due 1 s later, is applied at the end of
	// the third stall (1.2 s) or, if the player was slow to wake, later.
	ev := report.Events[0]
	if ev.Late < 200*time.Millisecond || (ev.Late-200*time.Millisecond)%step != 0 {
		t.Fatalf("the failure was applied %s late, want 200ms plus whole stalls of %s:\n%s", ev.Late, step, text)
	}
	want := fmt.Sprintf("applied %s late, at %s", ms(ev.Late), Offset(ev.At+ev.Late))
	if !strings.Contains(text, want) || !strings.Contains(text, "events: 1 of 1 events applied late, the latest by "+ms(ev.Late)) {
		t.Fatalf("the report does not say how late the event was (want %q):\n%s", want, text)
	}
	// The owner sampled for 500 ms is sampled at the end of the second
	// stall, 800 ms, inside the clock's callbacks: exactly 300 ms late.
	if !strings.Contains(text, "ok   owner of 201.2.10.11 at 500ms is MVS1 (got MVS1, sampled 300ms late)") {
		t.Fatalf("the report does not say how late the owner was sampled:\n%s", text)
	}
	// Detection counts from the applied failure: the peers need three
	// missed heartbeats and a half of their running time, which the
	// stalls stretch (one tick per stall) but which cannot be less.
	if ev.Detected < 3*sc.XCF.Interval {
		t.Fatalf("detected %s after the failure was applied, sooner than three missed heartbeats:\n%s", ev.Detected, text)
	}
	notMVS1 := regexp.MustCompile(`detects that MVS[2-9] failed`)
	for _, e := range report.Timeline {
		if notMVS1.MatchString(e.What) {
			t.Fatalf("%s: a live stack was declared failed under stalls:\n%s", e.Stack, text)
		}
	}
	if !strings.Contains(text, "detects that MVS1 failed") {
		t.Fatalf("the failure of MVS1 was not detected:\n%s", text)
	}
}
