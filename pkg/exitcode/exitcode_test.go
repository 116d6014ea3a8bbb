package exitcode

import (
	"errors"
	"fmt"
	"testing"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"success exits 0", nil, OK},
		{"a usage error exits 2", Usagef("bad flag %q", "--x"), Usage},
		{"a wrapped usage error exits 2", fmt.Errorf("load: %w", Usagef("unknown key")), Usage},
		{"any other error exits 1", errors.New("disk full"), Error},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Of(tc.err); got != tc.want {
				t.Errorf("Of(%v) = %d; want %d", tc.err, got, tc.want)
			}
		})
	}
}

func TestUsagefKeepsTheMessage(t *testing.T) {
	if got, want := Usagef("--role must be %s", "member").Error(), "--role must be member"; got != want {
		t.Errorf("Usagef(...).Error() = %q; want %q", got, want)
	}
}
