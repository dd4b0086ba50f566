// Package schematest compiles a JSON Schema once per test binary and
// checks documents against it, for the tests of the packages that own a
// schema (plan, whatif).
package schematest
