package suggest

import "testing"

func TestNearest(t *testing.T) {
	known := []string{"server", "output", "editor", "keyring_timeout"}
	tests := []struct {
		name, word, want string
	}{
		{"a dropped letter finds its key", "outpt", "output"},
		{"a swapped pair finds its key", "sevrer", "server"},
		{"a wrong separator finds its key", "keyring-timeout", "keyring_timeout"},
		{"an exact key is itself", "editor", "editor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Nearest(tt.word, known); got != tt.want {
				t.Errorf("Nearest(%q) = %q; want %q", tt.word, got, tt.want)
			}
		})
	}
	if got := Nearest("x", nil); got != "" {
		t.Errorf("Nearest(%q, nil) = %q; want \"\"", "x", got)
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"same", "same", 0},
	} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
