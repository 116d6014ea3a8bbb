// Package token makes and checks the secrets of personal access tokens:
// docs_pat_ (a prefix secret scanners can match), 43 characters of
// base62 carrying 256 bits from crypto/rand, and a 6-character base62
// CRC-32 of those, so a typo or a truncated copy is recognised without a
// database read. The server stores only the secret's SHA-256 (Hash): for
// 256 random bits a fast hash is as good as a slow one.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"math/big"
	"strings"
)

// Prefix starts every token.
const Prefix = "docs_pat_"

const (
	randomLen   = 43 // 62^43 > 2^256
	checksumLen = 6  // 62^6 > 2^32
	// Len is the length of every token.
	Len = len(Prefix) + randomLen + checksumLen
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// New returns a new token.
func New() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	random := base62(new(big.Int).SetBytes(b), randomLen)
	return Prefix + random + checksum(random)
}

// ErrMalformed is returned by Check for a string that is not a token.
var ErrMalformed = errors.New("not a docs token: it should be docs_pat_ and 49 letters and digits")

// ErrChecksum is returned by Check for a token whose checksum does not
// match: a typo, or a token cut short or run into other text.
var ErrChecksum = errors.New("the token's checksum does not match: it was mistyped or copied incompletely")

// Check reports whether s is well formed, without asking the server.
func Check(s string) error {
	if len(s) != Len || !strings.HasPrefix(s, Prefix) {
		return ErrMalformed
	}
	body := s[len(Prefix):]
	for i := range len(body) {
		if strings.IndexByte(alphabet, body[i]) < 0 {
			return ErrMalformed
		}
	}
	if checksum(body[:randomLen]) != body[randomLen:] {
		return ErrChecksum
	}
	return nil
}

// Hash is what the server stores of a token: the hex SHA-256 of it.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// checksum is the CRC-32 of random in checksumLen base62 digits. It runs on
// every request that carries a token, so it needs no big.Int.
func checksum(random string) string {
	n := crc32.ChecksumIEEE([]byte(random))
	var out [checksumLen]byte
	for i := checksumLen - 1; i >= 0; i-- {
		out[i] = alphabet[n%62]
		n /= 62
	}
	return string(out[:])
}

// base62 writes n in exactly width digits, zero-padded.
func base62(n *big.Int, width int) string {
	out := make([]byte, width)
	base, rem := big.NewInt(62), new(big.Int)
	for i := width - 1; i >= 0; i-- {
		n.QuoRem(n, base, rem)
		out[i] = alphabet[rem.Int64()]
	}
	return string(out)
}
