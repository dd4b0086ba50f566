package profile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// includeName is the name an INCLUDE token gives, as the stack reads it: an
// MVS data set name folded to upper case like the rest of the profile, but
// a z/OS UNIX file name ("/u/…", quoted or not) as written, because z/OS
// UNIX file names are case sensitive (IBM, z/OS UNIX System Services User's
// Guide, "Case-sensitive processing": FILE1 is not the same file as file1).
func includeName(src []byte, value string, offset int) string {
	raw := RawText(src, offset)
	if strings.HasPrefix(strings.TrimLeft(raw, "'"), "/") {
		return raw
	}
	return value
}

// Resolver maps an INCLUDE data set name to a file.
type Resolver interface {
	// Resolve returns the path of the file holding dsn, as included from
	// the file at fromPath.
	Resolve(dsn, fromPath string) (string, error)
}

// DirResolver is the default mapping: a data set name with a member,
// HLQ.TCPPARMS(MEMBER), is the file MEMBER in the including profile's
// directory; a sequential data set name is a file of that name there. Map,
// when set, first maps whole data set names (without member) to
// directories, so USER.TCPPARMS(COMMON) can live in common/COMMON.
//
// Stat, when set, replaces os.Stat for the candidates: a confined file
// system passes one that refuses paths outside its directories, and an
// error matching ErrOutside ends the search with that error.
type DirResolver struct {
	Map  map[string]string
	Stat func(path string) (fs.FileInfo, error)
}

// Resolve implements Resolver. The name is joined to a directory as it is:
// a real MVS data set name has no "/" or ".." (IBM, "MVS naming
// conventions": qualifiers of 1-8 letters, digits and national characters),
// so a name that climbs out is not z/OS's; Stat, when it confines, says so.
func (r DirResolver) Resolve(dsn, fromPath string) (string, error) {
	name := strings.Trim(dsn, "'")
	if strings.HasPrefix(name, "//") {
		name = strings.Trim(strings.TrimPrefix(name, "//"), "'")
	}
	dataset, member := name, ""
	if open := strings.IndexByte(name, '('); open >= 0 {
		if !strings.HasSuffix(name, ")") || open == 0 {
			return "", fmt.Errorf("%q is not of the form dsname(member)", dsn)
		}
		dataset, member = name[:open], name[open+1:len(name)-1]
		if member == "" {
			return "", fmt.Errorf("%q has an empty member name", dsn)
		}
	}
	dir := filepath.Dir(fromPath)
	if d, ok := r.Map[strings.ToUpper(dataset)]; ok {
		dir = d
	}
	file := member
	if file == "" {
		file = dataset
	}
	stat := r.Stat
	if stat == nil {
		stat = os.Stat
	}
	// Members are upper case on z/OS; accept a lower-case copy too.
	for _, cand := range []string{file, strings.ToUpper(file), strings.ToLower(file)} {
		p := path.Join(filepath.ToSlash(dir), cand)
		_, err := stat(filepath.FromSlash(p))
		if err == nil {
			return p, nil
		}
		if errors.Is(err, ErrOutside) {
			return p, err
		}
	}
	return path.Join(filepath.ToSlash(dir), file), fmt.Errorf("no file for %s: looked for %s in %s", dsn, file, dir)
}
