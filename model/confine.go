package model

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/profile"
)

// Rule ids of file problems: a reference that leads outside the sysplex
// directory, and a file that exists but cannot be read (an I/O error, which
// the command line reports with exit code 2).
const (
	RuleOutside = profile.RuleOutside
	RuleRead    = profile.RuleRead
)

// Root confines the files read for a sysplex to the directory the user
// named and the directories they allowed besides. A path is inside when
// its real path — every symbolic link resolved — is, so a link inside the
// directory that points out of it leads outside too. Paths are checked
// right before they are read, and the real path is what is read, opened
// without following any symbolic link (readResolved): a link swapped in
// between the check and the read cannot lead outside either.
type Root struct {
	named string   // the directory as the user named it, for messages
	dirs  []string // real, absolute paths of the allowed directories
	// betweenCheckAndRead, when set (tests), runs after a path is
	// checked and before it is read.
	betweenCheckAndRead func()
}

// NewRoot confines reads to dir and the allowed directories.
func NewRoot(dir string, allow []string) *Root {
	r := &Root{named: filepath.ToSlash(dir)}
	for _, d := range append([]string{dir}, allow...) {
		real, err := realPath(d)
		if err != nil {
			real, _ = filepath.Abs(d) // nothing under it can be read anyway
		}
		r.dirs = append(r.dirs, real)
	}
	return r
}

// NewFileRoot confines reads for a profile the user named by its path:
// to its directory, and, when the name is a symbolic link, the directory
// of the file it leads to (the user named that file).
func NewFileRoot(file string, allow []string) *Root {
	dirs := append([]string(nil), allow...)
	if real, err := filepath.EvalSymlinks(file); err == nil {
		dirs = append(dirs, filepath.Dir(real))
	}
	return NewRoot(filepath.Dir(file), dirs)
}

// OutsideError is the error for a path outside the root; it matches
// profile.ErrOutside.
type OutsideError struct {
	Path string // as referenced
	Root string // the directory the user named
}

func (e *OutsideError) Error() string {
	return fmt.Sprintf("%s is outside the sysplex directory %s", e.Path, e.Root)
}

// Is makes errors.Is(err, profile.ErrOutside) hold.
func (e *OutsideError) Is(target error) bool { return target == profile.ErrOutside }

// Resolve returns the real path of p, or an *OutsideError when that is
// outside the root, or the operating system's error when p cannot be
// resolved (a missing file resolves: reading it says it is missing).
func (r *Root) Resolve(p string) (string, error) {
	real, err := realPath(filepath.FromSlash(p))
	if err != nil {
		return "", err
	}
	for _, d := range r.dirs {
		if within(real, d) {
			return real, nil
		}
	}
	return "", &OutsideError{Path: filepath.ToSlash(p), Root: r.named}
}

// Stat is os.Stat confined to the root.
func (r *Root) Stat(p string) (fs.FileInfo, error) {
	real, err := r.Resolve(p)
	if err != nil {
		return nil, err
	}
	return os.Stat(real)
}

// ReadFile is os.ReadFile confined to the root.
func (r *Root) ReadFile(p string) ([]byte, error) {
	real, err := r.Resolve(p)
	if err != nil {
		return nil, err
	}
	if r.betweenCheckAndRead != nil {
		r.betweenCheckAndRead()
	}
	data, err := readResolved(real)
	if errors.Is(err, errLinkInPath) {
		if _, again := r.Resolve(p); again != nil {
			return nil, again // it was changed to lead outside meanwhile
		}
	}
	return data, err
}

// realPath is the absolute path of p with every symbolic link resolved.
// For a path that does not exist, the part that does is resolved and the
// rest appended, so a missing file below a link that leads outside is
// outside too.
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err == nil {
		return real, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	parent := filepath.Dir(abs)
	if parent == abs {
		return abs, nil
	}
	rp, err := realPath(parent)
	if err != nil {
		return "", err
	}
	return filepath.Join(rp, filepath.Base(abs)), nil
}

// within reports whether the real path p is dir or below it.
func within(p, dir string) bool {
	if p == dir {
		return true
	}
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(p, dir)
}

// fileProblem reports why the file p (as written: name, referenced at at)
// cannot be used, and returns false; it returns true when p is a readable
// file inside the root. what names the reference ("profile file", "IpSecConfig
// file"); of is appended to messages (" of stack MVS1"). Nothing of the
// file's content is ever part of a message.
func (r *Root) fileProblem(ds *diag.Diagnostics, p, name, what, of string, at diag.Range, missingRule string) bool {
	fi, err := r.Stat(p)
	switch {
	case err == nil && fi.IsDir():
		ds.Errorf(RuleRead, at, "cannot read %s %s%s: it is a directory", what, name, of)
	case err == nil:
		return true
	case errors.Is(err, profile.ErrOutside):
		d := ds.Errorf(RuleOutside, at, "%s %s%s is outside the sysplex directory", what, name, of)
		d.Detail = outsideDetail(r)
	case errors.Is(err, fs.ErrNotExist):
		ds.Errorf(missingRule, at, "%s %s%s does not exist", what, name, of)
	default:
		ds.Errorf(RuleRead, at, "cannot read %s %s%s: %v", what, name, of, osReason(err))
	}
	return false
}

func outsideDetail(r *Root) string {
	return "tcpipc reads only files inside the sysplex directory " + r.named +
		" (after resolving symbolic links), so that a reference cannot make it print other files. " +
		"Move the file into the directory, or allow its directory with --allow-outside DIR."
}

// osReason is the operating system's reason in err, without the path the
// message already names.
func osReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
