// Package secretfile creates the files and directories tcpipc writes key
// material into (plans compiled with --include-secrets, the key log of
// run --keylog) so that only their owner can read them: files are mode
// 0600 and directories 0700 whatever the umask, a symbolic link at the
// path is refused rather than followed, an existing file is tightened
// before it is written, and an existing directory others can enter is
// refused rather than changed.
package secretfile
