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
	if !containsKey(text) || !startsSecretLine(text) {
		return text
	}
	return maskSpans(text, lex(text, "", isSecretName, nil).Secrets)
}

// startsSecretLine reports whether a line of text starts (after blanks and
// braces) with a secret attribute name: a cheap test before lexing the
// whole text, for texts that merely mention a key.
func startsSecretLine(text []byte) bool {
	for len(text) > 0 {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		i := 0
		for i < len(line) && (isBlank(line[i]) || line[i] == '{' || line[i] == '}') {
			i++
		}
		j := i
		for j < len(line) && !isBlank(line[j]) && line[j] != '{' && line[j] != '}' {
			j++
		}
		if j-i >= len("SharedKey") && isSecretName(string(line[i:j])) {
			return true
		}
	}
	return false
}

// isSecretName reports whether word is a secret attribute of the schema.
func isSecretName(word string) bool {
	return isSecretCanonical(canonical(word))
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
