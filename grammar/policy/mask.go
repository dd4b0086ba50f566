package policy

// MaskSecrets returns text with the key material of every secret-bearing
// attribute the schema knows (SharedKey, the manual-tunnel keys) replaced
// by '*', line ends kept so that positions stay valid. Other readers (the
// profile parser, when it is handed a policy file) use it so that a key
// never reaches their syntax trees or snippets. Only the schema's own
// spellings count here, not the misspellings the policy lexer also
// hides: in a file of another language a word merely ending in KEY is no
// reason to blank its line. text is returned unchanged when it holds no
// secret, and never modified.
func MaskSecrets(text []byte) []byte {
	if !containsKey(text) {
		return text // every secret attribute name contains "Key"
	}
	return maskSpans(text, lex(text, "", isSecretName).Secrets)
}

// isSecretName reports whether word is a secret attribute of the schema.
func isSecretName(word string) bool {
	c := canonical(word)
	if c == "" {
		return false
	}
	for _, n := range secretNames {
		if n == c {
			return true
		}
	}
	return false
}

// containsKey reports whether text contains "key" in any case: a fast
// test that spares files without secrets a second lexing.
func containsKey(text []byte) bool {
	for i := 0; i+2 < len(text); i++ {
		if text[i]|0x20 == 'k' && text[i+1]|0x20 == 'e' && text[i+2]|0x20 == 'y' {
			return true
		}
	}
	return false
}
