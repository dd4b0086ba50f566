// Package vipaaddress checks the addresses of dynamic VIPAs (DVIPA004,
// vipa-address).
//
// All addresses of one VIPADEFINE share the mask coded in front of them and
// must lie in the one subnet it describes. A DVIPA equal to the network
// address of its own subnet is reported (the broadcast address is not: IBM's
// own sysplex distributor example defines one, and the stack takes it). And a
// DVIPA must be nobody's fixed address: when it is also a HOME address
// (including a static VIPA) or a dynamic XCF address of any stack, traffic
// for it goes to the wrong stack, and the DVIPA cannot move on takeover.
//
// Fix: give each VIPADEFINE statement addresses of a single subnet, pick
// host addresses inside the subnet, and keep DVIPAs apart from HOME, static
// VIPA and XCF addresses everywhere in the sysplex.
package vipaaddress
