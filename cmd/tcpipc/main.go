// Command tcpipc compiles, verifies and runs z/OS sysplex TCP/IP and IPsec
// configuration. See the README for the subcommands.
package main

import "os"

func main() { os.Exit(Main()) }
