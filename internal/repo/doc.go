// Package repo holds repository-wide checks that belong to no single
// package: formatting, and the layering test that holds every import to
// DESIGN.md's arrows (diag ← grammar ← model ← {verify, compile} → plan ←
// {whatif, display} ← runtime ← cmd/tcpipc), transitive imports included.
package repo
