package model

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// openat2 is unix.Openat2; tests make it fail as a kernel or sandbox
// without it does.
var openat2 = unix.Openat2

// errLinkInPath is readResolved's error for a path in which a symbolic
// link appeared after it was resolved.
var errLinkInPath = errors.New("a symbolic link appeared in the path after it was checked")

// readResolved reads the file at real, a path with every symbolic link
// resolved, refusing to follow any link met on the way (openat2 with
// RESOLVE_NO_SYMLINKS): a link swapped in after the path was checked
// fails the read instead of leading elsewhere. Unlike an os.Root of the
// directory it needs only search permission on the directories, as a
// plain open does. Kernels before 5.6 lack openat2 (ENOSYS), and some
// seccomp sandboxes refuse it (EPERM, Docker before 20.10): the file is
// then opened as before, by its checked path.
func readResolved(real string) ([]byte, error) {
	fd, err := openat2(unix.AT_FDCWD, real, &unix.OpenHow{
		Flags: unix.O_RDONLY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_NO_SYMLINKS})
	switch {
	case errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EPERM):
		return os.ReadFile(real)
	case errors.Is(err, unix.ELOOP):
		return nil, &os.PathError{Op: "open", Path: real, Err: errLinkInPath}
	case err != nil:
		return nil, &os.PathError{Op: "open", Path: real, Err: err}
	}
	f := os.NewFile(uintptr(fd), real)
	defer f.Close()
	return io.ReadAll(f)
}
