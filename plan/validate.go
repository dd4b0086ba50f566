package plan

import (
	"encoding"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
)

// Validate checks a plan that did not come from Compile (a file someone
// may have edited) against everything plan.schema.json says, and against
// what the schema cannot say but the displays, whatif and the runtime rely
// on: addresses and prefixes parse, port ranges are ordered, names and
// addresses are unique, and every stack or group a plan names exists.
// Each problem names the JSON path of the value, e.g.
// dvipas[3].backups[0].rank. TestValidateAgreesWithSchema derives a
// violation from every constraint of the schema and requires both to
// reject it.
func (p *Plan) Validate() error { return invalid(p.problems()) }

// problems lists every problem of the plan's values.
func (p *Plan) problems() []error {
	c := &checker{stacks: map[string]bool{}, groups: map[string]bool{}, addrs: map[netip.Addr]string{},
		xcfOwner: map[netip.Addr]string{}, groupOf: map[string]string{}}
	c.plan(p)
	return c.errs
}

// invalid joins problems into one error, nil when there are none.
func invalid(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("invalid plan: %w", errors.Join(errs...))
}

// checker collects the problems of one plan. stacks and groups are the
// names defined so far; addrs maps each address a stack configures (XCF,
// HOME, DVIPA) to the path that defines it, since one address on two
// interfaces is what makes the runtime fail with "duplicate address".
type checker struct {
	errs   []error
	stacks map[string]bool
	groups map[string]bool
	addrs  map[netip.Addr]string
	// xcfOwner is the stack of each dynamic XCF address, groupOf the
	// XCF group of each stack.
	xcfOwner map[netip.Addr]string
	groupOf  map[string]string
}

// bad records a problem; names and values come from the file, so control
// characters in them are made visible.
func (c *checker) bad(path, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s: %s", diag.Visible(path), diag.Visible(fmt.Sprintf(format, args...))))
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// The patterns of plan.schema.json.
var (
	stackNamePattern = regexp.MustCompile(`^[A-Z@#$][A-Z0-9@#$]{0,7}$`)
	releasePattern   = regexp.MustCompile(`^V[0-9]+R[0-9]+$`)
)

// oneOf checks an enumeration of the schema.
func (c *checker) oneOf(path, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	c.bad(path, "%q is not one of %s", v, strings.Join(allowed, ", "))
}

// within checks an integer range of the schema; max < min means no maximum.
func (c *checker) within(path string, v, min, max int) {
	switch {
	case v < min:
		c.bad(path, "%d is below the minimum %d", v, min)
	case max >= min && v > max:
		c.bad(path, "%d is above the maximum %d", v, max)
	}
}

const noMax = -1 << 62

func (c *checker) nonEmpty(path, v string) {
	if v == "" {
		c.bad(path, "must not be empty")
	}
}

func (c *checker) prefixed(path, v, prefix string) {
	if !strings.HasPrefix(v, prefix) {
		c.bad(path, "%q does not start with %s", v, prefix)
	}
}

func (c *checker) addr(path, s string) netip.Addr {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		c.bad(path, "%q is not an IP address", s)
		return netip.Addr{}
	}
	return a
}

// ip checks an address the plan holds typed: Read decoded it already
// (shape reports text that is no address), so what is left is a zone, or
// no address at all in a plan built in memory.
func (c *checker) ip(path string, a netip.Addr) netip.Addr {
	switch {
	case !a.IsValid():
		c.bad(path, "%q is not an IP address", "")
		return netip.Addr{}
	case a.Zone() != "":
		c.bad(path, "%q is not an IP address", a)
		return netip.Addr{}
	}
	return a
}

// unique records an address a stack configures and reports a second use.
func (c *checker) unique(path string, a netip.Addr) {
	if !a.IsValid() {
		return
	}
	if first, ok := c.addrs[a]; ok {
		c.bad(path, "%s is also %s", a, first)
		return
	}
	c.addrs[a] = path
}

