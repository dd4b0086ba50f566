// The tcpipc command is a thin layer of cobra commands, one file per
// subcommand; every command's work lives in the library packages (grammar,
// model, verify, compile, runtime). Main returns one of the named exit
// codes so scripts and CI can act on the result.
package main
