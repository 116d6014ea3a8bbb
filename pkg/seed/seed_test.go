package seed_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/seed"
)

// importer numbers documents as a database would, in memory: the subject
// here is how Filler splits and reports its work, and a real database
// takes most of a minute under -race to store 25,000 documents. docsd's
// own seed test stores filler documents in SQLite.
type importer struct {
	next    int64 // the ID the next document gets
	batches []int
	authors map[int64]int // documents per author ID
}

func (im *importer) UserByName(_ context.Context, username string) (*docs.User, error) {
	for i, u := range seed.Users() {
		if u.Name == username {
			return &docs.User{ID: int64(i + 1), Username: u.Name, Role: u.Role}, nil
		}
	}
	return nil, docs.UsernameNotFound(username)
}

func (im *importer) ImportDocuments(_ context.Context, list []*docs.Document) error {
	im.batches = append(im.batches, len(list))
	for _, d := range list {
		d.ID, d.Version = im.next, 1
		im.next++
		im.authors[d.Author.ID]++
	}
	return nil
}

func TestFillerPastOneChunkReportsTheFirstAndLastID(t *testing.T) {
	// 25,000 is two full chunks of 10,000 and part of a third; the seven
	// demo documents come first.
	im := &importer{next: 8, authors: map[int64]int{}}
	first, last, err := seed.Filler(context.Background(), im, 25000, time.Now())
	if err != nil || first != 8 || last != 25007 {
		t.Fatalf("Filler(25000) = %d, %d, %v; want 8, 25007, nil", first, last, err)
	}
	if want := []int{10000, 10000, 5000}; !slices.Equal(im.batches, want) {
		t.Errorf("Filler(25000) imported batches of %v; want %v", im.batches, want)
	}
	if got, want := fmt.Sprint(im.authors), "map[1:8333 2:8334 3:8333]"; got != want {
		t.Errorf("Filler(25000) gave documents per author ID %s; want %s, the demo users in turn", got, want)
	}
}
