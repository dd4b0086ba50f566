// Package compile turns a model.Sysplex into the canonical, deterministic
// Plan the runtime executes, and derives takeover analysis from it. The
// compile milestone (issue 5) fills it.
package compile