// selector checks "*", an address, address/prefix or a range a-b, as
// ParseSelector reads them for every filter decision.
func (c *checker) selector(path, s string) {
	if _, err := ParseSelector(s); err == nil {
		return
	}
	if strings.Contains(s, "/") {
		c.bad(path, "%q is not a prefix", s)
		return
	}
	c.bad(path, "%q is not *, an address, a prefix or a range", s)
}

func (c *checker) ports(path string, r PortRange) {
	c.within(path+".from", r.From, 0, 65535)
	c.within(path+".to", r.To, 0, 65535)
	if r.From > r.To {
		c.bad(path, "port range %d-%d is empty", r.From, r.To)
	}
}

// icmp checks an ICMP type or code range: nil is any, else 0-255.
func (c *checker) icmp(path string, r *PortRange) {
	if r == nil {
		return
	}
	c.within(path+".from", r.From, 0, 255)
	c.within(path+".to", r.To, 0, 255)
	if r.From > r.To {
		c.bad(path, "range %d-%d is empty", r.From, r.To)
	}
}

// names checks a list of names: none empty, none twice.
func (c *checker) names(path string, ns []string) {
	seen := map[string]bool{}
	for i, n := range ns {
		c.nonEmpty(index(path, i), n)
		if seen[n] {
			c.bad(index(path, i), "%s is listed twice", n)
		}
		seen[n] = true
	}
}

// stackRef checks a reference to a stack; "" is no reference.
func (c *checker) stackRef(path, name string) {
	if name != "" && !c.stacks[name] {
		c.bad(path, "no stack %q in the plan", name)
	}
}

func (c *checker) plan(p *Plan) {
	if p.Version != Version {
		c.bad("version", "%q is not %s", p.Version, Version)
	}
	if p.VTAMXCFGrpID != nil {
		c.within("vtamXcfGrpId", *p.VTAMXCFGrpID, 2, 31)
	}
	c.oneOf("secrets", p.Secrets, "redacted", "included")
	c.names("cfrm", p.CFRM)
	// Stacks and groups first: the rest refers to them.
	for i, s := range p.Stacks {
		path := index("stacks", i)
		if c.stacks[s.Name] {
			c.bad(path+".name", "stack %s is listed twice", s.Name)
		}
		c.stacks[s.Name] = true
		for _, x := range s.XCF {
			c.xcfOwner[x.Addr] = s.Name
		}
	}
	for i, g := range p.Groups {
		c.group(index("groups", i), g)
	}
	for i := range p.Stacks {
		c.stack(index("stacks", i), &p.Stacks[i])
	}
	for i := range p.DVIPAs {
		c.dvipa(index("dvipas", i), &p.DVIPAs[i])
	}
}

func (c *checker) group(path string, g Group) {
	c.prefixed(path+".xcfGroup", g.XCFGroup, "EZBT")
	c.prefixed(path+".swsaStructure", g.SWSAStructure, "EZBDVIPA")
	c.prefixed(path+".sysplexPortsStructure", g.SysplexPortsStructure, "EZBEPORT")
	if c.groups[g.XCFGroup] {
		c.bad(path+".xcfGroup", "group %s is listed twice", g.XCFGroup)
	}
	c.groups[g.XCFGroup] = true
	c.names(path+".stacks", g.Stacks)
	for i, n := range g.Stacks {
		c.stackRef(index(path+".stacks", i), n)
		if other, ok := c.groupOf[n]; ok && other != g.XCFGroup {
			c.bad(index(path+".stacks", i), "%s is in group %s too: a stack joins one XCF group", n, other)
		}
		c.groupOf[n] = g.XCFGroup
	}
}

