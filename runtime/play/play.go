package play

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/internal/ike/wire"
	"github.com/tcpipc/tcpipc/runtime/ipsec"
	"github.com/tcpipc/tcpipc/runtime/lan"
	"github.com/tcpipc/tcpipc/runtime/netstack"
	"github.com/tcpipc/tcpipc/runtime/sysplex"
	"github.com/tcpipc/tcpipc/runtime/workload"
	"github.com/tcpipc/tcpipc/scenario"
)

// Report is what a scenario run found.
type Report struct {
	Scenario string
	Timeline []sysplex.Entry
	Events   []EventReport
	Clients  ClientTotals
	// IPsec sums, per protected DVIPA, what its routing stack's endpoint
	// did (empty when the run had no IPsec).
	IPsec []IPsecTotals
	// SWSA is what each new holder of a DVIPA did with its SA records.
	SWSA []SWSAReport
	// Routing lists the stacks that held back, reset or dropped packets
	// for DVIPAs, which is where lost connections usually show.
	Routing []RoutingTotals
	Checks  []Check
	// Start is when the timeline's offsets count from: the moment every
	// client connection was up or had failed; ClientsUp how long that
	// took from the first dial.
	Start     time.Time
	ClientsUp time.Duration
}

// EventReport measures one timeline event.
type EventReport struct {
	Event *scenario.Event
	// At is when the timeline said; Late how much later the player
	// applied the event (lateness.go).
	At, Late time.Duration
	// Detected is when the first peer noticed a failure or departure,
	// Takeover when a DVIPA's new holder took it, and Forwarding when the
	// new routing stack first forwarded a packet — each after the event
	// (zero when it did not happen).
	Detected, Takeover, Forwarding time.Duration
	Moves                          []string
}

// ClientTotals sums the clients' connections.
type ClientTotals struct {
	Connections, Completed, Reset, Failed int
	BytesSent, BytesVerified              int64
	Corrupt                               int
	// ends says when each connection ended, to tell what left a
	// WHENIDLE holder idle (measure.go).
	ends []connEnd
}

// connEnd is when a client connection to a DVIPA ended, and whether it
// ended other than completed (reset, failed: an event ended it).
type connEnd struct {
	dvipa netip.Addr
	at    time.Time
	reset bool
}

// RoutingTotals is what one stack did not pass on of the packets the LAN
// brought it for DVIPAs.
type RoutingTotals struct {
	Stack string
	sysplex.RouteDrops
}

// routingTotals lists the stacks that held back, reset or dropped packets.
func routingTotals(sx *sysplex.Sysplex) []RoutingTotals {
	var out []RoutingTotals
	for _, s := range sx.Stacks() {
		if d := s.RouteDrops(); d != (sysplex.RouteDrops{}) {
			out = append(out, RoutingTotals{Stack: s.Name(), RouteDrops: d})
		}
	}
	return out
}

// IPsecTotals is one routing stack's IPsec endpoint for one DVIPA at the
// end of a run.
type IPsecTotals struct {
	Stack  string
	DVIPA  netip.Addr
	IKESAs int
	// ChildSAs are the active child SAs; Replaced those a rekey replaced
	// whose Delete is not answered yet, which depends on timing.
	ChildSAs, Replaced int
	ESPIn, ESPOut      uint64
	Delivered, Drops   uint64
	DropsByReason      map[string]uint64
	// Reassembled counts IKE messages put together from a peer's RFC
	// 7383 fragments, which z/OS IKED is not documented to accept.
	Reassembled uint64
	// Cookies counts IKE_SA_INIT requests answered with only a COOKIE
	// (RFC 7296 §2.6) because the endpoint held many half-open SAs;
	// InitBlocked and InitOverLimit those dropped for the per-address
	// and the endpoint's half-open limit (ikesa.InitLimits).
	Cookies, InitBlocked, InitOverLimit uint64
}

// ipsecTotals reads every endpoint still running.
func ipsecTotals(sx *sysplex.Sysplex) []IPsecTotals {
	var out []IPsecTotals
	for _, e := range sx.Endpoints() {
		st, sas := e.Stats, e.SAs
		t := IPsecTotals{Stack: e.Stack, DVIPA: e.DVIPA, IKESAs: len(sas.IKE),
			ESPIn: st.ESPIn, ESPOut: st.ESPOut, Delivered: st.Delivered, DropsByReason: map[string]uint64{},
			Reassembled: st.IKE.Reassembled, Cookies: st.IKE.CookiesSent, InitBlocked: st.IKE.InitBlocked,
			InitOverLimit: st.IKE.InitOverLimit}
		for _, c := range sas.Dynamic {
			if c.Active {
				t.ChildSAs++
			} else {
				t.Replaced++
			}
		}
		for r, n := range st.Drops {
			t.Drops += n
			t.DropsByReason[r.String()] = n
		}
		out = append(out, t)
	}
	return out
}

