package scenarioyaml

import (
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/grammar/yamlpos"
	"github.com/tcpipc/tcpipc/internal/ike/ikesa"
	"github.com/tcpipc/tcpipc/plan"
	"github.com/tcpipc/tcpipc/scenario"
)

var (
	topKeys    = []string{"name", "sysplex", "heartbeat", "missed", "duration", "applications", "clients", "timeline", "expect"}
	appKeys    = []string{"name", "stacks", "bind", "behaviour"}
	clientKeys = []string{"name", "from", "hosts", "connect", "connections", "bytes", "chunk", "interval", "check", "ipsec"}
	ipsecKeys  = []string{"psk", "id", "ike", "esp", "cert", "key", "ca"}
	eventKeys  = []string{"at", "fail", "recover", "leavegroup", "joingroup", "deactivate", "reactivate", "cut", "restore", "partition", "stop", "dvipa", "peer", "app"}
	expectKeys = []string{"owner", "resets", "failed", "lost", "echoed", "takeover", "tunnels"}
)

// Read parses a scenario file; problems come back as diagnostics with
// positions in the file.
func Read(path string) (*scenario.Scenario, *source.File, diag.Diagnostics) {
	var ds diag.Diagnostics
	name := filepath.ToSlash(path)
	data, err := os.ReadFile(path)
	if err != nil {
		ds.Errorf(scenario.RuleScenario, diag.Range{File: name}, "cannot read scenario: %v", err)
		return nil, nil, ds
	}
	sc, f, pds := Parse(name, data)
	return sc, f, append(ds, pds...)
}

// Parse parses scenario text. What a scenario says of itself (names given
// twice, a timeline out of order, …) is checked too (Scenario.Check).
func Parse(name string, data []byte) (*scenario.Scenario, *source.File, diag.Diagnostics) {
	var ds diag.Diagnostics
	f := source.New(name, data, source.UTF8)
	r := &reader{yamlpos.Reader{File: f, Rule: scenario.RuleScenario, Diags: &ds}}
	sc := &scenario.Scenario{XCF: plan.ScenarioXCFTiming, Duration: 2 * time.Second}
	root, ok := r.Root("scenario")
	if !ok {
		return sc, f, ds
	}
	if root == nil || root.Kind != yaml.MappingNode {
		ds.Errorf(scenario.RuleScenario, f.Range(0, 0), "a scenario is a mapping with name, applications, clients, timeline and expect")
		return sc, f, ds
	}
	r.Mapping(root, topKeys, "scenario", func(key string, _, v *yaml.Node) {
		switch key {
		case "name":
			sc.Name = r.str(v)
		case "sysplex":
			sc.Sysplex, sc.SysplexRange = r.str(v), r.Range(v)
		case "heartbeat":
			sc.XCF.Interval = r.heartbeat(v)
		case "missed":
			sc.XCF.Missed = r.positive(v)
		case "duration":
			sc.Duration = r.duration(v)
		case "applications":
			r.list(v, func(n *yaml.Node) { sc.Applications = append(sc.Applications, r.application(n)) })
		case "clients":
			r.list(v, func(n *yaml.Node) { sc.Clients = append(sc.Clients, r.client(n)) })
		case "timeline":
			r.list(v, func(n *yaml.Node) { sc.Timeline = append(sc.Timeline, r.event(n)) })
		case "expect":
			r.list(v, func(n *yaml.Node) { sc.Expect = append(sc.Expect, r.expectation(n)) })
		}
	})
	return sc, f, append(ds, sc.Check()...)
}

// reader reads the values of a scenario; problems are SCENARIO
// diagnostics at the value.
type reader struct{ yamlpos.Reader }

func (r *reader) list(n *yaml.Node, fn func(*yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		r.Errorf(n, "expected a list")
		return
	}
	for _, c := range n.Content {
		fn(c)
	}
}

func (r *reader) str(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		r.Errorf(n, "expected a single value")
		return ""
	}
	return n.Value
}