func (c *checker) stack(path string, s *Stack) {
	if !stackNamePattern.MatchString(s.Name) {
		c.bad(path+".name", "%q is not an MVS system name (1-8 of A-Z, 0-9, @, #, $, not starting with a digit)", s.Name)
	}
	if s.Release != "" && !releasePattern.MatchString(s.Release) {
		c.bad(path+".release", "%q is not a release like V2R5", s.Release)
	}
	if len(c.groups) > 0 && !c.groups[s.XCFGroup] {
		c.bad(path+".xcfGroup", "no group %q in the plan", s.XCFGroup)
	}
	for i, x := range s.XCF {
		at := index(path+".xcf", i)
		a := c.ip(at+".addr", x.Addr)
		c.unique(at+".addr", a)
		c.prefixLen(at+".prefixLen", a, x.PrefixLen)
	}
	for i, h := range s.Home {
		at := index(path+".home", i)
		c.unique(at+".addr", c.ip(at+".addr", h.Addr))
	}
	for i, r := range s.VIPARanges {
		at := index(path+".vipaRanges", i)
		if !r.Prefix.IsValid() {
			c.bad(at+".prefix", "%q is not a prefix", "")
		}
		c.oneOf(at+".moveable", string(r.Moveable), words(RangeMoveables)...)
	}
	for i, r := range s.VIPARoutes {
		c.ip(index(path+".vipaRoutes", i)+".target", r.Target)
	}
	c.spd(path+".spd", &s.SPD)
	c.ike(path+".ike", &s.IKE)
	if k := s.KeyRing; k != nil {
		c.keyRing(path+".keyRing", k)
	}
}

// keyRing checks that a key ring's files stay inside the plan's directory
// and that its certificate and CA bundle are pinned: a plan is input, and
// an edited one must not make the runtime read /etc/shadow as a key, nor
// run with credentials that compile and lint never saw.
func (c *checker) keyRing(path string, k *KeyRing) {
	for _, f := range []struct{ key, p string }{{"cert", k.Cert}, {"key", k.Key}, {"ca", k.CA}} {
		if !Confined(f.p) {
			c.bad(path+"."+f.key, "%q is not a path inside the plan's directory (relative, without ..)", f.p)
		}
	}
	for _, f := range []struct{ key, sum string }{{"fingerprint", k.Fingerprint}, {"caFingerprint", k.CAFingerprint}} {
		if !fingerprintPattern.MatchString(f.sum) {
			c.bad(path+"."+f.key, "%q is not a SHA-256 in lower-case hex", f.sum)
		}
	}
}

// Confined reports whether p, a slash-separated path, names a file below
// the directory it is relative to: not empty, not absolute (on any
// system: no leading slash or backslash, no volume), no ".." step.
func Confined(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "\\") || filepath.IsAbs(p) || filepath.VolumeName(p) != "" {
		return false
	}
	for _, step := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if step == ".." {
			return false
		}
	}
	return true
}

var fingerprintPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// prefixLen checks a prefix length against the schema and the address.
func (c *checker) prefixLen(path string, a netip.Addr, n int) {
	c.within(path, n, 0, 128)
	if a.IsValid() && n > a.BitLen() && n <= 128 {
		c.bad(path, "%d is longer than an IPv%d address", n, map[int]int{32: 4, 128: 6}[a.BitLen()])
	}
}

func (c *checker) spd(path string, s *SPD) {
	c.oneOf(path+".from", s.From, "none", "profile", "policy")
	for i := range s.Filters {
		c.filter(index(path+".filters", i), &s.Filters[i])
	}
	for i := range s.VPNActions {
		c.vpnAction(index(path+".vpnActions", i), &s.VPNActions[i])
	}
}

func (c *checker) filter(path string, f *Filter) {
	c.nonEmpty(path+".name", f.Name)
	c.within(path+".extension", f.Extension, 1, noMax)
	c.oneOf(path+".direction", string(f.Direction), words(Directions)...)
	c.oneOf(path+".action", string(f.Action), words(Actions)...)
	c.selector(path+".local", f.Local)
	c.selector(path+".remote", f.Remote)
	c.within(path+".protocol", f.Protocol, -1, 255)
	c.ports(path+".localPorts", f.LocalPorts)
	c.ports(path+".remotePorts", f.RemotePorts)
	c.icmp(path+".icmpType", f.ICMPType)
	c.icmp(path+".icmpCode", f.ICMPCode)
	if f.OSPFType != nil {
		c.within(path+".ospfType", *f.OSPFType, 0, 255)
	}
	c.oneOf(path+".routing", string(f.Routing), words(Routings)...)
	c.within(path+".secClass", f.SecClass, 0, noMax)
	for i, a := range f.AnchorFor {
		c.ip(index(path+".anchorFor", i), a)
	}
}

