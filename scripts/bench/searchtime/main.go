// Command searchtime times a first page of a search on a docsd database,
// through the store's own SearchDocuments, so the figure is the SQL of
// every rank a page reads, as docsd sends it:
//
//	searchtime sqlite|postgres PATH|URL QUERY...
//
// For each query it runs the page once to warm the caches, then five
// times, and prints the median wall time in milliseconds, the page's
// length and the ranks it holds.
package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/postgres"
	"github.com/docsd/docs/pkg/search"
	"github.com/docsd/docs/pkg/sqlite"
)

type searcher interface {
	SearchDocuments(ctx context.Context, p docs.SearchPage) ([]*docs.Found, error)
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: searchtime sqlite|postgres PATH|URL QUERY...")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Args[1], os.Args[2], os.Args[3:]); err != nil {
		fmt.Fprintln(os.Stderr, "searchtime:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, backend, dsn string, queries []string) error {
	var s searcher
	switch backend {
	case "sqlite":
		db, err := sqlite.OpenExisting(ctx, dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		s = db
	case "postgres":
		db, err := postgres.Open(ctx, dsn, postgres.Config{})
		if err != nil {
			return err
		}
		defer db.Close()
		s = db
	default:
		return fmt.Errorf("unknown backend %q", backend)
	}
	for _, q := range queries {
		parsed, err := search.Parse(q)
		if err != nil {
			return err
		}
		var (
			times []float64
			page  []*docs.Found
		)
		for i := range 6 {
			t0 := time.Now()
			page, err = s.SearchDocuments(ctx, docs.SearchPage{Query: parsed, Limit: 21})
			if err != nil {
				return err
			}
			if i > 0 {
				times = append(times, float64(time.Since(t0).Microseconds())/1000)
			}
		}
		slices.Sort(times)
		ranks := map[docs.Rank]int{}
		for _, f := range page {
			ranks[f.Rank]++
		}
		fmt.Printf("%-24q %8.2f ms  %d found  ranks %v\n", q, times[2], len(page), ranks)
	}
	return nil
}
