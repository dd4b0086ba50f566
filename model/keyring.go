package model

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/internal/pemfile"
)

// KeyRingFiles is one entry of a stack's manifest keyrings: the PEM files
// that stand for a RACF key ring (IkeConfig KeyRing) off the mainframe.
type KeyRingFiles struct {
	// Name is the key ring as IkeConfig KeyRing writes it (USERID/RING),
	// upper-cased as RACF keeps it.
	Name string
	// Cert holds the stack's certificate, then any intermediates; Key its
	// private key (PKCS #8, PKCS #1 or SEC 1); CA the trusted CAs.
	Cert, Key, CA string
	Range         diag.Range            // the entry's name
	Ranges        map[string]diag.Range // of cert, key and ca
}

var keyRingKeys = []string{"cert", "key", "ca"}

// keyRings reads a stack's keyrings mapping: ring name to its files.
func (r manifestReader) keyRings(s *StackEntry, v *yaml.Node) {
	if v.Kind != yaml.MappingNode {
		r.Errorf(v, "keyrings must be a mapping from key ring names (IkeConfig KeyRing) to {cert, key, ca}")
		return
	}
	s.KeyRings = map[string]*KeyRingFiles{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, files := v.Content[i], v.Content[i+1]
		name := strings.ToUpper(k.Value)
		if _, dup := s.KeyRings[name]; dup {
			r.Errorf(k, "key ring %s is given twice", name)
			continue
		}
		kr := &KeyRingFiles{Name: name, Range: r.Range(k), Ranges: map[string]diag.Range{}}
		r.Mapping(files, keyRingKeys, "key ring "+name, func(key string, _, val *yaml.Node) {
			kr.Ranges[key] = r.Range(val)
			p := r.scalar(val, key)
			switch key {
			case "cert":
				kr.Cert = p
			case "key":
				kr.Key = p
			case "ca":
				kr.CA = p
			}
		})
		for _, key := range keyRingKeys {
			if _, ok := kr.Ranges[key]; !ok {
				r.Errorf(k, "key ring %s has no %s file", name, key)
			}
		}
		s.KeyRings[name] = kr
	}
}

// KeyRing is the key ring a stack's IKE daemon uses, loaded from its
// files. The private key is read only to check that it belongs to the
// certificate and is never kept.
type KeyRing struct {
	Files *KeyRingFiles
	// Chain is the stack's certificate first, then intermediates; CAs the
	// trust anchors. Both are nil when their file could not be used.
	Chain []*x509.Certificate
	CAs   []*x509.Certificate
	// KeyMatches is set when the private key is readable and belongs to
	// Chain[0].
	KeyMatches bool
	// Fingerprint is the SHA-256 of Chain[0] in hex, "" without one;
	// CAFingerprint that of the CA bundle file as read.
	Fingerprint   string
	CAFingerprint string
	// Problems are what is wrong with the files, for lint to report.
	Problems []KeyRingProblem
}

// KeyRingProblem is one problem with a key ring's files. Text never holds
// anything read from the key file.
type KeyRingProblem struct {
	At   diag.Range
	Text string
	// Warning marks a problem that does not stop the key ring from
	// working (a key file others can read: git checks files out that way).
	Warning bool
}

// Leaf is the stack's own certificate, nil without one.
func (k *KeyRing) Leaf() *x509.Certificate {
	if k == nil || len(k.Chain) == 0 {
		return nil
	}
	return k.Chain[0]
}

// keyRingFor picks the manifest key ring a stack's IKED uses: the one
// IkeConfig KeyRing names, or the only one the manifest gives when
// iked.conf names none (IKEv2 reaches its certificates through NSS, whose
// ring tcpipc does not model). "" when none applies.
func keyRingFor(e *StackEntry, iked *Iked) string {
	if iked != nil && iked.Params["KeyRing"] != "" {
		return strings.ToUpper(iked.Params["KeyRing"])
	}
	if len(e.KeyRings) == 1 {
		for name := range e.KeyRings {
			return name
		}
	}
	return ""
}

// loadKeyRing reads the stack's key ring files, confined to the root.
func loadKeyRing(m *Manifest, e *StackEntry, iked *Iked, root *Root) *KeyRing {
	name := keyRingFor(e, iked)
	files := e.KeyRings[name]
	if files == nil {
		return nil
	}
	k := &KeyRing{Files: files}
	read := func(key, p string) []byte {
		at := files.Ranges[key]
		var ds diag.Diagnostics
		full := path.Join(m.Dir, p)
		if !root.fileProblem(&ds, full, p, key+" file", " of key ring "+name, at, RuleManifest) {
			for _, d := range ds {
				k.Problems = append(k.Problems, KeyRingProblem{At: at, Text: d.Summary})
			}
			return nil
		}
		data, err := root.ReadFile(full)
		if err != nil {
			k.Problems = append(k.Problems, KeyRingProblem{At: at, Text: fmt.Sprintf("cannot read %s file %s of key ring %s: %v", key, p, name, osReason(err))})
			return nil
		}
		return data
	}
	problem := func(key, format string, args ...any) {
		k.Problems = append(k.Problems, KeyRingProblem{At: files.Ranges[key], Text: fmt.Sprintf(format, args...)})
	}
	if data := read("cert", files.Cert); data != nil {
		certs, err := pemfile.Certificates(data)
		switch {
		case err != nil:
			problem("cert", "cert file %s of key ring %s: %v", files.Cert, name, err)
		default:
			k.Chain = certs
			sum := sha256.Sum256(certs[0].Raw)
			k.Fingerprint = hex.EncodeToString(sum[:])
		}
	}
	if data := read("ca", files.CA); data != nil {
		sum := sha256.Sum256(data)
		k.CAFingerprint = hex.EncodeToString(sum[:])
		if certs, err := pemfile.Certificates(data); err != nil {
			problem("ca", "ca file %s of key ring %s: %v", files.CA, name, err)
		} else {
			k.CAs = certs
		}
	}
	if fi, err := root.Stat(path.Join(m.Dir, files.Key)); err == nil && pemfile.TooOpen(fi.Mode()) {
		k.Problems = append(k.Problems, KeyRingProblem{At: files.Ranges["key"], Warning: true,
			Text: fmt.Sprintf("key file %s of key ring %s can be read by others (mode %v): a private key is a secret; chmod 600 it (the runtime refuses it)", files.Key, name, fi.Mode().Perm())})
	}
	if data := read("key", files.Key); data != nil {
		key, err := pemfile.PrivateKey(data)
		switch {
		case err != nil:
			problem("key", "key file %s of key ring %s: %v", files.Key, name, err)
		case k.Leaf() != nil:
			k.KeyMatches = pemfile.SamePublicKey(key.Public(), k.Leaf().PublicKey)
			if !k.KeyMatches {
				problem("key", "key file %s of key ring %s does not hold the private key of certificate %s", files.Key, name, k.Leaf().Subject)
			}
		}
	}
	return k
}

// KeyRingNames lists a stack's manifest key rings, sorted.
func (e *StackEntry) KeyRingNames() []string {
	var out []string
	for n := range e.KeyRings {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
