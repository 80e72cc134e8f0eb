package tools

import (
	"errors"
	"fmt"
)

// Error is a caller-fixable problem: a bad argument, an unknown cluster, a window outside retention, a missing
// permission. Msg says what was wrong and what to send or do instead; it becomes an isError tool result.
type Error struct {
	Msg string
	Err error // optional cause, kept for errors.Is/As and logs; never shown beyond Msg
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns a caller-fixable *Error.
func Errorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// HardError marks a broken server (no credentials at all, invalid configuration): it is returned to the client
// as a JSON-RPC error instead of a tool result.
type HardError struct{ Err error }

func (e *HardError) Error() string { return e.Err.Error() }
func (e *HardError) Unwrap() error { return e.Err }

// callerFault is implemented by errors of packages that cannot import tools (e.g. timewin) when the
// caller's input caused them; their message already says what to send instead.
type callerFault interface {
	error
	CallerFault() bool
}

// Classifier recognises errors from below the tool layer (AWS SDK errors, in tools/awsclient) and returns a
// *Error (caller-fixable, with a model-facing message) or a *HardError (broken server); nil when it does not
// recognise err.
type Classifier func(err error) error

// Classify resolves err to a *Error or *HardError: an *Error or *HardError in the chain wins, then the
// classifier, then a generic *Error that keeps the text but says it was unexpected.
func Classify(err error, classify Classifier) error {
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	var he *HardError
	if errors.As(err, &he) {
		return he
	}
	var cf callerFault
	if errors.As(err, &cf) && cf.CallerFault() {
		return &Error{Msg: cf.Error(), Err: err}
	}
	if classify != nil {
		if c := classify(err); c != nil {
			return c
		}
	}
	return &Error{Msg: "unexpected error: " + err.Error(), Err: err}
}