func (c *checker) vpnAction(path string, v *VPNAction) {
	c.within(path+".lifetimeSeconds", v.LifetimeSeconds, 0, noMax)
	if v.PFS != nil {
		c.transform(path+".pfs", v.PFS)
	}
	for i := range v.Proposals {
		c.proposal(index(path+".proposals", i), &v.Proposals[i])
	}
}

func (c *checker) proposal(path string, p *Proposal) {
	c.within(path+".number", p.Number, 1, noMax)
	c.oneOf(path+".protocol", p.Protocol, "IKE", "ESP", "AH")
	if p.Mode != "" {
		c.oneOf(path+".mode", p.Mode, "TUNNEL", "TRANSPORT")
	}
	if len(p.Transforms) == 0 {
		c.bad(path+".transforms", "a proposal needs at least one transform")
	}
	for i := range p.Transforms {
		c.transform(index(path+".transforms", i), &p.Transforms[i])
	}
	c.within(path+".lifetimeSeconds", p.LifetimeSeconds, 0, noMax)
}

func (c *checker) transform(path string, t *Transform) {
	c.oneOf(path+".type", string(t.Type), words(TransformTypes)...)
	c.within(path+".id", int(t.ID), 0, 65535)
	if t.KeyLength != 0 && t.KeyLength != 128 && t.KeyLength != 192 && t.KeyLength != 256 {
		c.bad(path+".keyLength", "%d is not 128, 192 or 256", t.KeyLength)
	}
}

func (c *checker) ike(path string, k *IKE) {
	c.within(path+".livenessSeconds", k.LivenessSeconds, 0, noMax)
	for i := range k.Peers {
		at := index(path+".peers", i)
		p := &k.Peers[i]
		c.nonEmpty(at+".rule", p.Rule) // the runtime keys peers by it
		c.oneOf(at+".version", p.Version, "IKEv1", "IKEv2")
		c.within(at+".reauthSeconds", p.ReauthSeconds, 0, noMax)
		if p.PSK != "" || p.PSKGroup != 0 {
			// a key has a group (from 1); 0 is the absent field
			c.within(at+".pskGroup", p.PSKGroup, 1, noMax)
		}
		for j, l := range p.Local.Locations {
			c.selector(index(at+".local.locations", j), l)
		}
		for j, l := range p.Remote.Locations {
			c.selector(index(at+".remote.locations", j), l)
		}
		for j := range p.Proposals {
			c.proposal(index(at+".proposals", j), &p.Proposals[j])
		}
	}
}

func (c *checker) dvipa(path string, d *DVIPA) {
	a := c.ip(path+".addr", d.Addr)
	c.unique(path+".addr", a)
	c.prefixLen(path+".prefixLen", a, d.PrefixLen)
	if d.Mask != "" {
		c.mask(path, a, d)
	}
	if len(d.IntfName) > 16 {
		c.bad(path+".intfName", "%q is longer than 16 characters", d.IntfName)
	}
	c.stackRef(path+".owner", d.Owner)
	if d.Origin != "" {
		c.oneOf(path+".origin", d.Origin, "VIPADEFINE", "VIPABACKUP")
	}
	c.names(path+".definedBy", d.DefinedBy)
	for i, n := range d.DefinedBy {
		c.stackRef(index(path+".definedBy", i), n)
	}
	c.oneOf(path+".moveable", string(d.Moveable), words(Moveables)...)
	c.backups(path+".backups", d.Backups)
	c.ownership(path, d)
	for i := range d.Distributions {
		c.distribution(index(path+".distributions", i), &d.Distributions[i])
	}
	c.stackRef(path+".distributedBy", d.DistributedBy)
	if d.DistributedBy != "" && !slices.ContainsFunc(d.Distributions, func(x Distribution) bool { return x.Stack == d.DistributedBy }) {
		c.bad(path+".distributedBy", "%s has no distribution of this DVIPA", d.DistributedBy)
	}
	c.swsa(path+".swsa", &d.SWSA)
}

