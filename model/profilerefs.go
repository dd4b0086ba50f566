package model

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/profile"
)

// RuleUndefined is the id of a reference to a device, link or interface
// that the profile never defines: the stack rejects the statement.
const RuleUndefined = "UNDEFINED"

// objectKind is the type of a profile's named object.
type objectKind uint8

const (
	kindDevice objectKind = 1 << iota
	kindLink
	kindInterface
)

func (k objectKind) String() string {
	var parts []string
	for _, n := range []struct {
		k    objectKind
		name string
	}{{kindDevice, "device"}, {kindLink, "link"}, {kindInterface, "interface"}} {
		if k&n.k != 0 {
			parts = append(parts, n.name)
		}
	}
	return strings.Join(parts, " or ")
}

// ref is a use of a name where an object of one of kinds is needed.
type ref struct {
	name  string
	kinds objectKind
	at    diag.Range
	chain []diag.Range
}

// profileRefs is the defs/refs table of one profile's devices, links and
// interfaces (DESIGN.md convention 5): statements add to it as the stack
// processes them, and undefined references come out of one place.
type profileRefs struct {
	defs map[string]objectKind
	refs []ref
	// deviceTypes holds each DEVICE's type, for its LINKs.
	deviceTypes map[string]string
	// deviceLinks holds the first LINK defined on each device.
	deviceLinks map[string]string
	// adapters holds the LINK that took each adapter number of a LAN
	// channel station device (adapterNumber).
	adapters map[lcsAdapter]string
	// defined holds where each device name, and each interface name (a
	// LINK's or an INTERFACE's: both name an interface), is defined now:
	// a DELETE takes a name out.
	defined map[definedName]definedAt
}

// definedName is a name in its namespace: devices, or interfaces.
type definedName struct {
	device bool
	name   string
}

// definedAt is the statement that defined a name.
type definedAt struct {
	keyword string
	at      diag.Range
}

// nameMaxLen is the longest DEVICE, LINK or INTERFACE name: "The maximum
// length is 16 characters" (IP Configuration Reference, the DEVICE and
// LINK and the INTERFACE statements).
const nameMaxLen = 16

// define records a DEVICE, LINK or INTERFACE name, reporting a name
// already defined in its namespace (the stack rejects the statement: a
// name is defined again only after a DELETE, or an INTERFACE … DELETE) and
// a name longer than 16 characters.
func (b *stackBuilder) define(keyword string, n *profile.Name) {
	if n == nil {
		return
	}
	r := b.prof.RangeOf(&n.Node)
	if len(n.Text) > nameMaxLen && !strings.Contains(n.Text, "&") {
		d := b.errorf(r, "%s name %s is longer than %d characters", keyword, n.Text, nameMaxLen)
		d.Detail = "Device, link and interface names have 1 to 16 characters; the stack rejects the statement."
	}
	key := definedName{device: keyword == "DEVICE", name: n.Text}
	if prev, ok := b.refs.defined[key]; ok {
		var d *diag.Diagnostic
		if keyword == "DEVICE" {
			d = b.errorf(r, "DEVICE %s is already defined", n.Text)
		} else {
			d = b.errorf(r, "%s %s: %s is already defined, by the %s on line %d", keyword, n.Text, n.Text, prev.keyword, prev.at.Start.Line)
		}
		d.Detail = "A name is defined once; the stack rejects the second definition. To change it, DELETE it first (INTERFACE … DELETE for an interface), or give the new one another name."
		d.Related = []diag.Related{{Range: prev.at, Message: "defined here"}}
		return
	}
	if b.refs.defined == nil {
		b.refs.defined = map[definedName]definedAt{}
	}
	b.refs.defined[key] = definedAt{keyword: keyword, at: r}
}

