// Package profilegen generates large TCP/IP profiles for benchmarks: the
// profile parser's and the parse command's measure the same text.
package profilegen
