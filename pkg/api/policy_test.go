package api

import (
	"testing"

	"github.com/docsd/docs/pkg/docs"
)

func TestPolicy(t *testing.T) {
	alice := &docs.User{ID: 1, Username: "alice", Role: docs.RoleAdmin}
	bob := &docs.User{ID: 2, Username: "bob", Role: docs.RoleEditor}
	carol := &docs.User{ID: 3, Username: "carol", Role: docs.RoleMember}
	dave := &docs.User{ID: 4, Username: "dave", Role: docs.RoleMember}
	davesDoc := &docs.Document{ID: 7, Author: docs.Author{ID: dave.ID, Username: "dave"}}

	for _, tc := range []struct {
		name   string
		user   *docs.User
		action Action
		doc    *docs.Document
		want   bool
	}{
		{"member cannot edit another author's document", carol, EditDocument, davesDoc, false},
		{"member can edit their own document", dave, EditDocument, davesDoc, true},
		{"editor can edit another author's document", bob, EditDocument, davesDoc, true},
		{"admin can edit another author's document", alice, EditDocument, davesDoc, true},
		{"member cannot delete another author's document", carol, DeleteDocument, davesDoc, false},
		{"editor cannot delete another author's document", bob, DeleteDocument, davesDoc, false},
		{"author can delete their own document", dave, DeleteDocument, davesDoc, true},
		{"admin can delete another author's document", alice, DeleteDocument, davesDoc, true},
		{"only an admin lists users", bob, ListUsers, nil, false},
		{"admin lists users", alice, ListUsers, nil, true},
		{"editor cannot change roles", bob, ChangeRole, nil, false},
		{"admin changes roles", alice, ChangeRole, nil, true},
		{"nobody logged in may do nothing", nil, EditDocument, davesDoc, false},
		{"an unknown action is denied", alice, Action(99), davesDoc, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := can(tc.user, tc.action, tc.doc); got != tc.want {
				t.Errorf("can(%v, %d, %v) = %v; want %v", tc.user, tc.action, tc.doc, got, tc.want)
			}
		})
	}
}

func TestForbiddenDetailSaysWhoMay(t *testing.T) {
	carol := &docs.User{ID: 3, Username: "carol", Role: docs.RoleMember}
	doc := &docs.Document{ID: 7, Author: docs.Author{ID: 1, Username: "alice"}}
	for _, tc := range []struct {
		action Action
		doc    *docs.Document
		want   string
	}{
		{DeleteDocument, doc, "only the author (alice) or an admin may delete document 7"},
		{EditDocument, doc, "only the author (alice), an editor or an admin may edit document 7"},
		{ListUsers, nil, "only an admin may list users"},
	} {
		err := authorize(carol, tc.action, tc.doc)
		if docs.KindOf(err) != docs.Forbidden || err.Error() != tc.want {
			t.Errorf("authorize(carol, %d) = %v; want Forbidden %q", tc.action, err, tc.want)
		}
	}
}

func BenchmarkPolicy(b *testing.B) {
	bob := &docs.User{ID: 2, Username: "bob", Role: docs.RoleEditor}
	doc := &docs.Document{ID: 7, Author: docs.Author{ID: 1, Username: "alice"}}
	b.ReportAllocs()
	for b.Loop() {
		if can(bob, DeleteDocument, doc) {
			b.Fatal("an editor may not delete another author's document")
		}
	}
}
