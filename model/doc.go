// Package model is the typed, resolved sysplex that verify, compile and the
// runtime all read: stacks, dynamic VIPAs with their backup chains,
// distribution, filter rules and IKE policy, each element keeping the source
// range it came from. It is built from the grammar package's syntax trees;
// the model milestone (issue 3) fills it.
package model
