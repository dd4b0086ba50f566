package model

import (
	"strconv"
	"strings"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/profile"
)

// codedSize is a TCPCONFIG buffer size the profile codes, and where.
type codedSize struct {
	bytes int
	text  string
	at    diag.Range
}

// rcvBufOptions are the two TCPCONFIG receive buffer sizes, the default
// and the most an application may ask for: the default may not be larger
// than the most (IP Messages Volume 4, EZZ0616I).
var rcvBufOptions = [2]string{"TCPRCVBUFRSIZE", "TCPMAXRCVBUFRSIZE"}

// tcpConfig checks a TCPCONFIG statement's receive buffer sizes against
// the ones coded before them, in this statement or an earlier one: a
// TCPRCVBUFRSIZE larger than the TCPMAXRCVBUFRSIZE in effect, or a
// TCPMAXRCVBUFRSIZE smaller than the TCPRCVBUFRSIZE in effect, is ignored
// (EZZ0616I). Only sizes the profile codes are compared: the defaults
// differ between releases (TCPRCVBUFRSIZE is 64K from V2R1 on, 16K
// before), and whether the stack compares a coded size with a default
// could not be confirmed.
func (b *stackBuilder) tcpConfig(s *profile.Config) {
	for _, o := range s.Options {
		i := optionIndex(profile.OptionName("TCPCONFIG", o.Name))
		if i < 0 || len(o.Values) == 0 {
			continue
		}
		n, ok := bufferSize(o.Values[0])
		if !ok {
			continue // the grammar reports a value that is no size
		}
		cur := &codedSize{bytes: n, text: o.Values[0], at: b.prof.RangeOf(&o.Node)}
		other := b.rcvBuf[1-i]
		if other != nil && (i == 0 && n > other.bytes || i == 1 && n < other.bytes) {
			b.rcvBufIgnored(i, cur, other)
			continue
		}
		b.rcvBuf[i] = cur
	}
}

// rcvBufIgnored reports a receive buffer size the stack ignores.
func (b *stackBuilder) rcvBufIgnored(i int, cur, other *codedSize) {
	cmp := map[int]string{0: "larger", 1: "smaller"}[i]
	d := b.ds.Warnf(RuleValue, cur.at, "TCPCONFIG %s %s is %s than %s %s: the stack ignores it",
		rcvBufOptions[i], cur.text, cmp, rcvBufOptions[1-i], other.text)
	d.Detail = "The default receive buffer size cannot be larger than the most an application may ask for; the stack keeps the value it had and ignores this one (EZZ0616I). Code TCPRCVBUFRSIZE no larger than TCPMAXRCVBUFRSIZE."
	d.IncludedFrom = b.chain
	d.Related = []diag.Related{{Range: other.at, Message: rcvBufOptions[1-i] + " " + other.text + " is coded here"}}
}

func optionIndex(full string) int {
	for i, o := range rcvBufOptions {
		if o == full {
			return i
		}
	}
	return -1
}

// bufferSize reads a TCPCONFIG size: bytes, or a number of K (1024 bytes)
// or M (1024K).
func bufferSize(v string) (int, bool) {
	mult := 1
	switch {
	case strings.HasSuffix(v, "K"):
		mult, v = 1<<10, v[:len(v)-1]
	case strings.HasSuffix(v, "M"):
		mult, v = 1<<20, v[:len(v)-1]
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1<<30/mult {
		return 0, false
	}
	return n * mult, true
}
