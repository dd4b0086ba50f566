package control

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzControlRequest: whatever a client sends, decodeRequest returns
// either the arguments of a complete JSON request read from at most
// maxControlRequest bytes, or an error; it never panics and never reads
// past the bound.
func FuzzControlRequest(f *testing.F) {
	for _, seed := range []string{`{"args":["timeline"]}`, `{"args":["fail","MVS1"]}` + "\n", `{"args":[]}`,
		`{"args":`, ``, `null`, `[1,2]`, `{"args":["a\u0000b"]} trailing`, "{\"args\":[\"x\"]}\n{\"args\":[\"y\"]}"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &countingReader{r: iotest.OneByteReader(bytes.NewReader(data))}
		args, err := decodeRequest(r)
		if r.n > maxControlRequest {
			t.Fatalf("read %d bytes, past the bound %d", r.n, maxControlRequest)
		}
		if err != nil {
			if args != nil {
				t.Fatalf("an error (%v) with arguments %q", err, args)
			}
			return
		}
		// What was decoded is what the JSON said.
		var req controlRequest
		if jerr := json.NewDecoder(bytes.NewReader(data)).Decode(&req); jerr != nil ||
			strings.Join(req.Args, "\x00") != strings.Join(args, "\x00") {
			t.Fatalf("decoded %q; encoding/json says %q (%v)", args, req.Args, jerr)
		}
	})
}

type countingReader struct {
	r interface{ Read([]byte) (int, error) }
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