// undefine takes a deleted device's or interface's name out, and a
// deleted interface's home addresses with it.
func (b *stackBuilder) undefine(device bool, name string) {
	delete(b.refs.defined, definedName{device: device, name: name})
	for k, link := range b.refs.adapters { // a deleted link's adapter is free again
		if device && k.device == name || !device && link == name {
			delete(b.refs.adapters, k)
		}
	}
	if !device {
		b.s.Home = slices.DeleteFunc(b.s.Home, func(h *HomeAddr) bool { return h.Link == name })
	}
}

func (t *profileRefs) def(name string, k objectKind) {
	if t.defs == nil {
		t.defs = map[string]objectKind{}
	}
	t.defs[name] |= k
}

func (b *stackBuilder) use(n *profile.Name, k objectKind) {
	if n != nil {
		b.refs.refs = append(b.refs.refs, ref{name: n.Text, kinds: k, at: b.prof.RangeOf(&n.Node), chain: b.chain})
	}
}

func (b *stackBuilder) useOperand(o *profile.Operand, k objectKind) {
	if o != nil {
		b.refs.refs = append(b.refs.refs, ref{name: o.Text, kinds: k, at: b.prof.RangeOf(&o.Node), chain: b.chain})
	}
}

// objects records the definitions and references of one statement, and
// the home addresses an INTERFACE defines.
func (b *stackBuilder) objects(st profile.Statement) {
	switch s := st.(type) {
	case *profile.Delete:
		if (s.Object == "DEVICE" || s.Object == "LINK") && len(s.Operands) > 0 {
			b.undefine(s.Object == "DEVICE", s.Operands[0].Text)
		}
	case *profile.Device:
		b.define("DEVICE", s.Name)
		b.refs.def(s.Name.Text, kindDevice)
		if b.refs.deviceTypes == nil {
			b.refs.deviceTypes = map[string]string{}
		}
		b.refs.deviceTypes[s.Name.Text] = s.Type
	case *profile.Link:
		b.define("LINK", s.Name)
		b.refs.def(s.Name.Text, kindLink)
		dev := linkDevice(s)
		b.useOperand(dev, kindDevice)
		b.linkType(s, dev)
		b.oneLinkDevice(s, dev)
		b.adapterNumber(s, dev)
	case *profile.Interface:
		if s.Action == "DELETE" {
			b.undefine(false, s.Name.Text)
		}
		if s.Action == "DEFINE" {
			b.define("INTERFACE", s.Name)
			b.refs.def(s.Name.Text, kindInterface)
			b.interfaceHome(s) // its operands are checked by type in grammar/profile
		}
	case *profile.Home:
		for _, e := range s.Entries {
			// LOOPBACK is the stack's own link, a reserved name HOME may
			// give more loopback addresses on (IP Configuration
			// Reference, "HOME statement").
			if !strings.EqualFold(e.Link.Text, "LOOPBACK") {
				b.use(e.Link, kindLink|kindInterface)
			}
		}
	case *profile.PrimaryInterface:
		b.use(s.Link, kindLink|kindInterface)
	case *profile.StartStop:
		b.use(s.Name, kindDevice|kindInterface)
	case *profile.Routes:
		for _, r := range s.Routes {
			if r.Info().Ignored == "" {
				b.chain = r.Info().IncludedFrom
				b.use(r.Link, kindLink|kindInterface)
			}
		}
	}
}

// linkDevice is the device operand of a LINK statement: the first operand,
// after the link or adapter number of the link types that have one. IBM's
// sample profile (SEZAINST(SAMPPROF)) numbers VIRTUAL ("LINK VLINK1
// VIRTUAL 0 VDEV1"), CTC ("CTC 0 CTC1"), the LAN channel station links
// ("IBMTR 0 LCS1", "ETHERNET 1 LCS1", "FDDI 0 LCS2"), HYPERchannel ("HCH 1
// HCH1"), CLAW ("IP 0 RS6K"), the SNA and X.25 links ("SAMEHOST 1
// SNALU0"), CDLC ("CDLC 1 CDLC1") and the MPC OSA links ("OSAENET 0
// MENET1", "OSAFDDI 0 MFDDI1").
var numberedLinks = map[string]bool{"VIRTUAL": true, "CTC": true, "ETHERNET": true, "802.3": true,
	"ETHEROR802.3": true, "IBMTR": true, "FDDI": true, "HCH": true, "IP": true, "SAMEHOST": true,
	"CDLC": true, "OSAENET": true, "OSAFDDI": true}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

