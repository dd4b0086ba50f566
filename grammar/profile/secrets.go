package profile

import (
	"github.com/tcpipc/tcpipc/grammar/policy"
	"github.com/tcpipc/tcpipc/grammar/source"
)

// decode decodes a file the profile parser reads and blanks any key
// material in it. A profile has no secrets of its own, but a policy file
// read as a profile (parse --kind profile, a manifest's profile: naming
// the wrong file) would otherwise show its SharedKey in the syntax tree
// and in the snippets of the many errors it causes.
func decode(name string, data []byte, enc source.Encoding) *source.File {
	f := source.Decode(name, data, enc)
	f.Text = policy.MaskSecrets(f.Text)
	return f
}
