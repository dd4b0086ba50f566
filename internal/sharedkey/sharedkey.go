package sharedkey

import (
	"encoding/hex"
	"errors"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Material is the key IKE uses for value written in format (ASCII, HEX
// or EBCDIC, as the policy grammar upper-cases them; empty means ASCII).
// Hex digits may start with 0x. Ebcdic text is encoded in IBM-1047, the
// code page of policy files on z/OS: tcpipc reads the files as UTF-8
// from git, so the text must be converted to give the bytes the stack
// uses. The errors never quote the key.
func Material(format, value string) ([]byte, error) {
	switch format {
	case "HEX":
		b, err := hex.DecodeString(strings.TrimPrefix(strings.ToLower(value), "0x"))
		if err != nil {
			return nil, errors.New("the hex pre-shared key is not hex")
		}
		return b, nil
	case "EBCDIC":
		b, err := charmap.CodePage1047.NewEncoder().Bytes([]byte(value))
		if err != nil {
			return nil, errors.New("the Ebcdic pre-shared key has a character IBM-1047 cannot encode")
		}
		return b, nil
	}
	return []byte(value), nil
}
