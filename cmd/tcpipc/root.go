package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// version is tcpipc's version, reported in SARIF and by --version.
const version = "0.1.0"

// Exit codes shared by every subcommand.
const (
	ExitClean    = 0 // nothing at or above the failure threshold
	ExitFindings = 1 // findings (or errors in the input) at or above it
	ExitUsage    = 2 // bad usage, or a file that cannot be read
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// usageError reports a usage or I/O problem (exit 2).
func usageError(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// statPath turns a missing input into a usage error (exit 2).
func statPath(p string) error {
	if _, err := os.Stat(p); err != nil {
		return usageError("%v", err)
	}
	return nil
}

// findings ends a command with exit code 1 without printing anything more.
var findings = &exitError{code: ExitFindings}

// Main runs the command line in os.Args and returns the exit code.
func Main() int { return run(os.Args[1:], os.Stdout, os.Stderr) }

func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return ExitClean
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "tcpipc: %v\n", ee.err)
		}
		return ee.code
	}
	// cobra's own errors: unknown command or flag, wrong arguments.
	fmt.Fprintf(stderr, "tcpipc: %v\n", err)
	return ExitUsage
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "tcpipc",
		Short: "Compiler, verifier and local runtime for z/OS sysplex TCP/IP and IPsec configuration",
		Long: `tcpipc reads the TCP/IP profiles, Policy Agent IPsec policy and IKED
configuration of every stack of a z/OS sysplex, checks them together, and
shows what the sysplex will do.

Exit codes: 0 clean, 1 findings (or errors in the input), 2 usage or I/O error.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newParseCommand(), newModelCommand(), newLintCommand(), newRulesCommand(), newExplainCommand(),
		newCompileCommand(), newShowCommand(), newWhatifCommand(), newRunCommand(), newCtlCommand())
	for _, c := range root.Commands() {
		withUsage(c)
	}
	return root
}

// withUsage makes c's wrong-number-of-operands error carry its usage line
// and where its help is: cobra's own ("accepts 2 arg(s), received 1")
// does not say which operands are missing.
func withUsage(c *cobra.Command) {
	check := c.Args
	if check == nil {
		return
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return fmt.Errorf("%v\nusage: %s\n(%s --help says more)", err, cmd.UseLine(), cmd.CommandPath())
		}
		return nil
	}
}
