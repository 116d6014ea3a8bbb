package postgres

import (
	"fmt"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/postgres/pgtest"
	"github.com/docsd/docs/pkg/search"
)

// TestMigrateIndexesExistingDocuments: the documents written before
// migration 00010, by a docsd without search, are found once Migrate has
// run, including those past the first batch; those deleted between the
// migration and their turn are skipped, and nothing is left pending.
func TestMigrateIndexesExistingDocuments(t *testing.T) {
	ctx := t.Context()
	d, err := Open(ctx, pgtest.URL(t), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	upTo := func(version int64) {
		t.Helper()
		if err := d.migrate(ctx, func(p *goose.Provider) error {
			_, err := p.UpTo(ctx, version)
			return err
		}); err != nil {
			t.Fatalf("UpTo(%d) = %v", version, err)
		}
	}
	upTo(9)
	u := &docs.User{Username: "u", Role: docs.RoleEditor, PasswordHash: []byte("x")}
	if err := d.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	// More than two batches, written as a docsd without search wrote them.
	const n = 2500
	if _, err := d.pool.Exec(ctx,
		`INSERT INTO documents (title, body, author_id, created_at, updated_at)
		 SELECT 'Old ' || i, 'old zebra', $1, 0, 0 FROM generate_series(1, $2::int) i`, u.ID, n); err != nil {
		t.Fatal(err)
	}
	// 00010 lists them; the last batch's are all deleted before Migrate
	// indexes any, as a replica still on the old build may delete them.
	upTo(10)
	const deleted = 500
	for id := int64(n - deleted + 1); id <= n; id++ {
		if err := d.DeleteDocument(ctx, id); err != nil {
			t.Fatalf("DeleteDocument(%d) = %v", id, err)
		}
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("Migrate = %v", err)
	}
	q, _ := search.Parse("zebra")
	got, err := d.SearchDocuments(ctx, docs.SearchPage{Query: q, Limit: n + 1})
	if err != nil || len(got) != n-deleted {
		t.Errorf("after Migrate, zebra is found in %d documents (%v); want %d", len(got), err, n-deleted)
	}
	if err == nil && len(got) > 0 && (got[0].ID != n-deleted || got[len(got)-1].ID != 1) {
		t.Errorf("after Migrate, zebra is found in %d to %d; want %d to 1", got[0].ID, got[len(got)-1].ID, n-deleted)
	}
	var pending int
	if err := d.pool.QueryRow(ctx, `SELECT count(*) FROM search_pending`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("after Migrate, %d documents pending (%v); want 0", pending, err)
	}
	var vacuumed bool
	if err := d.pool.QueryRow(ctx, `SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL FROM pg_stat_user_tables
		WHERE schemaname = current_schema() AND relname = 'documents'`).Scan(&vacuumed); err != nil || !vacuumed {
		t.Errorf("after Migrate indexed documents, they were vacuumed and analyzed: %v (%v); want true, or searches read the dead rows until autovacuum comes", vacuumed, err)
	}
}

// TestSearchAcrossCap: ranks with more matches than searchCap are paged
// through in the same order as ranks with fewer, from the pages that walk
// the primary key to those that read the matches first, with an author
// and without.
func TestSearchAcrossCap(t *testing.T) {
	ctx := t.Context()
	d, err := Open(ctx, pgtest.URL(t), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var authors []docs.Author
	for _, name := range []string{"ann", "ben"} {
		u := &docs.User{Username: name, Role: docs.RoleEditor, PasswordHash: []byte("x")}
		if err := d.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		authors = append(authors, docs.Author{ID: u.ID, Username: u.Username})
	}
	// Twice searchCap documents whose title matches, then as many whose
	// body alone does, by ann and ben in turn.
	const n = 2 * searchCap
	list := make([]*docs.Document, 2*n)
	for i := range list {
		list[i] = &docs.Document{Title: "Zebra", Body: "plain", Author: authors[i%2]}
		if i >= n {
			list[i].Title, list[i].Body = "Plain", "zebra"
		}
	}
	if err := d.ImportDocuments(ctx, list); err != nil {
		t.Fatal(err)
	}
	q, _ := search.Parse("zebra")
	for _, author := range []string{"", "ben"} {
		t.Run(fmt.Sprintf("author %q", author), func(t *testing.T) {
			// The title's matches, newest first, then the body's.
			var want []int64
			for _, half := range [][]*docs.Document{list[:n], list[n:]} {
				for _, doc := range slices.Backward(half) {
					if author == "" || doc.Author.Username == author {
						want = append(want, doc.ID)
					}
				}
			}
			var got []int64
			p := docs.SearchPage{Query: q, Limit: 150, Author: author}
			for {
				found, err := d.SearchDocuments(ctx, p)
				if err != nil {
					t.Fatalf("SearchDocuments(after %v) = %v", p.After, err)
				}
				if len(found) == 0 {
					break
				}
				for _, f := range found {
					got = append(got, f.ID)
				}
				last := found[len(found)-1]
				p.After = docs.SearchCursor{Rank: last.Rank, ID: last.ID}
			}
			if !slices.Equal(got, want) {
				t.Errorf("pages found %d documents, from %v; want %d, from %v", len(got), got[:min(5, len(got))], len(want), want[:5])
			}
		})
	}
}
