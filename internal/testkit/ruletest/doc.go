// Package ruletest runs a lint rule over small sysplexes written as txtar
// archives (in/sysplex.yaml, in/<STACK>/PROFILE.TCPIP, …) and checks its
// findings against the `; want` / `# want` expectations in the inputs. An
// archive without expectations shows the rule silent on correct input.
package ruletest