func linkDevice(l *profile.Link) *profile.Operand {
	ops := l.Operands
	// VIRTUAL, CTC and the LAN channel station links number the link
	// before naming the device ("LINK V1 VIRTUAL 0 VDEV", "LINK TR1 IBMTR
	// 0 LCS1").
	if numberedLinks[l.Type] && len(ops) > 0 && isNumber(ops[0].Text) {
		ops = ops[1:]
	}
	if len(ops) == 0 {
		return nil
	}
	return ops[0]
}

// interfaceHome adds the IPADDR of an INTERFACE DEFINE to the stack's home
// addresses: for an interface, IPADDR is what HOME is for a link. An IPv4
// interface has one address (with its prefix length); an IPv6 interface
// may list several. The address must be of the interface's family (the
// types ending in 6 are IPv6 interfaces: IPAQENET6, IPAQIDIO6, VIRTUAL6,
// MPCPTP6) and its prefix length no longer than the address; the stack
// rejects the statement otherwise (IP Configuration Reference, "INTERFACE
// — IPAQENET OSA-Express QDIO interfaces statement": IPADDR
// ipv4_address/num_mask_bits; its IPAQENET6 twin takes IPv6 addresses).
func (b *stackBuilder) interfaceHome(s *profile.Interface) {
	v6 := len(s.Operands) > 0 && strings.HasSuffix(s.Operands[0].Text, "6")
	for i, o := range s.Operands {
		if o.Text != "IPADDR" {
			continue
		}
		var home []*HomeAddr
		for j, a := range s.Operands[i+1:] {
			ip, ok := b.interfaceAddr(a, v6, j == 0)
			if !ok {
				break
			}
			r := b.prof.RangeOf(&a.Node)
			if b.interfaceRefused(ip, r) {
				return // the stack ignores the whole statement
			}
			home = append(home, &HomeAddr{Addr: Addr{Addr: ip, Text: a.Text, Range: r}, Link: s.Name.Text})
			if !v6 {
				break
			}
		}
		b.s.Home = append(b.s.Home, home...)
		return
	}
}

// interfaceAddr reads one IPADDR operand of an interface, with the
// stack's system symbols substituted as in any address, reporting an
// address of the other family or a prefix longer than the address. The
// first operand after IPADDR must be an address; after it, a word that is
// no address ends the list (the interface's next option).
func (b *stackBuilder) interfaceAddr(a *profile.Operand, v6, first bool) (netip.Addr, bool) {
	r := b.prof.RangeOf(&a.Node)
	subst, ok := b.substitute(a.Text, r)
	if !ok {
		return netip.Addr{}, false
	}
	text, bits, hasBits := strings.Cut(subst, "/")
	ip, err := parseProfileAddr(text)
	if err != nil {
		if first && addressShaped(a.Text) { // another word is a SYNTAX error already
			b.badInterfaceAddr(a.Text, subst, r)
		}
		return netip.Addr{}, false
	}
	family, max := "IPv4", 32
	if v6 {
		family, max = "IPv6", 128
	}
	if ip.Is6() != v6 {
		d := b.errorf(r, "%s is not an %s address: the interface is an %s interface", a.Text, family, family)
		d.Detail = "An IPv4 interface (IPAQENET, IPAQIDIO, VIRTUAL) takes an IPv4 address, an IPv6 interface (IPAQENET6, IPAQIDIO6, VIRTUAL6, MPCPTP6) IPv6 addresses; the stack rejects the statement. Define an interface of the other type for this address."
		return netip.Addr{}, false
	}
	if n, err := strconv.Atoi(bits); hasBits && (err != nil || n < 0 || n > max) {
		d := b.errorf(r, "%s is not an %s address with a prefix length: %s is not from 0 to %d", a.Text, family, bits, max)
		d.Detail = "The number after the slash is how many leading bits of the address are the subnet; the stack rejects the statement."
		return netip.Addr{}, false
	}
	return ip, true
}