// mask checks a DVIPA's mask against its address and prefix length: an
// IPv4 mask of contiguous ones for an IPv4 DVIPA, as long as prefixLen.
func (c *checker) mask(path string, a netip.Addr, d *DVIPA) {
	m := c.addr(path+".mask", d.Mask)
	if !m.IsValid() {
		return
	}
	if !m.Is4() || !a.Is4() {
		c.bad(path+".mask", "%s: only an IPv4 DVIPA has a mask", d.Mask)
		return
	}
	ones, v := 0, binary.BigEndian.Uint32(m.AsSlice())
	for ones < 32 && v&(1<<(31-ones)) != 0 {
		ones++
	}
	switch {
	case ones < 32 && v<<ones != 0:
		c.bad(path+".mask", "%s is not a mask (its one bits are not contiguous)", d.Mask)
	case ones != d.PrefixLen:
		c.bad(path+".mask", "%s is /%d, but prefixLen is %d", d.Mask, ones, d.PrefixLen)
	}
}

// ownership checks that the owner, the stacks that define the DVIPA and
// its backups agree: a VIPADEFINE DVIPA is owned by a stack that defines
// it, and no stack is both its owner and its backup (a DVIPA no stack
// defines is owned by the long-form backup that creates it, which stays
// in the chain). whatif and run follow these
// lists as they are, so an edited plan must not make them contradict
// each other.
func (c *checker) ownership(path string, d *DVIPA) {
	switch {
	case d.Origin == "VIPADEFINE" && d.Owner == "":
		c.bad(path+".owner", "a VIPADEFINE DVIPA has an owner")
	case d.Owner != "" && len(d.DefinedBy) > 0 && !slices.Contains(d.DefinedBy, d.Owner):
		c.bad(path+".owner", "%s does not define the DVIPA (definedBy %v)", d.Owner, d.DefinedBy)
	}
	if d.Origin != "VIPADEFINE" {
		return // a long-form backup that creates the DVIPA owns it and stays in the chain
	}
	for i, b := range d.Backups {
		if b.Stack == d.Owner {
			c.bad(index(path+".backups", i)+".stack", "%s is the owner", b.Stack)
		}
	}
}

// backups checks a takeover chain: a stack backs a DVIPA up once.
// backups checks the backup chain: positions 1, 2, … in list order (the
// order of takeover), ranks from highest to lowest along it.
func (c *checker) backups(path string, bs []Backup) {
	seen := map[string]string{}
	for i, b := range bs {
		at := index(path, i)
		c.within(at+".position", b.Position, 1, noMax)
		if b.Position != i+1 {
			c.bad(at+".position", "%d is not %d: positions number the backups in takeover order", b.Position, i+1)
		}
		c.within(at+".rank", b.Rank, 1, 254) // IBM: VIPABACKUP rank is 1 through 254
		if i > 0 && b.Rank > bs[i-1].Rank {
			c.bad(at+".rank", "%d is higher than the rank %d before it: the highest rank takes over first", b.Rank, bs[i-1].Rank)
		}
		c.stackRef(at+".stack", b.Stack)
		if first, ok := seen[b.Stack]; ok {
			c.bad(at+".stack", "%s is also %s", b.Stack, first)
		}
		seen[b.Stack] = at + ".stack"
	}
}

func (c *checker) distribution(path string, d *Distribution) {
	c.stackRef(path+".stack", d.Stack)
	for i, r := range d.Ports {
		c.ports(index(path+".ports", i), r)
	}
	c.oneOf(path+".method", string(d.Method), words(Methods)...)
	if d.OptLocal != nil {
		c.within(path+".optLocal", *d.OptLocal, 0, 16)
	}
	c.within(path+".timedAffinity", d.TimedAffinity, 0, noMax)
	targets := map[string]bool{}
	for i, t := range d.Targets {
		at := index(path+".targets", i)
		c.stackRef(at+".stack", t.Stack)
		c.ip(at+".xcf", t.XCF)
		if key := t.Stack + "/" + t.XCF.String(); targets[key] {
			c.bad(at, "target %s (%s) is listed twice", t.Stack, t.XCF)
		} else {
			targets[key] = true
		}
		if owner, ok := c.xcfOwner[t.XCF]; ok && t.Stack != "" && owner != t.Stack {
			c.bad(at+".xcf", "%s is the dynamic XCF address of %s, not of %s", t.XCF, owner, t.Stack)
		}
		if t.Weight != nil {
			c.within(at+".weight", *t.Weight, 0, noMax)
		}
		if t.Role != "" {
			c.oneOf(at+".role", t.Role, "PREFERRED", "BACKUP")
		}
		if t.BackupRank != nil {
			c.within(at+".backupRank", *t.BackupRank, 1, noMax)
		}
	}
}

