package model

import (
	"github.com/tcpipc/tcpipc/grammar/profile"
)

// What IBM took out of the profile, and from which release on: a stack at
// that release or later rejects it, an older stack (or one whose release
// the manifest does not give) still takes it.
//
// V2R2: the IP Configuration Reference of V2R2 no longer has the ATMARPSV,
// ATMLIS and ATMPVC statements nor the DEVICE and LINK statements of ATM,
// CLAW, HYPERchannel, SNALINK, X.25 and CDLC devices, which V2R1's had (and
// V2R1's health check announced their end). V2R3: "Removed support for the
// GATEWAY statement", and DEVICE and LINK for FDDI and Token Ring (LCS with
// FDDI and IBMTR links, MPCIPA with IPAQTR links, MPCOSA) are "not
// supported in z/OS V2R3" (z/OS V2R3 Communications Server new function
// summary, "Simplification").
//
// V1R9: the TN3270 server's TELNETPARMS and BEGINVTAM blocks belong to the
// Telnet server's own profile. IBM's z/OS Basic Skills ("TN3270E server
// implementation") says the server could run in the TCP/IP address space
// or, from V1R6, in its own, and that running in its own the definitions
// cannot be in the TCP/IP profile; the IP Configuration Guide of V2R1 on
// ("The TN3270E Telnet server configuration data set") knows only the
// server's own profile (its procedure's PROFILE DD). The release that
// removed the in-stack server, V1R9, could not be confirmed on a stored
// IBM page.
//
// ASSORTEDPARMS, the option block of TCP/IP for MVS, is in no IP
// Configuration Reference of V2R1 or later (V2R1's contents go from
// "ARPAGE statement" to "ATMARPSV statement"; its options are IPCONFIG's,
// TCPCONFIG's and UDPCONFIG's there). The release that dropped it could not
// be found, so V2R1 is the first release known to reject it.
var (
	v1r9, v2r1, v2r2, v2r3 = Release{1, 9}, Release{2, 1}, Release{2, 2}, Release{2, 3}

	absentStatements = map[string]Release{"ASSORTEDPARMS": v2r1}

	telnetBlocks = map[string]Release{"TELNETPARMS": v1r9, "BEGINVTAM": v1r9}

	removedStatements = map[string]Release{"ATMARPSV": v2r2, "ATMLIS": v2r2, "ATMPVC": v2r2, "GATEWAY": v2r3}
	removedDevices    = map[string]Release{"ATM": v2r2, "CLAW": v2r2, "HCH": v2r2, "SNAIUCV": v2r2, "SNALU62": v2r2,
		"X25NPSI": v2r2, "CDLC": v2r2, "MPCOSA": v2r3}
	removedLinks = map[string]Release{"FDDI": v2r3, "IBMTR": v2r3, "IPAQTR": v2r3, "OSAENET": v2r3, "OSAFDDI": v2r3}
)

// removed reports a statement, device type or link type the stack's
// release no longer has.
func (b *stackBuilder) removed(st profile.Statement) {
	rel := b.s.Release
	if !rel.Known() {
		return
	}
	r := st.Info().Range
	switch s := st.(type) {
	case *profile.Generic:
		if since, ok := telnetBlocks[s.Keyword]; ok && !rel.Before(since) {
			d := b.errorf(r, "%s belongs to the TN3270E Telnet server's own profile from %s on: a %s stack rejects it", s.Keyword, since, rel)
			d.Detail = "The TN3270E Telnet server runs in its own address space and reads TELNETPARMS and BEGINVTAM from the data set of its procedure's PROFILE DD; move the block there, or give the stack's real release in the manifest."
		}
		if since, ok := absentStatements[s.Keyword]; ok && !rel.Before(since) {
			d := b.errorf(r, "%s is in no profile of %s or later: a %s stack rejects it", s.Keyword, since, rel)
			d.Detail = "Move its options to IPCONFIG, TCPCONFIG or UDPCONFIG (NOFWD is IPCONFIG NODATAGRAMFWD, IGNOREREDIRECT is IPCONFIG IGNOREREDIRECT), or give the stack's real release in the manifest."
		}
		if since, ok := removedStatements[s.Keyword]; ok && !rel.Before(since) {
			d := b.errorf(r, "%s was removed in %s: a %s stack rejects it", s.Keyword, since, rel)
			d.Detail = "Remove the statement (BEGINROUTES replaces GATEWAY), or give the stack's real release in the manifest."
		}
	case *profile.Delete:
		if since, ok := removedStatements[s.Object]; ok && !rel.Before(since) {
			d := b.errorf(r, "DELETE %s: %s was removed in %s: a %s stack rejects it", s.Object, s.Object, since, rel)
			d.Detail = "There is no " + s.Object + " to delete on this release; remove the statement, or give the stack's real release in the manifest."
		}
	case *profile.Device:
		if since, ok := removedDevices[s.Type]; ok && !rel.Before(since) {
			d := b.errorf(r, "%s devices were removed in %s: a %s stack rejects them", s.Type, since, rel)
			d.Detail = "Move the connection to a device type the release supports (OSA-Express QDIO, HiperSockets, MPCPTP)."
		}
	case *profile.Link:
		if since, ok := removedLinks[s.Type]; ok && !rel.Before(since) {
			d := b.errorf(r, "%s links were removed in %s: a %s stack rejects them", s.Type, since, rel)
			d.Detail = "Move the connection to a link type the release supports (IPAQENET, IPAQIDIO, MPCPTP)."
		}
	}
}