// badInterfaceAddr reports an IPADDR that is no address (as written, or
// with the stack's system symbols substituted).
func (b *stackBuilder) badInterfaceAddr(written, subst string, r diag.Range) {
	var d *diag.Diagnostic
	if subst != written {
		d = b.errorf(r, "%s (%s with this stack's system symbols) is not a valid IP address", written, subst)
	} else {
		d = b.errorf(r, "%s is not a valid IP address", written)
	}
	d.Detail = "IPADDR on an INTERFACE statement takes an IP address (an IPv4 one with its prefix length); the stack rejects the statement."
}

// addressShaped reports whether an operand is written like an address
// (hex digits, dots, colons and a prefix length) or holds a system symbol:
// the profile grammar takes such a word where an address belongs.
func addressShaped(s string) bool {
	if strings.Contains(s, "&") {
		return true
	}
	if !strings.ContainsAny(s, ".:") {
		return false
	}
	return strings.Trim(s, "0123456789abcdefABCDEF.:/") == ""
}

// undefined reports every reference to an object the profile never
// defines. A profile that defines no device, link or interface at all is
// taken for a fragment (a lint input stripped down to what it is about,
// with the hardware definitions left out): its references are not checked,
// or every HOME in it would be reported.
func (b *stackBuilder) undefined() {
	if len(b.refs.defs) == 0 {
		return
	}
	for _, r := range b.refs.refs {
		if b.refs.defs[r.name]&r.kinds != 0 {
			continue
		}
		d := b.ds.Errorf(RuleUndefined, r.at, "%s %s is not defined", r.kinds, r.name)
		d.Detail = fmt.Sprintf("The profile has no %s statement that defines %s; the stack rejects the statement. Define it first, or correct the name.", definers(r.kinds), r.name)
		if k, ok := b.refs.defs[r.name]; ok {
			d.Detail = fmt.Sprintf("%s is a %s here, not a %s. ", r.name, k, r.kinds) + d.Detail
		}
		d.IncludedFrom = r.chain
	}
}

func definers(k objectKind) string {
	var out []string
	if k&kindDevice != 0 {
		out = append(out, "DEVICE")
	}
	if k&kindLink != 0 {
		out = append(out, "LINK")
	}
	if k&kindInterface != 0 {
		out = append(out, "INTERFACE … DEFINE")
	}
	return strings.Join(out, " or ")
}

// linkDevices maps the link types whose device type IBM fixes to the
// device types they run on: an OSA-Express or HiperSockets link (IPAQENET,
// IPAQIDIO, IPAQTR) on an MPCIPA device, an MPCPTP link on an MPCPTP
// device, a VIRTUAL link on a VIRTUAL device, a CTC link on a CTC device,
// the LAN channel station links on an LCS device, and (IBM's sample
// profile) HCH on HCH, IP on CLAW, CDLC on CDLC, the MPC OSA links on
// MPCOSA, ATM on ATM, and SAMEHOST on the SNA LU0, SNA LU 6.2 and X.25
// NPSI devices.
var linkDevices = map[string][]string{
	"IPAQENET": {"MPCIPA"}, "IPAQIDIO": {"MPCIPA"}, "IPAQTR": {"MPCIPA"},
	"MPCPTP": {"MPCPTP"}, "VIRTUAL": {"VIRTUAL"}, "CTC": {"CTC"},
	"ETHERNET": {"LCS"}, "802.3": {"LCS"}, "ETHEROR802.3": {"LCS"}, "IBMTR": {"LCS"}, "FDDI": {"LCS"},
	"HCH": {"HCH"}, "IP": {"CLAW"}, "CDLC": {"CDLC"}, "OSAENET": {"MPCOSA"}, "OSAFDDI": {"MPCOSA"},
	"ATM": {"ATM"}, "SAMEHOST": {"SNAIUCV", "SNALU62", "X25NPSI"},
}

