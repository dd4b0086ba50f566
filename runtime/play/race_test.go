//go:build race

package play

// raceEnabled tells tests that the race detector is on.
const raceEnabled = true
