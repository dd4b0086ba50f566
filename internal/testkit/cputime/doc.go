// Package cputime reads the processor time the test process has used, so
// that a benchmark can report throughput per CPU-second beside its
// wall-clock figure: on a shared machine the wall clock measures the
// other programs too.
package cputime