// reasonCodes are the SWSA reason codes of plan.schema.json.
var reasonCodes = []string{"no-ipsec", "no-ipsecurity", "no-dvipsec", "no-iked", "no-key-exchange-rule",
	"anchor-mismatch", "coarse-granularity", "manual-tunnel", "no-offers", "peer-credentials", "release", "cf-structure", "xcf-group"}

func (c *checker) swsa(path string, s *SWSA) {
	if s.Eligible && len(s.Reasons) > 0 {
		c.bad(path+".reasons", "an eligible DVIPA has no reasons against SWSA")
	}
	if s.Eligible && !s.Protected {
		c.bad(path+".eligible", "a DVIPA no IPsec protects has no SAs to recover")
	}
	for i, r := range s.Reasons {
		c.oneOf(index(path+".reasons", i)+".code", r.Code, reasonCodes...)
	}
}

// shape checks a plan document's form against the Plan type, with the
// JSON path of each problem, before it is decoded: every key is a field,
// a field the writer always writes (no omitempty) is there, no value is
// null (the schema gives every value a type; encoding/json would read null
// as the zero value), and each value has its field's type.
func shape(path string, v any, t reflect.Type) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	bad := func(format string, args ...any) []error {
		return []error{fmt.Errorf("%s: %s", diag.Visible(orRoot(path)), fmt.Sprintf(format, args...))}
	}
	if v == nil {
		return bad("null is not a value here")
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return shapeText(path, v, t)
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return bad("want an object")
		}
		return shapeObject(path, obj, t)
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			return bad("want an array")
		}
		var errs []error
		for i, e := range arr {
			errs = append(errs, shape(index(path, i), e, t.Elem())...)
		}
		return errs
	case reflect.String:
		if _, ok := v.(string); !ok {
			return bad("want a string")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return bad("want true or false")
		}
	case reflect.Int:
		if n, ok := v.(json.Number); !ok || !isInt(n) {
			return bad("want an integer")
		}
	}
	return nil
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// textNames names what a typed field's text must be, for its messages.
var textNames = map[reflect.Type]string{
	reflect.TypeFor[netip.Addr]():   "an IP address",
	reflect.TypeFor[netip.Prefix](): "a prefix",
}

// shapeText checks a value the plan decodes from text (netip.Addr): a
// string its type can read.
func shapeText(path string, v any, t reflect.Type) []error {
	s, ok := v.(string)
	if !ok {
		return []error{fmt.Errorf("%s: want a string", diag.Visible(orRoot(path)))}
	}
	if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil || s == "" {
		return []error{fmt.Errorf("%s: %s", diag.Visible(orRoot(path)), diag.Visible(fmt.Sprintf("%q is not %s", s, textNames[t])))}
	}
	return nil
}

// shapeObject checks an object's keys against a struct's fields.
func shapeObject(path string, obj map[string]any, t reflect.Type) []error {
	var errs []error
	fields := map[string]bool{}
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		fields[name] = true
		fv, present := obj[name]
		switch {
		case present:
			errs = append(errs, shape(join(path, name), fv, t.Field(i).Type)...)
		case opts != "omitempty":
			errs = append(errs, fmt.Errorf("%s: missing", diag.Visible(join(path, name))))
		}
	}
	var unknown []string
	for k := range obj {
		if !fields[k] {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		errs = append(errs, fmt.Errorf("%s: unknown key", diag.Visible(join(path, k))))
	}
	return errs
}

// isInt reports whether n is an integer that fits an int.
func isInt(n json.Number) bool {
	_, err := strconv.ParseInt(string(n), 10, 0)
	return err == nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "plan"
	}
	return path
}