// Check is one expectation and whether it held.
type Check struct {
	What string
	OK   bool
	Got  string
	// order is the expectation's place in the scenario: the report lists
	// the checks as the scenario wrote them.
	order int
}

// Passed reports whether every expectation held.
func (r *Report) Passed() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// Play runs a scenario on a started sysplex: applications, clients, the
// timeline, then the checks. It returns when the last event and the
// scenario's duration have passed and every client has finished.
func Play(ctx context.Context, sx *sysplex.Sysplex, sc *scenario.Scenario) (*Report, error) {
	return PlayWith(ctx, sx, sc, workload.New(sx, sc.Applications))
}

// PlayWith is Play with the scenario's applications made by the caller
// (workload.New(sx, sc.Applications)), who can then display their
// sockets while the scenario plays (control.NewDisplayOnly).
func PlayWith(ctx context.Context, sx *sysplex.Sysplex, sc *scenario.Scenario, apps *workload.Apps) (*Report, error) {
	// A mistake in the scenario is found before anything runs (the command
	// line prints every one with its snippet; this is the guard for other
	// callers).
	if ds := sc.CheckPlan(sx.Plan()); ds.HasErrors() {
		ds.Sort()
		return nil, fmt.Errorf("the scenario does not fit sysplex %s: %s: %s", sx.Plan().Sysplex, ds[0].Range, ds[0].Summary)
	}
	r := &Report{Scenario: sc.Name, Start: sx.Clock().Now()}
	if err := apps.StartAll(); err != nil {
		apps.StopAll()
		return nil, err
	}
	defer apps.StopAll()
	if err := settle(sx, ctx, sc); err != nil {
		return nil, err
	}
	// Every client host is set up before the timeline starts: on a large
	// sysplex that takes seconds, and the first event must not pay for it.
	hosts, err := addClients(sx, sc)
	if err != nil {
		return nil, err
	}
	// The timeline starts once every client connection is up (or has
	// failed to come up): an IPsec client's handshake waits for its
	// tunnel, and on a busy machine 120 key exchanges can take seconds,
	// so a failure "at 2s" must not find half of them still negotiating.
	dialed := sx.Clock().Now()
	finish, up := startClients(ctx, sc, hosts, sx.Clock().Now)
	select {
	case <-up:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	r.Start = sx.Clock().Now()
	r.ClientsUp = r.Start.Sub(dialed)
	samples := scheduleOwnerChecks(sx, r, sc)
	events := append([]*scenario.Event(nil), sc.Timeline...)
	sort.SliceStable(events, func(i, j int) bool { return events[i].At < events[j].At })
	var last time.Duration
	for _, e := range events {
		if err := sleepUntil(sx, ctx, r.Start.Add(e.At)); err != nil {
			return nil, err
		}
		applied := eventApplied(e, r.Start, sx.Clock().Now())
		if err := sx.Apply(e, apps); err != nil {
			return nil, fmt.Errorf("event at %s (%s): %w", e.At, e, err)
		}
		r.Events = append(r.Events, applied)
		last = e.At
	}
	if err := sleepUntil(sx, ctx, r.Start.Add(last+sc.Duration)); err != nil {
		return nil, err
	}
	r.Clients = finish()
	samples.Wait()
	r.Timeline = sx.Timeline()
	r.IPsec = ipsecTotals(sx)
	r.SWSA = swsaReports(sx, r.Start)
	r.Routing = routingTotals(sx)
	measure(sx, r)
	check(r, sc)
	return r, nil
}

// settle waits until every application's DVIPA has a routing stack that
// knows the application's servers; when it gives up, the error names each
// application still waiting and why.
func settle(sx *sysplex.Sysplex, ctx context.Context, sc *scenario.Scenario) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting []string
		for _, a := range sc.Applications {
			if why := notReady(sx, a); why != "" {
				waiting = append(waiting, fmt.Sprintf("application %s (%s): %s", a.Name, a.Bind, why))
			}
		}
		if len(waiting) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sysplex: after 30s the scenario cannot start:\n  %s", strings.Join(waiting, "\n  "))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// notReady says why an application cannot take connections yet: no stack
// holds its DVIPA, or the routing stack has heard from fewer of its
// servers than it distributes to. "" when it can.
func notReady(sx *sysplex.Sysplex, a *scenario.Application) string {
	holder := sx.Owner(a.Bind.Addr())
	owner := sx.Stack(holder)
	if owner == nil {
		return fmt.Sprintf("no stack holds %s (does a stack VIPADEFINE it, or a VIPARANGE or long-form VIPABACKUP create it?)", a.Bind.Addr())
	}
	d := owner.Routing(a.Bind.Addr())
	if d == nil {
		return ""
	}
	n := 0
	for _, e := range d.DPT() {
		if e.Port == a.Bind.Port() && e.Ready > 0 {
			n++
		}
	}
	candidate := func(stack string) bool { return d.IsCandidateFor(stack, a.Bind.Port()) }
	if want := expectedTargets(candidate, a.Stacks); n < want {
		return fmt.Sprintf("%s, which routes it, has heard from %d of its %d servers", holder, n, want)
	}
	return ""
}

func expectedTargets(candidate func(string) bool, stacks []string) int {
	n := 0
	for _, s := range stacks {
		if candidate(s) {
			n++
		}
	}
	return n
}

// sleepUntil waits for the clock to reach t.
func sleepUntil(sx *sysplex.Sysplex, ctx context.Context, t time.Time) error {
	d := t.Sub(sx.Clock().Now())
	if d <= 0 {
		return nil
	}
	done := make(chan struct{})
	timer := sx.Clock().AfterFunc(d, func() { close(done) })
	defer timer.Stop()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// startClients opens every client's connections at once, played by one
// poller; finish waits until they all ended and sums how.
func startClients(ctx context.Context, sc *scenario.Scenario, hosts [][]*lan.Client, now func() time.Time) (finish func() ClientTotals, up <-chan struct{}) {
	var (
		clients, notUp sync.WaitGroup
		mu             sync.Mutex
		t              ClientTotals
	)
	p := netstack.NewPoller(0)
	for k, c := range sc.Clients {
		for h, cl := range hosts[k] {
			for i := 0; i < c.Connections; i++ {
				clients.Add(1)
				notUp.Add(1)
				var once sync.Once
				isUp := func() { once.Do(notUp.Done) }
				workload.Converse(ctx, p, cl.Netstack(), c, h*c.Connections+i, isUp, func(r workload.Result) {
					isUp() // a connection that never came up is not waited for
					mu.Lock()
					t.add(r)
					t.ends = append(t.ends, connEnd{c.Connect.Addr(), now(), r.Outcome != workload.Completed})
					mu.Unlock()
					clients.Done()
				})
			}
		}
	}
	allUp := make(chan struct{})
	go func() { notUp.Wait(); close(allUp) }()
	return func() ClientTotals {
		clients.Wait()
		mu.Lock()
		defer mu.Unlock()
		return t
	}, allUp
}

// addClients sets up the scenario's client hosts on the LAN, with IPsec
// for those that are IPsec peers.
func addClients(sx *sysplex.Sysplex, sc *scenario.Scenario) ([][]*lan.Client, error) {
	hosts := make([][]*lan.Client, len(sc.Clients))
	for i, c := range sc.Clients {
		for h := range max(c.Hosts, 1) {
			name := c.Name
			if h > 0 {
				name = fmt.Sprintf("%s.%d", c.Name, h)
			}
			cl, err := sx.AddClient(name, c.HostAddr(h))
			if err != nil {
				return nil, err
			}
			if c.IPsec {
				if err := enableClientIPsec(sx, cl, c); err != nil {
					return nil, err
				}
			}
			hosts[i] = append(hosts[i], cl)
		}
	}
	return hosts, nil
}

// enableClientIPsec makes a client an IPsec peer of the DVIPA it connects
// to, with the suites and identity the scenario gives it.
func enableClientIPsec(sx *sysplex.Sysplex, cl *lan.Client, c *scenario.Client) error {
	if !sx.Options().IPsec {
		return fmt.Errorf("client %s: IPsec clients need a sysplex run with its IPsec policy (Options.IPsec)", c.Name)
	}
	cfg, err := sysplex.ClientIPsec(sx.Plan(), cl.Addr, c.Connect.Addr())
	if err != nil {
		return fmt.Errorf("client %s: %w", c.Name, err)
	}
	if c.PSK != "" {
		cfg.Peers[0].PSK = []byte(c.PSK)
	}
	if c.ID != "" {
		cfg.ID = ipsec.ParseIdentity(c.ID)
	}
	if c.Cert != "" {
		creds, err := ipsec.LoadCredentials(c.Cert, c.Key, c.CA)
		if err != nil {
			return fmt.Errorf("client %s: %w", c.Name, err)
		}
		// Sign with RFC 7427 where the DVIPA announced it, the key's
		// classic method otherwise; accept the DVIPA's certificate.
		cfg.Credentials = creds
		cfg.Peers[0].AuthMe, cfg.Peers[0].CertAuth = wire.AuthDigitalSig, true
	}
	for _, o := range []struct {
		text  string
		ike   bool
		suite *[]ikesa.Suite
	}{{c.IKE, true, &cfg.IKE}, {c.ESP, false, &cfg.ESP}} {
		if o.text == "" {
			continue
		}
		su, err := ikesa.ParseProposal(o.text, o.ike)
		if err != nil {
			return fmt.Errorf("client %s: %w", c.Name, err)
		}
		*o.suite = []ikesa.Suite{su}
	}
	if err := cl.EnableIPsec(cfg, sx.Clock(), sx.Options().KeyLog); err != nil {
		return fmt.Errorf("client %s: %w", c.Name, err)
	}
	return nil
}

// scheduleOwnerChecks samples the owner of a DVIPA at the times the
// expectations name.
func scheduleOwnerChecks(sx *sysplex.Sysplex, r *Report, sc *scenario.Scenario) *sync.WaitGroup {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, x := range sc.Expect {
		if x.Owner == nil {
			continue
		}
		o, order := x.Owner, i
		wg.Add(1)
		sx.Clock().AfterFunc(r.Start.Add(o.At).Sub(sx.Clock().Now()), func() {
			defer wg.Done()
			got := sx.Owner(o.DVIPA)
			late := sx.Clock().Now().Sub(r.Start.Add(o.At))
			mu.Lock()
			r.Checks = append(r.Checks, Check{What: fmt.Sprintf("owner of %s at %s is %s", o.DVIPA, o.At, orNobody(o.Stack)),
				OK: got == o.Stack, Got: orNobody(got) + sampledLate(late), order: order})
			mu.Unlock()
		})
	}
	return &wg
}

func orNobody(s string) string {
	if s == "" {
		return "nobody"
	}
	return s
}

// check evaluates the expectations that are not sampled during the run.
func check(r *Report, sc *scenario.Scenario) {
	for i, x := range sc.Expect {
		before := len(r.Checks)
		switch {
		case x.MaxResets != nil, x.MaxFailed != nil, x.MaxLost != nil:
			r.Checks = append(r.Checks, r.Clients.countCheck(x))
		case x.Echoed:
			ok := r.Clients.Corrupt == 0 && r.Clients.Completed+r.Clients.Reset+r.Clients.Failed == r.Clients.Connections && r.Clients.Completed > 0
			r.Checks = append(r.Checks, Check{What: "every byte echoed intact", OK: ok,
				Got: fmt.Sprintf("%d of %d bytes verified, %d corrupt", r.Clients.BytesVerified, r.Clients.BytesSent, r.Clients.Corrupt)})
		case x.Tunnels != nil:
			r.Checks = append(r.Checks, tunnelsCheck(r, x.Tunnels))
		case x.Takeover != nil:
			got := time.Duration(-1)
			for _, ev := range r.Events {
				for _, m := range ev.Moves {
					if strings.Contains(m, "takeover "+x.Takeover.DVIPA.String()) && got < 0 {
						got = ev.Takeover
					}
				}
			}
			r.Checks = append(r.Checks, Check{What: fmt.Sprintf("takeover of %s within %s", x.Takeover.DVIPA, x.Takeover.Within),
				OK: got >= 0 && got <= x.Takeover.Within, Got: durationOrNone(got)})
		}
		for k := before; k < len(r.Checks); k++ {
			r.Checks[k].order = i
		}
	}
	sort.SliceStable(r.Checks, func(i, j int) bool { return r.Checks[i].order < r.Checks[j].order })
}

// countCheck checks a bound on lost connections and says what it counted:
// resets alone, failures alone (timed out, closed or corrupt: no reset),
// or both.
func (t ClientTotals) countCheck(x *scenario.Expectation) Check {
	switch {
	case x.MaxResets != nil:
		return Check{What: fmt.Sprintf("at most %d connections reset", *x.MaxResets),
			OK: t.Reset <= *x.MaxResets, Got: fmt.Sprintf("%d reset", t.Reset)}
	case x.MaxFailed != nil:
		got := fmt.Sprintf("%d failed", t.Failed)
		if t.Corrupt > 0 {
			got += fmt.Sprintf(", %d of them corrupt", t.Corrupt)
		}
		return Check{What: fmt.Sprintf("at most %d connections failed without a reset", *x.MaxFailed),
			OK: t.Failed <= *x.MaxFailed, Got: got}
	}
	return Check{What: fmt.Sprintf("at most %d connections lost, reset or failed", *x.MaxLost),
		OK: t.Reset+t.Failed <= *x.MaxLost, Got: fmt.Sprintf("%d reset + %d failed", t.Reset, t.Failed)}
}

func durationOrNone(d time.Duration) string {
	if d < 0 {
		return "no takeover"
	}
	return d.Round(time.Millisecond).String()
}

func (t *ClientTotals) add(r workload.Result) {
	t.Connections++
	t.BytesSent += r.Sent
	t.BytesVerified += r.Verified
	switch r.Outcome {
	case workload.Completed:
		t.Completed++
	case workload.Reset:
		t.Reset++
	case workload.Corrupt:
		t.Corrupt++
		t.Failed++
	default:
		t.Failed++
	}
}
