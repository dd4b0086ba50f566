package wire

import (
	"errors"
	"fmt"
)

// DecodeError reports a message that cannot be decoded. Notify is the error
// notification a responder sends back for it (RFC 7296 section 2.21.1).
type DecodeError struct {
	Notify NotifyType
	// Payload is the payload being decoded, or NoNextPayload for the header.
	// For UNSUPPORTED_CRITICAL_PAYLOAD it is the type that was refused.
	Payload PayloadType
	Reason  string
}

func (e *DecodeError) Error() string {
	if e.Payload == NoNextPayload {
		return fmt.Sprintf("ike: %s: %s", e.Notify, e.Reason)
	}
	return fmt.Sprintf("ike: %s in %s payload: %s", e.Notify, e.Payload, e.Reason)
}

// NotifyData is the Notification Data that goes with e.Notify: the refused
// payload type for UNSUPPORTED_CRITICAL_PAYLOAD, nothing otherwise.
func (e *DecodeError) NotifyData() []byte {
	if e.Notify == UNSUPPORTED_CRITICAL_PAYLOAD {
		return []byte{byte(e.Payload)}
	}
	return nil
}

// NotifyFor returns the error notification a responder should send for err,
// and false when err is not a decoding error.
func NotifyFor(err error) (NotifyType, []byte, bool) {
	var de *DecodeError
	if errors.As(err, &de) {
		return de.Notify, de.NotifyData(), true
	}
	return 0, nil, false
}

func syntaxErr(p PayloadType, format string, args ...any) error {
	return &DecodeError{Notify: INVALID_SYNTAX, Payload: p, Reason: fmt.Sprintf(format, args...)}
}
