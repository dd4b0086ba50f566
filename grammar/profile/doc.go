// Package profile reads z/OS Communications Server TCP/IP profiles
// (PROFILE.TCPIP and the members it INCLUDEs) into a syntax tree, the way
// the stack itself reads them:
//
//   - free format: blanks, line ends and ';' comments only separate tokens,
//     and a statement simply runs on over as many lines as it needs;
//   - keywords are case-insensitive and may be shortened to IBM's minimum
//     abbreviation (VIPADEF, VIPAB, DISTM, IPCONF, SYSPLEXMON, DVIP, …);
//   - static system symbols such as &SYSCLONE. are kept as written;
//   - a statement ends where its grammar ends; the next token starts the
//     next statement;
//   - blocks (VIPADYNAMIC, IPSEC, SRCIP, AUTOLOG, BEGINROUTES, …) end at
//     their END statement; a missing END swallows the rest of the data set,
//     as it does on z/OS, and is reported at the block's opening statement;
//   - INCLUDE dsname(member) is resolved through a data-set-to-file mapping,
//     nested, with cycle detection, and every diagnostic raised inside an
//     included member carries the chain of INCLUDEs that led there.
//
// Each statement has its own participle grammar (see Grammar for the pinned
// EBNF), which is the specification, and a hand-written recursive-descent
// parser that follows it on the plain path and hands every other statement
// to participle (descent.go; tests and a fuzz target keep the two in step).
// A hand-written lexer classifies tokens and a small driver walks the
// statements, dispatches on the statement keyword, and recovers from errors
// the way IBM documents: a bad VIPADYNAMIC entry ends the processing of its
// block, a bad SRCIP entry discards the whole block, and parsing always goes
// on so that one run reports every problem.
//
// The package decides nothing about what a value means; that is model's job.
package profile
