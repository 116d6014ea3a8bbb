package cache_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/docsd/docs/pkg/cache"
	"github.com/docsd/docs/pkg/docs"
)

func encode(d *docs.Document) ([]byte, string) {
	return []byte(d.Title + ":" + d.Body), strconv.FormatInt(d.Version, 10)
}

// document creates a document of alice's through the other handle, as
// another process would.
func (f *fixture) document(t *testing.T, title, body string) int64 {
	t.Helper()
	d := &docs.Document{Title: title, Body: body, Author: docs.Author{ID: f.user.ID}, CreatedAt: f.clock.Now(), UpdatedAt: f.clock.Now()}
	if err := f.other.CreateDocument(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

func encoded(t *testing.T, c *cache.Documents, ctx context.Context, id int64) string {
	t.Helper()
	d, err := c.Encoded(ctx, id)
	if err != nil {
		t.Fatalf("Encoded(%d) = %v", id, err)
	}
	return string(d.JSON)
}

func TestDocuments(t *testing.T) {
	ctx := context.Background()

	t.Run("a request reads the epochs once for the session and the document, and nothing else when both are cached", func(t *testing.T) {
		f := setup(t)
		docsCache := cache.NewDocuments(f.store, cache.NewShared(f.store), 1<<20, encode)
		id := f.document(t, "T", "B")
		request := func() {
			ctx := cache.Request(ctx)
			if _, _, err := f.cache.SessionUser(ctx, "carol"); err != nil {
				t.Fatal(err)
			}
			encoded(t, docsCache, ctx, id)
		}
		request()
		epochs, sessions, documents := f.store.epochReads.Load(), f.store.reads.Load(), f.store.documentReads.Load()
		for range 5 {
			request()
		}
		if got := f.store.epochReads.Load() - epochs; got != 5 {
			t.Errorf("5 cached requests read the epochs %d times; want 5", got)
		}
		if got := f.store.reads.Load() - sessions; got != 0 {
			t.Errorf("5 cached requests read the session %d times; want 0", got)
		}
		if got := f.store.documentReads.Load() - documents; got != 0 {
			t.Errorf("5 cached requests read the document %d times; want 0", got)
		}
	})

	t.Run("a change through another handle is read at the next request", func(t *testing.T) {
		f := setup(t)
		c := cache.NewDocuments(f.store, cache.NewShared(f.store), 1<<20, encode)
		id := f.document(t, "T", "old")
		encoded(t, c, ctx, id)
		body := "new"
		if _, err := f.other.UpdateDocument(ctx, id, docs.DocumentUpdate{Body: &body}, 0, 0, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got := encoded(t, c, ctx, id); got != "T:new" {
			t.Errorf("Encoded after an update elsewhere = %q; want %q", got, "T:new")
		}
		if err := f.other.DeleteDocument(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Encoded(ctx, id); !docs.IsNotFound(err) {
			t.Errorf("Encoded after a delete elsewhere = %v; want NotFound", err)
		}
	})

	t.Run("an edit elsewhere drops only its shard, at one more read per edit", func(t *testing.T) {
		f := setup(t)
		c := cache.NewDocuments(f.store, cache.NewShared(f.store), 1<<20, encode)
		// Two documents in one shard, one in another.
		edited := f.document(t, "edited", "old")
		for range docs.DocumentShards - 1 {
			f.document(t, "filler", "")
		}
		sameShard := f.document(t, "same shard", "kept?")
		otherShard := f.document(t, "other shard", "kept")
		if docs.ShardOf(sameShard) != docs.ShardOf(edited) || docs.ShardOf(otherShard) == docs.ShardOf(edited) {
			t.Fatalf("shards %d, %d, %d; want the first two equal", docs.ShardOf(edited), docs.ShardOf(sameShard), docs.ShardOf(otherShard))
		}
		for _, id := range []int64{edited, sameShard, otherShard} {
			encoded(t, c, ctx, id)
		}
		body := "new"
		if _, err := f.other.UpdateDocument(ctx, edited, docs.DocumentUpdate{Body: &body}, 0, 0, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		reads := f.store.documentReads.Load()
		if got := encoded(t, c, ctx, otherShard); got != "other shard:kept" {
			t.Errorf("Encoded(other shard) = %q", got)
		}
		if got := f.store.documentReads.Load() - reads; got != 0 {
			t.Errorf("a document of another shard after an edit: %d document reads; want 0 (served from memory)", got)
		}
		if got := encoded(t, c, ctx, edited); got != "edited:new" {
			t.Errorf("Encoded(edited) after the edit elsewhere = %q; want %q", got, "edited:new")
		}
		encoded(t, c, ctx, sameShard)
		if got := f.store.documentReads.Load() - reads; got != 2 {
			t.Errorf("the edited document and its shard's other: %d document reads; want 2", got)
		}
	})

	t.Run("a read after a write in the same request reads the epochs again", func(t *testing.T) {
		f := setup(t)
		c := cache.NewDocuments(f.store, cache.NewShared(f.store), 1<<20, encode)
		id := f.document(t, "T", "old")
		ctx := cache.Request(ctx)
		encoded(t, c, ctx, id)
		body := "new"
		if _, err := c.UpdateDocument(ctx, id, docs.DocumentUpdate{Body: &body}, 0, 0, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got := encoded(t, c, ctx, id); got != "T:new" {
			t.Errorf("Encoded after UpdateDocument in the same request = %q; want %q", got, "T:new")
		}
	})

	t.Run("the cache holds at most its bytes, and nothing with 0", func(t *testing.T) {
		f := setup(t)
		const max = 16 << 10
		c := cache.NewDocuments(f.store, cache.NewShared(f.store), max, encode)
		off := cache.NewDocuments(f.store, cache.NewShared(f.store), 0, encode)
		var ids []int64
		for i := range 40 {
			ids = append(ids, f.document(t, fmt.Sprint(i), strings.Repeat("x", 1000)))
		}
		for _, id := range ids {
			encoded(t, c, ctx, id)
			encoded(t, off, ctx, id)
		}
		last := ids[len(ids)-1]
		encoded(t, c, ctx, last)
		encoded(t, off, ctx, last)
		st := c.Stats()
		if st.Bytes > max || st.Entries == 0 || st.Entries == len(ids) {
			t.Errorf("after reading %d documents of about 2 KB into %d bytes: %d entries, %d bytes; want some entries and at most %d bytes", len(ids), max, st.Entries, st.Bytes, max)
		}
		if st.Hits != 1 {
			t.Errorf("the last document read again: %d hits; want 1", st.Hits)
		}
		if st := off.Stats(); st.Entries != 0 || st.Hits != 0 || st.Bytes != 0 {
			t.Errorf("a cache of 0 bytes = %+v; want nothing kept and no hits", st)
		}
		big := f.document(t, "big", strings.Repeat("y", max))
		encoded(t, c, ctx, big)
		if st := c.Stats(); st.Bytes > max {
			t.Errorf("after a document larger than the cache: %d bytes; want at most %d", st.Bytes, max)
		}
	})
}

// TestDocumentsNeverStaleUnderConcurrency reads documents through the cache
// from many goroutines, each read in a request of its own through one
// Shared reader, while another handle on the database updates them: no
// read may return a version older than the one the writer had committed
// before the read began.
func TestDocumentsNeverStaleUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	shared := cache.NewShared(f.store)
	c := cache.NewDocuments(f.store, shared, 1<<20, encode)
	const docsN, updates, readers = 4, 150, 8
	ids := make([]int64, docsN)
	committed := make([]atomic.Int64, docsN)
	for i := range ids {
		ids[i] = f.document(t, fmt.Sprint(i), "v1")
		committed[i].Store(1)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		for n := range updates {
			i := n % docsN
			body := fmt.Sprint("v", n)
			d, err := f.other.UpdateDocument(ctx, ids[i], docs.DocumentUpdate{Body: &body}, 0, 0, f.clock.Now())
			if err != nil {
				t.Errorf("UpdateDocument = %v", err)
				return
			}
			committed[i].Store(d.Version)
		}
	})
	var stale atomic.Int64
	for r := range readers {
		wg.Go(func() {
			for n := r; ; n++ {
				select {
				case <-done:
					return
				default:
				}
				i := n % docsN
				floor := committed[i].Load()
				d, err := c.Encoded(cache.Request(ctx), ids[i])
				if err != nil {
					t.Errorf("Encoded = %v", err)
					return
				}
				if d.Version < floor {
					if stale.Add(1) == 1 {
						t.Errorf("document %d: read version %d after version %d was committed", ids[i], d.Version, floor)
					}
				}
			}
		})
	}
	wg.Wait()
	if n := stale.Load(); n > 0 {
		t.Errorf("%d stale reads", n)
	}
	if st := c.Stats(); st.Hits == 0 {
		t.Errorf("cache stats %+v; want some hits between the writes", st)
	}
}
