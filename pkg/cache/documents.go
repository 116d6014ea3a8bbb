package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docsd/docs/pkg/docs"
)

// DocumentBackend is the store behind a Documents cache.
type DocumentBackend interface {
	docs.DocumentStore
	Epochs
}

// Document is a document as the API sends it: the domain value the policy
// reads, and its encoding, ready to write. It is shared by every request
// that reads it: nobody may change it.
type Document struct {
	*docs.Document
	JSON []byte
	ETag string
}

// Encoder turns a document into its wire form; the API owns the format.
type Encoder func(*docs.Document) (json []byte, etag string)

// documentOverhead approximates what an entry costs beyond its strings:
// the map slot, the structs and the slice headers.
const documentOverhead = 256

func (d *Document) size() int64 {
	return int64(documentOverhead + len(d.JSON) + len(d.ETag) + len(d.Title) + len(d.Body) + len(d.Author.Username))
}

// Documents is a docs.DocumentStore that keeps encoded documents in memory
// while the document epoch has not moved: a cached read is the request's
// epochs and a map lookup. Its entries take at most maxBytes; past that,
// arbitrary entries make room. Lists and writes go to the backend.
type Documents struct {
	DocumentBackend
	encode   Encoder
	maxBytes int64

	mu      sync.RWMutex
	epoch   int64
	entries map[int64]*Document
	bytes   int64

	hits, misses atomic.Uint64
}

// NewDocuments returns a cache of at most maxBytes in front of b; with
// maxBytes 0 it keeps nothing and every read encodes what it reads.
func NewDocuments(b DocumentBackend, maxBytes int64, encode Encoder) *Documents {
	return &Documents{DocumentBackend: b, encode: encode, maxBytes: maxBytes, epoch: -1, entries: map[int64]*Document{}}
}

// DocumentStats are a Documents cache's counts since it was made.
type DocumentStats struct {
	Hits, Misses uint64
	// Entries and Bytes are what the cache holds now.
	Entries int
	Bytes   int64
}

// Stats returns the cache's counts.
func (c *Documents) Stats() DocumentStats {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return DocumentStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Entries: len(c.entries), Bytes: c.bytes}
}

// Encoded returns the document with id, encoded: from memory while the
// document epoch is the one it was read under, else from the backend.
func (c *Documents) Encoded(ctx context.Context, id int64) (*Document, error) {
	epochs, err := readEpochs(ctx, c.DocumentBackend)
	if err != nil {
		return nil, err
	}
	c.mu.RLock()
	e, ok := c.entries[id]
	current := c.epoch == epochs.Documents
	c.mu.RUnlock()
	if ok && current {
		c.hits.Add(1)
		return e, nil
	}
	c.misses.Add(1)
	d, err := c.DocumentBackend.DocumentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	e = &Document{Document: d}
	e.JSON, e.ETag = c.encode(d)
	c.store(epochs.Documents, e)
	return e, nil
}

// DocumentByID returns a copy of the document, through the cache.
func (c *Documents) DocumentByID(ctx context.Context, id int64) (*docs.Document, error) {
	e, err := c.Encoded(ctx, id)
	if err != nil {
		return nil, err
	}
	d := *e.Document
	return &d, nil
}

// store keeps e under epoch. The document was read after the epoch, so it
// is at least as new as the epoch says: kept under it, it is served only
// until the epoch moves past it. The epoch only moves forward: a reader
// that saw an older epoch than the cache keeps nothing.
func (c *Documents) store(epoch int64, e *Document) {
	size := e.size()
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case epoch > c.epoch:
		c.epoch = epoch
		c.entries = map[int64]*Document{}
		c.bytes = 0
	case epoch < c.epoch:
		return
	}
	if old, ok := c.entries[e.ID]; ok {
		c.bytes -= old.size()
		delete(c.entries, e.ID)
	}
	// Map iteration order is arbitrary: the entries that go are a random
	// sample, which keeps a hot document more often than not and costs no
	// bookkeeping on the read path.
	for id, old := range c.entries {
		if c.bytes+size <= c.maxBytes {
			break
		}
		c.bytes -= old.size()
		delete(c.entries, id)
	}
	c.entries[e.ID] = e
	c.bytes += size
}

// CreateDocument creates in the backend; the request's epochs are read
// again after it.
func (c *Documents) CreateDocument(ctx context.Context, d *docs.Document) error {
	defer forget(ctx)
	return c.DocumentBackend.CreateDocument(ctx, d)
}

// UpdateDocument updates in the backend; the request's epochs are read
// again after it.
func (c *Documents) UpdateDocument(ctx context.Context, id int64, u docs.DocumentUpdate, ifVersion int64, now time.Time) (*docs.Document, error) {
	defer forget(ctx)
	return c.DocumentBackend.UpdateDocument(ctx, id, u, ifVersion, now)
}

// DeleteDocument deletes in the backend; the request's epochs are read
// again after it.
func (c *Documents) DeleteDocument(ctx context.Context, id int64) error {
	defer forget(ctx)
	return c.DocumentBackend.DeleteDocument(ctx, id)
}
