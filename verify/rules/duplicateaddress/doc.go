// Package duplicateaddress finds a fixed address that two stacks of the
// sysplex both claim (ADDR001, duplicate-address).
//
// Every stack's HOME addresses (static VIPAs included) and its dynamic XCF
// address must be its own in the whole sysplex: XCF links are set up
// between the stacks' dynamic XCF addresses, so two stacks with one address
// cannot reach each other, and a HOME address on two stacks takes
// traffic to whichever answered ARP last. The usual cause is one profile
// (or INCLUDE member) shared by several systems with an address written
// out where a system symbol such as &SYSCLONE. was meant.
//
// Fix: give each stack its own addresses, for a shared member through a
// system symbol that differs per system.
package duplicateaddress
