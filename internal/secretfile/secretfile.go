package secretfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// FileMode and DirMode are the only modes secret files and directories get.
const (
	FileMode fs.FileMode = 0o600
	DirMode  fs.FileMode = 0o700
)

// Create opens the file at path for writing key material, empty. A new
// file is created FileMode. An existing regular file is tightened to
// FileMode before it is truncated, so its old readers lose access before
// any key is written; one that cannot be tightened (another user's) is
// refused. A symbolic link or anything but a regular file at path is
// refused: the last path element is never followed (O_NOFOLLOW), so a link
// planted between the check and the open fails too.
func Create(path string) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symbolic link: key material is not written through links; name the file itself", path)
	}
	// O_NONBLOCK: a FIFO at path fails at once instead of waiting for a
	// reader (it has no effect on regular files).
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, FileMode)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("%s is a symbolic link: key material is not written through links; name the file itself", path)
		}
		return nil, err
	}
	if err := tighten(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// tighten makes an open file a private, empty regular file.
func tighten(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%v)", fi.Mode().Type())
	}
	if err := ownedByUs(fi); err != nil {
		return err
	}
	// Always: a new file may have lost bits to the umask, an old one may
	// have had more.
	if err := f.Chmod(FileMode); err != nil {
		return fmt.Errorf("cannot make it private (mode %v): %w", fi.Mode().Perm(), err)
	}
	return f.Truncate(0)
}

// WriteFile writes data to a secret file at path (see Create).
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// MkdirPrivate makes sure dir is a directory only its owner can use. A
// missing one is created DirMode (missing parents too, as os.MkdirAll
// does). An existing one must be a real directory (not a symbolic link)
// that group and others cannot use: tcpipc does not change the mode of a
// directory it did not create, it refuses and says how to fix it.
func MkdirPrivate(dir string) error {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, DirMode); err != nil {
			return err
		}
		// MkdirAll's mode passes through the umask; set it exactly.
		return os.Chmod(dir, DirMode)
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link: key material is not written through links; name the directory itself", dir)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	case fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("%s can be used by group or others (mode %v); key material needs a private directory: chmod 700 it, or name a new one", dir, fi.Mode().Perm())
	}
	if err := ownedByUs(fi); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	return nil
}

// ownedByUs refuses a file or directory another user owns: its owner can
// always chmod it back and read what we write, and root's chmod would
// succeed where another user's refusal would otherwise protect us.
func ownedByUs(fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil // no owner to check on this system
	}
	if int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("owned by uid %d, not by this user (uid %d): its owner could read the key material; remove it or name another", st.Uid, os.Geteuid())
	}
	return nil
}

// ReadPrivate reads key material from the file at path under the rules
// secret files are written by: it is opened once, without following a
// symbolic link at path (O_NOFOLLOW), and the open descriptor (not the
// path, which may change meanwhile) must be a regular file of this user
// that group and others cannot use at all.
func ReadPrivate(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("%s is a symbolic link: key material is not read through links; name the file itself", path)
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, err
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file (%v)", path, fi.Mode().Type())
	case fi.Mode().Perm()&0o077 != 0:
		return nil, fmt.Errorf("%s can be read by others (mode %v): make it private (chmod 600)", path, fi.Mode().Perm())
	}
	if err := ownedByUs(fi); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return io.ReadAll(f)
}