// linkType reports a LINK whose device is of another type than the link
// type needs.
func (b *stackBuilder) linkType(l *profile.Link, dev *profile.Operand) {
	want, ok := linkDevices[l.Type]
	if !ok || dev == nil {
		return
	}
	got, ok := b.refs.deviceTypes[dev.Text]
	if !ok || slices.Contains(want, got) {
		return
	}
	d := b.errorf(b.prof.RangeOf(&dev.Node), "%s link %s names device %s of type %s; %s links run on %s devices", l.Type, l.Name.Text, dev.Text, got, l.Type, strings.Join(want, " or "))
	d.Detail = "The stack rejects a LINK whose type does not fit its DEVICE. Correct the device name or one of the two types."
}

// oneLinkDevice reports a second LINK on a device whose type carries one:
// a CTC device has at most one link, and the stack ignores the LINK that
// would be its second (IP Messages Volume 4, EZZ0330I, which names CTC as
// its example; the limits of the other device types are not checked).
func (b *stackBuilder) oneLinkDevice(l *profile.Link, dev *profile.Operand) {
	if dev == nil {
		return
	}
	if b.refs.deviceLinks == nil {
		b.refs.deviceLinks = map[string]string{}
	}
	first, seen := b.refs.deviceLinks[dev.Text]
	if !seen {
		b.refs.deviceLinks[dev.Text] = l.Name.Text
		return
	}
	if b.refs.deviceTypes[dev.Text] != "CTC" {
		return
	}
	d := b.errorf(b.prof.RangeOf(&dev.Node), "LINK %s: device %s already has link %s; a CTC device carries one link", l.Name.Text, dev.Text, first)
	d.Detail = "The stack ignores this LINK (EZZ0330I). Define another CTC device for a second link."
}

// lcsLinks are the LINK types of a LAN channel station (LCS) device, whose
// number is the device's adapter the link uses.
var lcsLinks = map[string]bool{"ETHERNET": true, "802.3": true, "ETHEROR802.3": true, "IBMTR": true, "FDDI": true}

// lcsAdapter is one adapter number of one device.
type lcsAdapter struct {
	device string
	number string
}

// adapterNumber reports a LINK on an LCS device that names an adapter
// number an earlier LINK of the device uses (IP Messages Volume 4,
// EZZ0620I "LINK … ON DEVICE … USES DUPLICATE ADAPTER NUMBER"). Only the
// message's title could be read, not what the stack then does, so this
// is a warning; ETHEROR802.3 is IBM's way to run both frame types on one
// adapter.
func (b *stackBuilder) adapterNumber(l *profile.Link, dev *profile.Operand) {
	if dev == nil || !lcsLinks[l.Type] || len(l.Operands) < 2 || !isNumber(l.Operands[0].Text) {
		return
	}
	key := lcsAdapter{device: dev.Text, number: l.Operands[0].Text}
	if first, dup := b.refs.adapters[key]; dup {
		d := b.ds.Warnf(RuleValue, b.prof.RangeOf(&l.Operands[0].Node), "LINK %s: adapter %s of device %s is already link %s's", l.Name.Text, key.number, dev.Text, first)
		d.Detail = "Each LINK of an LCS device uses an adapter of its own; the stack reports a duplicate adapter number (EZZ0620I). For Ethernet and 802.3 frames on one adapter, code one ETHEROR802.3 link."
		d.IncludedFrom = b.chain
		return
	}
	if b.refs.adapters == nil {
		b.refs.adapters = map[lcsAdapter]string{}
	}
	b.refs.adapters[key] = l.Name.Text
}
