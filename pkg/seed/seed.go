// Package seed fills a database with the demo users and documents that the
// README's walkthrough uses: alice (admin), bob (editor) and carol (member),
// all with the password "password".
package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// Password is every demo user's password.
const Password = "password"

// User is a demo user and the documents seeded for them.
type User struct {
	Name      string
	Role      docs.Role
	Documents []Doc
}

// Doc is a demo document.
type Doc struct{ Title, Body string }

// Users are the demo users, in the order they are created, so alice's
// documents get the lowest ids.
var Users = []User{
	{"alice", docs.RoleAdmin, []Doc{
		{"Welcome to docsd", "Every route is private unless its name is on the skip list."},
		{"Admin handbook", "Admins may delete any document and change roles."},
		{"Release checklist", "1. Tag. 2. Build. 3. Announce."},
	}},
	{"bob", docs.RoleEditor, []Doc{
		{"Style guide", "Editors may edit anyone's document, and delete only their own."},
		{"Meeting notes", "Decided: 401 means who are you, 403 means no."},
	}},
	{"carol", docs.RoleMember, []Doc{
		{"Carol's ideas", "Members edit and delete only what they wrote."},
		{"Reading list", "RFC 9457, RFC 6265bis, OWASP session management."},
	}},
}

// Created is one thing Run made.
type Created struct {
	User      string
	Role      docs.Role
	Documents []int64
}

// Store is what Run needs.
type Store interface {
	docs.UserStore
	docs.DocumentStore
}

// Run creates each demo user that does not exist yet, with their
// documents. Users that already exist are left alone, documents included,
// so running it twice changes nothing.
func Run(ctx context.Context, st Store, pw *docs.Passwords, now time.Time) ([]Created, error) {
	var out []Created
	for _, su := range Users {
		if _, err := st.UserByName(ctx, su.Name); err == nil {
			continue
		} else if !docs.IsNotFound(err) {
			return out, err
		}
		hash, err := pw.Hash(Password)
		if err != nil {
			return out, err
		}
		u := &docs.User{Username: su.Name, Role: su.Role, PasswordHash: hash, CreatedAt: now.UTC()}
		if err := st.CreateUser(ctx, u); err != nil {
			return out, fmt.Errorf("seed user %s: %w", su.Name, err)
		}
		c := Created{User: u.Username, Role: u.Role}
		for _, sd := range su.Documents {
			d := &docs.Document{Title: sd.Title, Body: sd.Body, Author: docs.Author{ID: u.ID}, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
			if err := st.CreateDocument(ctx, d); err != nil {
				return out, fmt.Errorf("seed document %q: %w", sd.Title, err)
			}
			c.Documents = append(c.Documents, d.ID)
		}
		out = append(out, c)
	}
	return out, nil
}
