package token

import (
	"errors"
	"strings"
	"testing"
)

func TestNewIsWellFormedAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		s := New()
		if err := Check(s); err != nil {
			t.Fatalf("Check(%q) = %v", s, err)
		}
		if len(s) != Len || !strings.HasPrefix(s, Prefix) {
			t.Fatalf("token %q: want %d characters starting %s", s, Len, Prefix)
		}
		if seen[s] {
			t.Fatalf("token %q made twice", s)
		}
		seen[s] = true
	}
}

func TestCheckRecognisesTypos(t *testing.T) {
	s := New()
	body := []byte(s)
	// Every single-character change in the random part is caught by the
	// checksum (CRC-32 detects every single-symbol error).
	for i := len(Prefix); i < len(Prefix)+randomLen; i++ {
		typo := append([]byte(nil), body...)
		typo[i] = alphabet[(strings.IndexByte(alphabet, typo[i])+1)%len(alphabet)]
		if err := Check(string(typo)); !errors.Is(err, ErrChecksum) {
			t.Fatalf("a typo at %d: Check = %v, want ErrChecksum", i, err)
		}
	}
	for _, bad := range []string{"", s[:Len-1], s + "x", "ghp_" + s[len(Prefix):], strings.Replace(s, s[len(Prefix):len(Prefix)+1], "-", 1)} {
		if err := Check(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("Check(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestHashIsStableAndHidesTheSecret(t *testing.T) {
	s := New()
	h := Hash(s)
	if Hash(s) != h || len(h) != 64 || strings.Contains(Hash(s), s[len(Prefix):]) {
		t.Fatalf("Hash(%q) = %q", s, Hash(s))
	}
	if Hash(s) == Hash(New()) {
		t.Fatal("two tokens hash alike")
	}
}
