package policy

import (
	"fmt"
	"strings"

	"github.com/tcpipc/tcpipc/grammar/source"
)

// Kind is which of the brace-structured files a file is.
type Kind int

const (
	// Auto guesses the kind from the statements in the file.
	Auto Kind = iota
	// PagentMain is the Policy Agent main configuration file or an image
	// file (TcpImage, IpSecConfig, CommonIpSecConfig, …).
	PagentMain
	// IPSecPolicy is an IPsec policy file (common or stack-specific).
	IPSecPolicy
	// Iked is the IKE daemon configuration file.
	Iked
)

func (k Kind) String() string {
	switch k {
	case Auto:
		return "auto"
	case PagentMain:
		return "pagent"
	case IPSecPolicy:
		return "ipsec"
	case Iked:
		return "iked"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// describe names the kind of file in messages.
func (k Kind) describe() string {
	switch k {
	case PagentMain:
		return "a Policy Agent configuration file"
	case IPSecPolicy:
		return "an IPsec policy file"
	case Iked:
		return "an iked.conf file"
	}
	return "this file"
}

// ParseKind reads the names String returns.
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return Auto, nil
	case "pagent", "pagent.conf", "image":
		return PagentMain, nil
	case "ipsec", "policy":
		return IPSecPolicy, nil
	case "iked", "iked.conf":
		return Iked, nil
	}
	return Auto, fmt.Errorf("unknown policy file kind %q (want auto, pagent, ipsec or iked)", s)
}

// Options control how a file is read.
type Options struct {
	// Encoding of the file; Auto detects EBCDIC.
	Encoding source.Encoding
	// Kind of the file; Auto guesses it from the statements present.
	Kind Kind
}