// strs reads one name or a list of names, upper case, with their ranges.
func (r *reader) strs(n *yaml.Node) ([]string, []diag.Range) {
	if n.Kind == yaml.ScalarNode {
		return []string{strings.ToUpper(n.Value)}, []diag.Range{r.Range(n)}
	}
	var out []string
	var rs []diag.Range
	r.list(n, func(c *yaml.Node) {
		out, rs = append(out, strings.ToUpper(r.str(c))), append(rs, r.Range(c))
	})
	return out, rs
}

func (r *reader) duration(n *yaml.Node) time.Duration {
	d, err := time.ParseDuration(r.str(n))
	switch {
	case err != nil || d < 0:
		r.Errorf(n, "%q is not a duration (for example 500ms, 2s, 1m)", n.Value)
		return 0
	case d > scenario.MaxTime:
		r.Errorf(n, "%s is longer than 24h, the longest a scenario may run", d)
		return 0
	}
	return d
}

func (r *reader) positive(n *yaml.Node) int {
	v, err := strconv.Atoi(r.str(n))
	if err != nil || v <= 0 {
		r.Errorf(n, "%q is not a positive number", n.Value)
		return 0
	}
	return v
}

func (r *reader) nonNegative(n *yaml.Node) int {
	v, err := strconv.Atoi(r.str(n))
	if err != nil || v < 0 {
		r.Errorf(n, "%q is not a number", n.Value)
		return 0
	}
	return v
}

func (r *reader) boolean(n *yaml.Node) bool {
	switch strings.ToLower(r.str(n)) {
	case "true", "yes":
		return true
	case "false", "no":
		return false
	}
	r.Errorf(n, "%q is not true or false", n.Value)
	return false
}

func (r *reader) addr(n *yaml.Node) netip.Addr {
	a, err := netip.ParseAddr(r.str(n))
	if err != nil {
		r.Errorf(n, "%q is not an IP address", n.Value)
	}
	return a
}

func (r *reader) addrPort(n *yaml.Node) netip.AddrPort {
	ap, err := netip.ParseAddrPort(r.str(n))
	if err != nil {
		r.Errorf(n, "%q is not address:port (for example 201.2.10.11:60)", n.Value)
	}
	return ap
}

func (r *reader) application(n *yaml.Node) *scenario.Application {
	a := &scenario.Application{Behaviour: scenario.Echo, Range: r.Range(n)}
	r.Mapping(n, appKeys, "application", func(key string, _, v *yaml.Node) {
		switch key {
		case "name":
			a.Name, a.NameRange = r.str(v), r.Range(v)
		case "stacks":
			a.Stacks, a.StackRanges = r.strs(v)
		case "bind":
			a.Bind = r.addrPort(v)
		case "behaviour":
			a.Behaviour = scenario.Behaviour(strings.ToLower(r.str(v)))
			if a.Behaviour != scenario.Echo && a.Behaviour != scenario.Sink && a.Behaviour != scenario.Source {
				r.Errorf(v, "behaviour %q is not echo, sink or source", v.Value)
			}
		}
	})
	if a.Name == "" || len(a.Stacks) == 0 || !a.Bind.IsValid() {
		r.Diags.Errorf(scenario.RuleScenario, a.Range, "an application needs name, stacks and bind")
	}
	return a
}

