package compile

import (
	"github.com/tcpipc/tcpipc/internal/ike/certid"
	"github.com/tcpipc/tcpipc/model"
	"github.com/tcpipc/tcpipc/plan"
)

// keyRing puts a stack's key ring into the plan as file references, the
// certificate's fingerprint and the identities it carries; the key file
// is only named, never read here.
func (c *compiler) keyRing(s *model.Stack) *plan.KeyRing {
	k := s.KeyRing
	if k == nil {
		return nil
	}
	out := &plan.KeyRing{Name: k.Files.Name, Cert: k.Files.Cert, Key: k.Files.Key, CA: k.Files.CA,
		Fingerprint: k.Fingerprint, CAFingerprint: k.CAFingerprint, Identities: []string{}, Dir: c.dir}
	if leaf := k.Leaf(); leaf != nil {
		out.Identities = append(out.Identities, certid.Names(leaf)...)
	}
	return out
}

// certPresents reports whether the stack's key ring certificate carries
// the local identity a rule signs as.
func certPresents(s *model.Stack, local plan.Identity) bool {
	leaf := s.KeyRing.Leaf()
	if leaf == nil || local.Type == "" {
		return false
	}
	t, data, err := certid.FromPolicy(local.Type, local.Value)
	return err == nil && certid.Carries(leaf, t, data)
}
