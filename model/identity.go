package model

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/encoding/charmap"

	"github.com/tcpipc/tcpipc/grammar/policy"
)

// Identity types as IBM's LocalSecurityEndpoint, RemoteSecurityEndpoint
// and RemoteIdentity statements write them (IP Configuration Reference):
// Identity IpAddr authid | KeyID Ascii|Ebcdic|Hex authid | Fqdn authid |
// UserAtFqdn authid | X500dn authid.
var (
	identityTypes = []string{"IpAddr", "KeyID", "Fqdn", "UserAtFqdn", "X500dn"}
	keyIDFormats  = []string{"Ascii", "Ebcdic", "Hex"}
)

// identityOf reads a security endpoint's Identity: its type (in the
// plan's words: IPADDR, KEYID, FQDN, USERFQDN, X500DN), a KeyID's format
// (ASCII, EBCDIC, HEX) and the value. An X500dn value is the rest of the
// line, blanks included, as IBM's key exchange sample writes it (IP
// Configuration Guide, "Key exchange policy": Identity X500dn CN=ZoneB
// Cert,T=IKE ServerB,OU=endicott,O=ibm,C=US); words are joined by one
// blank. The other values are one word, and Policy Agent ignores text
// after it ("General syntax rules for Policy Agent"). UserFqdn, which is
// not IBM's word (lint says so), reads as UserAtFqdn.
func identityOf(id *policy.Entry) (typ, format, val string) {
	typ = value(id, 0)
	if typ == "USERATFQDN" {
		typ = "USERFQDN"
	}
	switch {
	case len(id.Values) < 2:
		return typ, "", ""
	case typ == "KEYID":
		if len(id.Values) < 3 {
			return typ, value(id, 1), ""
		}
		return typ, value(id, 1), id.Values[2].Text
	case typ == "X500DN":
		words := make([]string, 0, len(id.Values)-1)
		for _, v := range id.Values[1:] {
			words = append(words, v.Text)
		}
		return typ, "", strings.Join(words, " ")
	}
	return typ, "", id.Values[1].Text
}

// KeyIDBytes is the ID_KEY_ID payload (RFC 7296 §3.5, type 11) a KeyID
// identity stands for: the text's ASCII bytes, its bytes in EBCDIC
// (IBM-1047, the policy files' code page), or the bytes the hex digits
// spell.
func KeyIDBytes(format, text string) ([]byte, error) {
	if text == "" {
		return nil, errors.New("no key ID")
	}
	switch strings.ToUpper(format) {
	case "ASCII":
		for i := 0; i < len(text); i++ {
			if text[i] < 0x20 || text[i] > 0x7e {
				return nil, fmt.Errorf("%q is not printable ASCII", text)
			}
		}
		return []byte(text), nil
	case "EBCDIC":
		b, err := charmap.CodePage1047.NewEncoder().Bytes([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("%q has characters IBM-1047 cannot write", text)
		}
		return b, nil
	case "HEX":
		b, err := hex.DecodeString(text)
		if err != nil {
			return nil, fmt.Errorf("%s is not an even number of hexadecimal digits", text)
		}
		return b, nil
	}
	return nil, fmt.Errorf("KeyID format %q is not Ascii, Ebcdic or Hex", format)
}