func (r *reader) client(n *yaml.Node) *scenario.Client {
	c := &scenario.Client{Hosts: 1, Connections: 1, Bytes: 1024, Chunk: 512, Check: true, Range: r.Range(n)}
	r.Mapping(n, clientKeys, "client", func(key string, _, v *yaml.Node) {
		switch key {
		case "name":
			c.Name, c.NameRange = r.str(v), r.Range(v)
		case "from":
			c.From, c.FromRange = r.addr(v), r.Range(v)
		case "connect":
			c.Connect, c.ConnectRange = r.addrPort(v), r.Range(v)
		case "hosts":
			c.Hosts = r.positive(v)
			if c.Hosts > maxHosts {
				r.Errorf(v, "at most %d hosts per client", maxHosts)
				c.Hosts = 1
			}
		case "connections":
			c.Connections = r.positive(v)
		case "bytes":
			c.Bytes = r.nonNegative(v)
		case "chunk":
			c.Chunk = r.positive(v)
		case "interval":
			c.Interval = r.duration(v)
		case "check":
			c.Check = r.boolean(v)
		case "ipsec":
			if v.Kind == yaml.MappingNode {
				c.IPsec = true
				r.Mapping(v, ipsecKeys, "ipsec", func(key string, _, v *yaml.Node) {
					switch key {
					case "psk":
						c.PSK = r.str(v)
					case "cert":
						c.Cert = r.confinedFile(v)
					case "key":
						c.Key = r.confinedFile(v)
					case "ca":
						c.CA = r.confinedFile(v)
					case "id":
						c.ID = r.str(v)
					case "ike", "esp":
						text := r.str(v)
						if _, err := ikesa.ParseProposal(text, key == "ike"); err != nil {
							r.Errorf(v, "%v", err)
						}
						if key == "ike" {
							c.IKE = text
						} else {
							c.ESP = text
						}
					}
				})
				break
			}
			c.IPsec = r.boolean(v)
		}
	})
	if c.Name == "" || !c.From.IsValid() || !c.Connect.IsValid() {
		r.Diags.Errorf(scenario.RuleScenario, c.Range, "a client needs name, from and connect")
	}
	if (c.Cert != "" || c.Key != "" || c.CA != "") && (c.Cert == "" || c.Key == "" || c.CA == "") {
		r.Diags.Errorf(scenario.RuleScenario, c.Range, "client %s: a certificate needs all of ipsec cert, key and ca", c.Name)
	}
	return c
}

func (r *reader) event(n *yaml.Node) *scenario.Event {
	e := &scenario.Event{Range: r.Range(n)}
	r.Require(n, "a timeline event", "at")
	kinds := 0
	r.Mapping(n, eventKeys, "timeline event", func(key string, _, v *yaml.Node) {
		switch key {
		case "at":
			e.At, e.AtRange = r.duration(v), r.Range(v)
		case "dvipa":
			e.DVIPA, e.DVIPARange = r.addr(v), r.Range(v)
		case "peer":
			e.Peer, e.PeerRange = strings.ToUpper(r.str(v)), r.Range(v)
		case "app":
			e.App, e.AppRange = r.str(v), r.Range(v)
		default:
			kinds++
			e.Kind, e.Stack, e.StackRange = scenario.EventKind(key), strings.ToUpper(r.str(v)), r.Range(v)
		}
	})
	switch {
	case kinds != 1:
		r.Diags.Errorf(scenario.RuleScenario, e.Range, "a timeline event names exactly one of fail, recover, leavegroup, joingroup, deactivate, reactivate, cut, restore, partition, stop")
	case (e.Kind == scenario.Deactivate || e.Kind == scenario.Reactivate) && !e.DVIPA.IsValid():
		r.Diags.Errorf(scenario.RuleScenario, e.Range, "%s needs the dvipa", e.Kind)
	case (e.Kind == scenario.Cut || e.Kind == scenario.Restore) && e.Peer == "":
		r.Diags.Errorf(scenario.RuleScenario, e.Range, "%s needs the peer stack at the other end of the link", e.Kind)
	case e.Kind == scenario.Partition && e.Peer == "":
		r.Diags.Errorf(scenario.RuleScenario, e.Range, "partition needs the peer stack the partitioned one lost signalling with")
	case e.Kind == scenario.Stop && e.App == "":
		r.Diags.Errorf(scenario.RuleScenario, e.Range, "stop needs the app")
	}
	return e
}

