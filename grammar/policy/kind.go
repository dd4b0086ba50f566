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
	// ATTLS, IDS, QoS and Routing are the other policy files Policy Agent
	// reads (TTLSConfig, IDSConfig, QOSConfig, RoutingConfig and their
	// Common… forms): tcpipc knows their statements but does not model
	// them.
	ATTLS
	IDS
	QoS
	Routing
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
	case ATTLS:
		return "ttls"
	case IDS:
		return "ids"
	case QoS:
		return "qos"
	case Routing:
		return "routing"
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
	case ATTLS, IDS, QoS, Routing:
		return article(k.policyName()) + " " + k.policyName() + " policy file"
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
	case "ttls", "at-tls", "attls":
		return ATTLS, nil
	case "ids":
		return IDS, nil
	case "qos":
		return QoS, nil
	case "routing":
		return Routing, nil
	}
	return Auto, fmt.Errorf("unknown policy file kind %q (want auto, pagent, ipsec, iked, ttls, ids, qos or routing)", s)
}

// Modelled reports whether tcpipc models the kind's statements (pagent,
// IPsec policy, iked.conf); the others it only recognises.
func (k Kind) Modelled() bool { return k <= Iked }

// policyName is how IBM names the policy type of an unmodelled kind.
func (k Kind) policyName() string {
	switch k {
	case ATTLS:
		return "AT-TLS"
	case IDS:
		return "IDS"
	case QoS:
		return "QoS"
	case Routing:
		return "routing"
	}
	return k.String()
}

// Options control how a file is read.
type Options struct {
	// Encoding of the file; Auto detects EBCDIC.
	Encoding source.Encoding
	// Kind of the file; Auto guesses it from the statements present.
	Kind Kind
}
