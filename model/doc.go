// Package model is the typed, resolved sysplex that verify, compile and the
// runtime all read. model.Load reads a sysplex directory (its sysplex.yaml
// manifest, or the <STACK>/PROFILE.TCPIP convention), parses every stack's
// files with the grammar packages and builds one Sysplex: per stack its XCF
// and home addresses, IPSECURITY/DVIPSEC/DVLOCALFLTR, default filter rules,
// source-VIPA settings and SRCIP entries, GLOBALCONFIG values and its
// VIPADYNAMIC definitions after VIPADELETE processing; across stacks every
// dynamic VIPA with its defining stacks, backups and ranks, distribution with
// DESTIP resolved to stacks, and the XCF group and coupling-facility
// structure names.
//
// Statements the stack would ignore (after a syntax error in their block,
// swallowed by an unterminated block, a second IPSEC block) do not enter the
// model. Every element keeps the source range it came from, so rules can
// point at the exact operand.
package model
