// Package report renders tcpipc lint findings for machines — SARIF 2.1.0 for
// GitHub code scanning, JUnit XML, GitHub Actions workflow commands and JSON
// — and keeps baselines, so CI can adopt lint on an existing sysplex and fail
// only on findings that are new.
//
// Every output names files by diag.DisplayPath (relative, forward slashes),
// is deterministic for a given input, and shows no source text beyond the
// line a finding starts on.
//
// A finding's fingerprint (Fingerprints) is what ties it to a baseline entry
// and to SARIF partialFingerprints: a hash of the rule id, the file and the
// normalised text of the line the finding starts on, plus an occurrence
// counter. It deliberately leaves out the line number, so inserting or
// deleting unrelated lines above a finding — the usual edit to a PROFILE
// member — does not turn an accepted finding into a new one.
package report
