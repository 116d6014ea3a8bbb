package docs

import (
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// Passwords hashes and checks passwords with bcrypt at one cost.
type Passwords struct {
	cost int
	// dummy is compared against when a login names an unknown user, so that
	// such a login takes as long as one with a wrong password.
	dummy []byte
}

// NewPasswords returns a Passwords hashing at cost (bcrypt.MinCost to
// bcrypt.MaxCost).
func NewPasswords(cost int) (*Passwords, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("bcrypt cost %d out of range %d..%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("docsd-unknown-user"), cost)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	return &Passwords{cost: cost, dummy: dummy}, nil
}

// Hash hashes pw.
func (p *Passwords) Hash(pw string) ([]byte, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), p.cost)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// Check reports whether pw is u's password. A nil u still costs one bcrypt
// comparison and returns false, so timing does not tell which users exist.
// A pw longer than MaxPasswordBytes is never right: bcrypt reads only the
// first 72 bytes, so it would match any password that starts like u's.
// It is still compared, so it takes as long as any wrong password.
func (p *Passwords) Check(u *User, pw string) bool {
	if u == nil {
		_ = bcrypt.CompareHashAndPassword(p.dummy, []byte(pw))
		return false
	}
	match := bcrypt.CompareHashAndPassword(u.PasswordHash, []byte(pw)) == nil
	return match && len(pw) <= MaxPasswordBytes
}
