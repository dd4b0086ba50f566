// Package verify is the rule framework of tcpipc lint: rules are values
// with an id, a doc and a run function, one package per rule under
// verify/rules. The lint milestone (issue 4) fills it.
package verify