func (r *reader) expectation(n *yaml.Node) *scenario.Expectation {
	x := &scenario.Expectation{Range: r.Range(n)}
	if n.Kind == yaml.MappingNode && len(n.Content) != 2 {
		// Each entry is one check; a second key would go unchecked.
		r.Errorf(n, "an expectation names exactly one of %s", strings.Join(expectKeys, ", "))
	}
	r.Mapping(n, expectKeys, "expectation", func(key string, _, v *yaml.Node) {
		switch key {
		case "owner":
			o := &scenario.OwnerAt{}
			// stack "" expects nobody to hold the DVIPA; leaving it out
			// is no such expectation.
			r.Require(v, "owner", "at", "dvipa", "stack")
			r.Mapping(v, []string{"at", "dvipa", "stack"}, "owner", func(k string, _, v *yaml.Node) {
				switch k {
				case "at":
					o.At, o.AtRange = r.duration(v), r.Range(v)
				case "dvipa":
					o.DVIPA, o.DVIPARange = r.addr(v), r.Range(v)
				case "stack":
					o.Stack, o.StackRange = strings.ToUpper(r.str(v)), r.Range(v)
				}
			})
			x.Owner = o
		case "resets":
			m := r.nonNegative(v)
			x.MaxResets = &m
		case "failed":
			m := r.nonNegative(v)
			x.MaxFailed = &m
		case "lost":
			m := r.nonNegative(v)
			x.MaxLost = &m
		case "echoed":
			x.Echoed = r.boolean(v)
		case "takeover":
			t := &scenario.TakeoverWithin{}
			r.Require(v, "takeover", "dvipa", "within")
			r.Mapping(v, []string{"dvipa", "within"}, "takeover", func(k string, _, v *yaml.Node) {
				if k == "dvipa" {
					t.DVIPA, t.DVIPARange = r.addr(v), r.Range(v)
				} else {
					t.Within = r.duration(v)
				}
			})
			x.Takeover = t
		case "tunnels":
			x.Tunnels = r.tunnels(v)
		}
	})
	return x
}

// file reads a path and makes it relative to the scenario file's
// directory, where the scenario's author wrote it from.
func (r *reader) file(n *yaml.Node) string {
	p := r.str(n)
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(filepath.FromSlash(r.File.Name)), filepath.FromSlash(p))
}

// confinedFile is file for a client's certificate, key or CA bundle,
// which must stay inside the scenario's directory, as a key ring stays
// inside the sysplex directory: a scenario is input, and a path in it
// must not make tcpipc read (and quote) any file it names. An absolute
// path, a ".." step, or a file that exists but whose real path (symbolic
// links resolved) is outside, is an error at the value and gives "".
func (r *reader) confinedFile(n *yaml.Node) string {
	p := r.str(n)
	if p == "" {
		return ""
	}
	full := r.file(n)
	inside := plan.Confined(p)
	if inside {
		dir, errDir := filepath.EvalSymlinks(filepath.Dir(full))
		root, errRoot := filepath.EvalSymlinks(filepath.Dir(filepath.FromSlash(r.File.Name)))
		if real, err := filepath.EvalSymlinks(full); err == nil {
			dir = filepath.Dir(real)
		}
		if errDir == nil && errRoot == nil {
			rel, err := filepath.Rel(root, dir)
			inside = err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
		}
	}
	if !inside {
		r.Errorf(n, "%s is outside the scenario's directory: a client's cert, key and ca must be inside it (relative, without .., no symbolic link out)", p)
		return ""
	}
	return full
}

// maxHosts bounds a client's hosts: a /22 of addresses.
const maxHosts = 1024

func (r *reader) tunnels(n *yaml.Node) *scenario.TunnelsRecovered {
	t := &scenario.TunnelsRecovered{}
	r.Mapping(n, []string{"dvipa", "recovered", "within"}, "tunnels", func(k string, _, v *yaml.Node) {
		switch k {
		case "dvipa":
			t.DVIPA, t.DVIPARange = r.addr(v), r.Range(v)
		case "recovered":
			t.Recovered = r.nonNegative(v)
		case "within":
			t.Within = r.duration(v)
		}
	})
	if !t.DVIPA.IsValid() || t.Within <= 0 {
		r.Errorf(n, "tunnels needs dvipa, recovered and within")
	}
	return t
}
