// Package policy reads the brace-structured files of the z/OS Policy Agent
// and the IKE daemon — the pagent main configuration and image files, IPsec
// policy files and iked.conf — into a syntax tree with exact source ranges.
//
// All three share one lexical shape: '#' comments, one statement or
// attribute (with its values) per line, blocks opened and closed by '{' and
// '}' on lines of their own, case-insensitive statement and attribute names
// and case-sensitive user names. A hand-written lexer turns a file into
// words, braces and line ends; a participle grammar (see Grammar) splits the
// token stream into lines and segments; a small driver matches the braces
// into blocks, recovering from unbalanced ones, and checks every entry
// against the schema of statement types (see Schema): unknown or misplaced
// attributes, blocks where none belong, missing or malformed names,
// attributes given twice.
//
// The package decides nothing about what a value means and resolves no
// reference; that is the model's job. Secret-bearing attributes such as
// SharedKey keep their text in the tree for the model, but every renderer
// and every diagnostic shows them as <redacted>. The lexer decides which
// bytes are a secret value, also when the value continues on later lines,
// and records them (Lexed.Secrets); File.Sources masks exactly those bytes
// for snippets, and MaskSecrets does the same for other languages' parsers.
package policy
