// Package diag is the one shape every tcpipc phase uses to report a problem
// in the user's files: a Diagnostic with a severity, a stable rule id, a short
// summary, an optional detail with the fix, the exact source range and the
// related ranges (the other stack's conflicting line, the include chain).
//
// Diagnostics sort deterministically and render as
//
//	file:line:col: severity: summary [RULE]
//
// followed by the source line and a caret line under the range, so the
// output of a run is byte-identical on every machine.
package diag
