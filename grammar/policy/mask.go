package policy

import "bytes"

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
	if !containsKey(text) || (secretNameEnd(text) < 0 && isASCII(text)) {
		return text
	}
	return maskSpans(text, lex(text, "", isSecretName, nil).Secrets)
}

// secretNameEnd returns the offset just after the first secret attribute
// name of the schema in s (any case, anywhere, attached to other text or
// not), or -1. The lexer finds key material only where such a name is
// written, so a text without one needs no lexing, and a word holding one
// is treated as carrying key material. Every secret name ends in "Key"
// (TestSecretNamesEndInKey): only the bytes before a "key" are compared.
func secretNameEnd[T string | []byte](s T) int {
	for end := 3; end <= len(s); end++ {
		if s[end-1]|0x20 != 'y' || s[end-2]|0x20 != 'e' || s[end-3]|0x20 != 'k' {
			continue
		}
		for _, n := range secretNames {
			if end >= len(n) && equalFoldLetters(s[end-len(n):end], n) {
				return end
			}
		}
	}
	return -1
}

// equalFoldLetters reports whether s equals name, a word of ASCII letters,
// in any case.
func equalFoldLetters[T string | []byte](s T, name string) bool {
	for i := 0; i < len(name); i++ {
		if s[i]|0x20 != name[i]|0x20 {
			return false
		}
	}
	return true
}

// isASCII reports whether s has only ASCII bytes.
func isASCII[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isSecretName reports whether word is a secret attribute of the schema,
// or a word Unicode folds to one (secretNameIn).
func isSecretName(word string) bool {
	return isSecretCanonical(canonical(word)) || secretNameIn(word) == 0
}

// isSecretCanonical reports whether c, a schema spelling (or ""), is a
// secret attribute.
func isSecretCanonical(c string) bool {
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

// containsKey reports whether text contains "key" in any case, as every
// secret attribute name does: the fastest test that spares a file without
// secrets the lexing.
//
// A profile read as a possible policy file passes through here whole, so
// the scan jumps from one 'k' or 'K' to the next with bytes.IndexByte
// (vectorised) instead of testing every byte.
func containsKey(text []byte) bool {
	return keyAfter(text, 'k') || keyAfter(text, 'K')
}

// keyAfter reports whether some k in text (one case of the letter) is
// followed by "ey" in any case.
func keyAfter(text []byte, k byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(text[i:], k)
		if j < 0 {
			return false
		}
		i += j + 1
		if i+1 < len(text) && text[i]|0x20 == 'e' && text[i+1]|0x20 == 'y' {
			return true
		}
	}
}
