package scenario

import (
	"net/netip"
	"time"

	"github.com/tcpipc/tcpipc/diag"
)

// Check reports what is wrong between the parts of a scenario, with no
// sysplex needed: names given twice, references to applications that do
// not exist, client addresses the LAN cannot carry, a timeline out of
// order and expectations after the run ends. The reader runs it after
// reading the file; CheckPlan checks the rest against the plan.
func (sc *Scenario) Check() diag.Diagnostics {
	var ds diag.Diagnostics
	apps := map[string]bool{}
	for _, a := range sc.Applications {
		if apps[a.Name] && a.Name != "" {
			ds.Errorf(RuleScenario, orRange(a.NameRange, a.Range), "application %s is defined twice", a.Name)
		}
		apps[a.Name] = true
	}
	for _, e := range sc.Timeline {
		if e.Kind == Stop && e.App != "" && !apps[e.App] {
			ds.Errorf(RuleScenario, orRange(e.AppRange, e.Range), "stop names application %q, which the scenario does not define", e.App)
		}
	}
	checkClients(&ds, sc.Clients)
	checkOrder(&ds, sc.Timeline)
	end := sc.End()
	for _, x := range sc.Expect {
		if x.Owner != nil && x.Owner.At > end {
			ds.Errorf(RuleScenario, orRange(x.Owner.AtRange, x.Range), "%s is after the run ends at %s (the last event plus duration)", x.Owner.At, end)
		}
	}
	return ds
}

// checkClients reports client names and addresses given twice, and
// addresses a client on the LAN cannot have: the LAN carries IPv4, and a
// client is one unicast host.
func checkClients(ds *diag.Diagnostics, cs []*Client) {
	names := map[string]bool{}
	addrs := map[netip.Addr]string{}
	for _, c := range cs {
		if names[c.Name] && c.Name != "" {
			ds.Errorf(RuleScenario, orRange(c.NameRange, c.Range), "client %s is defined twice", c.Name)
		}
		names[c.Name] = true
		for h := range max(c.Hosts, 1) {
			a := c.HostAddr(h)
			if !a.IsValid() {
				break
			}
			r := orRange(c.FromRange, c.Range)
			switch {
			case !a.Is4():
				ds.Errorf(RuleScenario, r, "%s: the LAN is IPv4, so a client's address is an IPv4 address", hostText(c, h))
			case !a.IsGlobalUnicast() && !a.IsPrivate():
				ds.Errorf(RuleScenario, r, "%s is not a unicast address a host can have", hostText(c, h))
			case addrs[a] != "":
				ds.Errorf(RuleScenario, r, "%s is also the address of client %s", hostText(c, h), addrs[a])
			default:
				addrs[a] = c.Name
				continue
			}
			break // one diagnostic per client
		}
		if a := c.Connect.Addr(); a.IsValid() && !a.Is4() {
			ds.Errorf(RuleScenario, orRange(c.ConnectRange, c.Range), "connect %s: the LAN is IPv4, so a client connects to an IPv4 DVIPA", c.Connect)
		}
	}
}

// checkOrder reports an event listed before an earlier one: the run plays
// events in time order, so a timeline written otherwise does not read as
// it runs.
func checkOrder(ds *diag.Diagnostics, es []*Event) {
	var latest time.Duration
	for _, e := range es {
		if e.At < latest {
			ds.Errorf(RuleScenario, orRange(e.AtRange, e.Range), "the timeline goes back in time: %s after %s; list events in the order they happen", e.At, latest)
		}
		latest = max(latest, e.At)
	}
}
