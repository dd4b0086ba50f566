// Package runtime runs a compiled plan as an embedded sysplex. Its
// subpackages: netstack (a gVisor stack per z/OS stack), link (back-pressure
// link endpoints and pcap taps), xcf (links and group membership), cf (the
// coupling facility), dvipa (ownership decisions), distributor (DPT and
// CRT), scenario (the scenario files), sysplex (all of it running), and
// ipsec (the IPsec endpoint a routing stack runs for a protected DVIPA).
package runtime
