package model

import (
	"fmt"
	"hash/fnv"
	"path"
	"path/filepath"
	"strconv"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/policy"
)

// namesOf holds the names made for the statements of a stack's policy
// files that are written inline without a name.
type namesOf map[*policy.Entry]string

// of is a statement's name: its own, or the one made for it.
func (n namesOf) of(e *policy.Entry) string {
	if name := e.Name(); name != "" {
		return name
	}
	return n[e]
}

// inlineNames names every statement written inline without a name. IBM's
// Policy Agent gives such a statement a nonpersistent system name; the
// plan, displays, findings and SWSA records need one (a policy name: at
// most 32 characters, no blank or comma), the same on every stack that
// reads the file, and no two alike. The n-th statement of a kind written
// in holder h is h~inline (n = 1) or h~inline<n>, h being the holder's
// own or made name; one written in a policy statement (IpFilterPolicy,
// KeyExchangePolicy, LocalDynVpnPolicy: they have no name) is named from
// where it is written (positionName). A name some statement of the kind
// already has, or one too long, falls back to positionName or a cut
// name.
func inlineNames(files []*policy.File, t *objectTable) namesOf {
	out := namesOf{}
	for _, f := range files {
		count := map[*policy.Entry]map[string]int{}
		f.Walk(func(e, parent *policy.Entry) {
			if parent == nil || e.Block == nil || !writtenInline(parent, e) {
				return
			}
			if count[parent] == nil {
				count[parent] = map[string]int{}
			}
			count[parent][e.Keyword]++
			if e.Name() != "" {
				return
			}
			holder := out.of(parent)
			if holder == "" {
				out[e] = positionName(e.Keyword, e.KeywordRange)
				return
			}
			suffix := "inline"
			if n := count[parent][e.Keyword]; n > 1 {
				suffix += strconv.Itoa(n)
			}
			name := cutName(holder + "~" + suffix)
			if t != nil && t.find(e.Keyword, name) != nil {
				name = positionName(e.Keyword, e.KeywordRange)
			}
			out[e] = name
		})
	}
	return out
}

// writtenInline reports whether e is a statement written inline in
// parent, as the schema allows (not an attribute).
func writtenInline(parent, e *policy.Entry) bool {
	ps, ok := policy.LookupStatement(parent.Keyword)
	if !ok {
		return false
	}
	a, ok := ps.Attr(e.Keyword)
	return ok && a.Inline
}

// positionName names a statement from where it is written: its type, "~"
// and a hash of its file's name (not its path, so every stack reading the
// file names it alike however the sysplex is named on the command line)
// and its position.
func positionName(typ string, r diag.Range) string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s:%d:%d", path.Base(filepath.ToSlash(r.File)), r.Start.Line, r.Start.Column)
	return fmt.Sprintf("%s~%08x", typ, h.Sum32())
}

// cutName keeps a made name within a policy name's 32 characters: a
// longer one becomes its first 23 characters, "~" and a hash of the
// whole, so two long names that start alike stay apart.
func cutName(n string) string {
	if len(n) <= 32 {
		return n
	}
	h := fnv.New32a()
	h.Write([]byte(n))
	return fmt.Sprintf("%s~%08x", n[:23], h.Sum32())
}
