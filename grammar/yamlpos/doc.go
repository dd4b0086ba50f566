// Package yamlpos reads YAML files with positions: the sysplex manifest
// (model) and the scenario files (scenario) are YAML, and every problem in
// them is a diagnostic at the key or value at fault, like a problem in a
// profile.
//
// It gives the parts both readers share: parsing with the YAML parser's
// line turned into a position, the range of a node, and walking a mapping
// with unknown keys (with a "did you mean") and keys given twice
// reported. What a value means stays with the caller.
package yamlpos
