package source

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/tcpipc/tcpipc/diag"
)

// Encoding is the character set of a file on disk.
type Encoding int

const (
	// Auto detects EBCDIC from the bytes and otherwise reads UTF-8.
	Auto Encoding = iota
	UTF8
	EBCDIC
)

func (e Encoding) String() string {
	switch e {
	case Auto:
		return "auto"
	case UTF8:
		return "utf-8"
	case EBCDIC:
		return "ibm-1047"
	}
	return fmt.Sprintf("encoding(%d)", int(e))
}

// ParseEncoding reads the names accepted by --encoding.
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return Auto, nil
	case "utf-8", "utf8", "ascii":
		return UTF8, nil
	case "ebcdic", "ibm-1047", "ibm1047", "cp1047":
		return EBCDIC, nil
	}
	return Auto, fmt.Errorf("unknown encoding %q (want auto, utf-8 or ibm-1047)", s)
}

// RecordLength is the logical record length of the fixed-block data sets
// profiles live in.
const RecordLength = 80

// File is a decoded source file.
type File struct {
	// Name is the path used in diagnostics (slash-separated).
	Name string
	// Text is the decoded UTF-8 text; offsets in positions index into it.
	Text []byte
	// Encoding is what the bytes on disk turned out to be.
	Encoding Encoding
	// lineStarts holds the offset of the first byte of every line.
	lineStarts []int
}

// Decode turns raw file bytes into a File. With Auto, bytes that are not
// valid UTF-8 and look like EBCDIC text are read as IBM-1047.
func Decode(name string, data []byte, enc Encoding) *File {
	if enc == Auto {
		enc = UTF8
		if LooksEBCDIC(data) {
			enc = EBCDIC
		}
	}
	text := data
	if enc == EBCDIC {
		text = decodeEBCDIC(data)
	}
	return New(name, text, enc)
}

// New wraps already-decoded text.
func New(name string, text []byte, enc Encoding) *File {
	// The line table is sized first (bytes.Count and IndexByte are
	// vectorised): growing it by appends copied it a dozen times for a
	// large profile.
	f := &File{Name: name, Text: text, Encoding: enc}
	f.lineStarts = make([]int, 1, bytes.Count(text, []byte{'\n'})+1)
	for i := 0; ; {
		j := bytes.IndexByte(text[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		f.lineStarts = append(f.lineStarts, i)
	}
	return f
}

// LooksEBCDIC reports whether data is EBCDIC text: it is not valid UTF-8
// (EBCDIC letters 0xC1–0xE9 are never valid UTF-8 on their own) and most of
// its bytes are EBCDIC blanks, letters, digits or common punctuation.
func LooksEBCDIC(data []byte) bool {
	if len(data) == 0 || utf8.Valid(data) {
		return false
	}
	plausible := 0
	for _, c := range data {
		switch {
		case c == 0x40, // blank
			c >= 0x81 && c <= 0xA9,              // lower-case letters
			c >= 0xC1 && c <= 0xE9,              // upper-case letters
			c >= 0xF0 && c <= 0xF9,              // digits
			c == 0x15 || c == 0x25 || c == 0x0D, // NL, LF, CR
			c == 0x4B || c == 0x5E || c == 0x61 || c == 0x60 || c == 0x4D || c == 0x5D || c == 0x50 || c == 0x7A || c == 0x7E || c == 0x5C:
			plausible++
		}
	}
	return plausible*10 >= len(data)*8
}

// decodeEBCDIC converts IBM-1047 to UTF-8. EBCDIC NL (0x15, decoded as
// U+0085) becomes '\n'. A file with no line ends at all whose length is a
// multiple of 80 is a binary copy of fixed 80-byte records and is split
// into lines.
func decodeEBCDIC(data []byte) []byte {
	out, err := charmap.CodePage1047.NewDecoder().Bytes(data)
	if err != nil {
		// The 1047 table maps all 256 byte values; this cannot fail.
		out = data
	}
	out = bytes.ReplaceAll(out, []byte("\u0085"), []byte("\n"))
	if !bytes.ContainsAny(out, "\n\r") && len(data)%RecordLength == 0 && len(data) > 0 {
		var b bytes.Buffer
		for i := 0; i < len(out); {
			// Records are 80 EBCDIC bytes; count runes, not UTF-8 bytes.
			j, n := i, 0
			for j < len(out) && n < RecordLength {
				_, size := utf8.DecodeRune(out[j:])
				j += size
				n++
			}
			b.Write(out[i:j])
			b.WriteByte('\n')
			i = j
		}
		out = b.Bytes()
	}
	return out
}

// Pos returns the line and column of a byte offset.
func (f *File) Pos(offset int) diag.Pos {
	offset = max(0, min(offset, len(f.Text)))
	line := sort.Search(len(f.lineStarts), func(i int) bool { return f.lineStarts[i] > offset }) - 1
	return diag.Pos{Line: line + 1, Column: offset - f.lineStarts[line] + 1, Offset: offset}
}

// Range returns the range between two byte offsets.
func (f *File) Range(start, end int) diag.Range {
	return diag.Range{File: f.Name, Start: f.Pos(start), End: f.Pos(end)}
}

// Offset returns the byte offset of a 1-based line and byte column,
// clamped to the file.
func (f *File) Offset(line, column int) int {
	if line < 1 {
		return 0
	}
	if line > len(f.lineStarts) {
		return len(f.Text)
	}
	return min(f.lineStarts[line-1]+max(column-1, 0), len(f.Text))
}

// Lines returns how many lines the file has.
func (f *File) Lines() int { return len(f.lineStarts) }

// Line returns the text of 1-based line n without its line end.
func (f *File) Line(n int) string {
	if n < 1 || n > len(f.lineStarts) {
		return ""
	}
	start := f.lineStarts[n-1]
	end := len(f.Text)
	if n < len(f.lineStarts) {
		end = f.lineStarts[n] - 1
	}
	return strings.TrimRight(string(f.Text[start:end]), "\r")
}
