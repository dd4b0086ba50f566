//go:build !race

package sysplex

const raceDetector = false
