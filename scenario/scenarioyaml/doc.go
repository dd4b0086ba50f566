// Package scenarioyaml reads scenario files (YAML) into scenario.Scenario
// values, through the positioned-YAML reader of grammar/yamlpos that the
// sysplex manifest uses too: every problem is a SCENARIO diagnostic at the
// key or value at fault. Client proposals are checked with the IKE
// daemon's own proposal parser (ikesa.ParseProposal).
package scenarioyaml
