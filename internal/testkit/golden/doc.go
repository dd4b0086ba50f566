// Package golden runs txtar golden tests: each archive holds input files
// under in/ and expected outputs under out/<phase>. A test computes every
// phase's output from the inputs and compares; with TCPIPC_UPDATE=1 in the
// environment it rewrites the out/ sections instead (make update).
package golden
