//go:build race

package sysplex

// raceDetector is set when the tests run under the race detector, which
// slows every goroutine several times over: real-time scenarios with
// 100 ms heartbeats then see stacks miss heartbeats because the process
// stalls, not because of the scenario's events.
const raceDetector = true
