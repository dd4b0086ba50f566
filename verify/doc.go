// Package verify is the rule engine behind tcpipc lint. Rules are values in
// the style of golang.org/x/tools/go/analysis: each has a stable id, a name,
// a default severity, its documentation, the rules it needs first (shared
// indexes are rules too), and a Run function that reads the model and
// reports diagnostics with exact ranges and related ranges on other stacks.
//
// Each rule lives in its own package under verify/rules, whose doc.go is the
// rule's only documentation: the package embeds it and Rule.Doc is read from
// it, so `tcpipc explain`, the README's rule table and SARIF help all come
// from one place.
package verify
