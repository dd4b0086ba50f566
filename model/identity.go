package model

import (
	"strings"

	"github.com/tcpipc/tcpipc/grammar/policy"
)

// identityOf reads a security endpoint's Identity: its type and value.
// An X500dn value is the rest of the line, blanks included, as IBM's key
// exchange sample writes it (IP Configuration Guide, "Key exchange
// policy": Identity X500dn CN=ZoneB Cert,T=IKE ServerB,OU=endicott,O=ibm,C=US);
// words are joined by one blank. The other types are one word, and
// Policy Agent ignores text after it ("General syntax rules for Policy
// Agent").
func identityOf(id *policy.Entry) (typ, val string) {
	typ = value(id, 0)
	switch {
	case len(id.Values) < 2:
		return typ, ""
	case strings.EqualFold(typ, "X500dn"):
		words := make([]string, 0, len(id.Values)-1)
		for _, v := range id.Values[1:] {
			words = append(words, v.Text)
		}
		return typ, strings.Join(words, " ")
	}
	return typ, id.Values[1].Text
}
