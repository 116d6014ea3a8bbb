// Package exitcode is the exit-code mechanism docs and docsd share: a
// usage error exits 2, any other error 1, success 0. Each program maps
// its own further kinds (docs: 4 to 7 for the server's answers) before
// falling back on Of.
package exitcode

import (
	"errors"
	"fmt"
)

// The exit codes both programs give.
const (
	OK    = 0
	Error = 1 // any failure not more precisely coded
	Usage = 2 // a mistake in how the program was called or configured
)

// UsageError is a mistake in how the program was called or configured:
// bad flags or arguments, an unknown setting, missing input with no
// terminal. It exits Usage.
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

// Usagef returns a *UsageError with the formatted message.
func Usagef(format string, a ...any) error {
	return &UsageError{msg: fmt.Sprintf(format, a...)}
}

// IsUsage reports whether err is, or wraps, a *UsageError.
func IsUsage(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue)
}

// Of is err's exit code: OK for nil, Usage for a usage error, else Error.
func Of(err error) int {
	switch {
	case err == nil:
		return OK
	case IsUsage(err):
		return Usage
	}
	return Error
}
