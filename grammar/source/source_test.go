package source

import (
	"fmt"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/tcpipc/tcpipc/diag"
)

func ebcdic(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.CodePage1047.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeDetectsEBCDIC(t *testing.T) {
	raw := ebcdic(t, "IPCONFIG IPSECURITY\u0085HOME 10.1.1.1 ETH1\u0085")
	f := Decode("p", raw, Auto)
	if f.Encoding != EBCDIC {
		t.Fatalf("encoding = %v, want EBCDIC", f.Encoding)
	}
	if got, want := string(f.Text), "IPCONFIG IPSECURITY\nHOME 10.1.1.1 ETH1\n"; got != want {
		t.Fatalf("text = %q, want %q", got, want)
	}
}

func TestDecodeKeepsUTF8(t *testing.T) {
	f := Decode("p", []byte("HOME 10.1.1.1 ETH1 ; é\r\n"), Auto)
	if f.Encoding != UTF8 || f.Line(1) != "HOME 10.1.1.1 ETH1 ; é" {
		t.Fatalf("got %v %q", f.Encoding, f.Line(1))
	}
}

func TestDecodeFixedRecords(t *testing.T) {
	rec := func(s string) string { return s + string(make([]byte, 0)) + pad(80-len(s)) }
	raw := ebcdic(t, rec("IPCONFIG IPSECURITY")+rec("HOME 10.1.1.1 ETH1"))
	f := Decode("p", raw, EBCDIC)
	if f.Lines() != 3 || f.Line(2) != rec("HOME 10.1.1.1 ETH1") {
		t.Fatalf("lines=%d line2=%q", f.Lines(), f.Line(2))
	}
}

func pad(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = ' '
	}
	return string(b)
}

func TestPos(t *testing.T) {
	f := New("x", []byte("ab\ncd\r\nef"), UTF8)
	for _, c := range []struct {
		off  int
		want diag.Pos
	}{
		{0, diag.Pos{Line: 1, Column: 1, Offset: 0}},
		{2, diag.Pos{Line: 1, Column: 3, Offset: 2}},
		{3, diag.Pos{Line: 2, Column: 1, Offset: 3}},
		{7, diag.Pos{Line: 3, Column: 1, Offset: 7}},
		{99, diag.Pos{Line: 3, Column: 3, Offset: 9}},
	} {
		if got := f.Pos(c.off); got != c.want {
			t.Errorf("Pos(%d) = %+v, want %+v", c.off, got, c.want)
		}
	}
}

func TestParseEncoding(t *testing.T) {
	for in, want := range map[string]Encoding{"auto": Auto, "UTF-8": UTF8, "ibm-1047": EBCDIC, "ebcdic": EBCDIC} {
		got, err := ParseEncoding(in)
		if err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseEncoding("latin1"); err == nil {
		t.Error("ParseEncoding accepted latin1")
	}
}

// TestLineTable checks New's line table against a byte-by-byte count, on
// the edges: empty text, no final line end, blank lines, CRLF.
func TestLineTable(t *testing.T) {
	for _, text := range []string{"", "\n", "a", "a\n", "\n\nb", "a\r\nb\r\n", "x\n\n\ny\nz"} {
		f := New("f", []byte(text), UTF8)
		want := []int{0}
		for i := 0; i < len(text); i++ {
			if text[i] == '\n' {
				want = append(want, i+1)
			}
		}
		if fmt.Sprint(f.lineStarts) != fmt.Sprint(want) {
			t.Errorf("%q: line starts %v, want %v", text, f.lineStarts, want)
		}
	}
}
