// Package grammar is the front end of tcpipc: it turns the text of the
// files a z/OS network team keeps into syntax trees with exact source
// ranges and comments, and decides nothing about what a value means.
//
// Each file kind has its own package:
//
//   - source: file decoding (UTF-8 or EBCDIC IBM-1047, LF or CRLF, fixed
//     80-byte records) and offset-to-line/column mapping;
//   - profile: the TCP/IP profile (PROFILE.TCPIP and its INCLUDEs).
//
// The grammars are written with github.com/alecthomas/participle/v2 and
// pinned: each package has a test that compares the grammar's EBNF with a
// checked-in file, so every grammar change shows up in review.
package grammar
