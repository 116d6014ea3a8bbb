package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/docsd/docs/pkg/docs"
)

// DocumentBackend is the store behind a Documents cache.
type DocumentBackend interface {
	docs.DocumentStore
	docs.RevisionStore
	// ShardEpochs reads the document epoch and that of every shard, in
	// one statement.
	ShardEpochs(ctx context.Context) (docs.ShardEpochs, error)
	// DocumentWithEpoch is DocumentByID and the epoch of the document's
	// shard, read in one statement.
	DocumentWithEpoch(ctx context.Context, id int64) (*docs.Document, int64, error)
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

// documentOverhead is what an entry costs beyond its bytes and strings:
// its two structs and, about, its map slot.
const documentOverhead = int(unsafe.Sizeof(Document{})+unsafe.Sizeof(docs.Document{})) + 32

// size is the memory the entry holds, as the cache counts it against
// maxBytes. The process needs more: Go's collector lets the heap grow to
// about twice what is live before it collects (GOGC=100).
func (d *Document) size() int64 {
	return int64(documentOverhead + cap(d.JSON) + len(d.ETag) + len(d.Title) + len(d.Body) + len(d.Author.Username))
}

// Documents keeps encoded documents in memory and serves them, through
// Encoded, while they cannot have changed: a cached read is the request's
// epochs and a map lookup. The rest of docs.DocumentStore (lists, writes,
// and DocumentByID for whoever wants a fresh read) goes to the backend,
// each method spelled out: every write drops the document's entry here, and
// a method added to docs.DocumentStore does not compile until it says what
// it does.
//
// The cache stands at a document epoch and the shard epochs read in one
// statement with it. Every entry was read in one statement with its
// shard's epoch, and is kept only while that is the shard epoch the cache
// holds: it is exactly the document as the shard's epoch names it, and so
// as the cache's document epoch names it. A request whose document epoch
// is the cache's is served from memory. When it is another, the first
// request at least as new as the cache's position reads the shard epochs
// again and the cache forgets the shards whose epoch changed: one more
// statement per change, not per request, and a write to one document
// costs the readers of the other shards nothing.
//
// Entries take at most maxBytes; past that, arbitrary entries make room.
type Documents struct {
	backend  DocumentBackend
	epochs   *Shared
	encode   Encoder
	maxBytes int64

	// moving serializes advances, so that one request reads the shard
	// epochs while the others wait for its result.
	moving sync.Mutex

	mu sync.RWMutex
	// at is what the cache stands at, and seq the Reading.Seq of the
	// request that moved it there; 0 while the cache stands nowhere.
	at      docs.ShardEpochs
	seq     uint64
	entries [docs.DocumentShards]map[int64]*Document
	bytes   int64

	hits, misses atomic.Uint64
}

// NewDocuments returns a cache of at most maxBytes in front of b that
// compares the epochs read through epochs; with maxBytes 0 it keeps
// nothing and every read encodes what it reads.
func NewDocuments(b DocumentBackend, epochs *Shared, maxBytes int64, encode Encoder) *Documents {
	c := &Documents{backend: b, epochs: epochs, encode: encode, maxBytes: maxBytes}
	for i := range c.entries {
		c.entries[i] = map[int64]*Document{}
	}
	return c
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
	n := 0
	for _, m := range c.entries {
		n += len(m)
	}
	return DocumentStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Entries: n, Bytes: c.bytes}
}

// Encoded returns the document with id, encoded: from memory while it
// cannot have changed since the request's epochs, else from the backend.
func (c *Documents) Encoded(ctx context.Context, id int64) (*Document, error) {
	r, err := readEpochs(ctx, c.epochs)
	if err != nil {
		return nil, err
	}
	e, current, seq := c.lookup(id, r.Documents)
	if !current && r.Seq > seq && c.maxBytes > 0 {
		if err := c.advance(ctx, r.Seq); err != nil {
			return nil, err
		}
		e, current, _ = c.lookup(id, r.Documents)
	}
	if e != nil && current {
		c.hits.Add(1)
		return e, nil
	}
	c.misses.Add(1)
	d, epoch, err := c.backend.DocumentWithEpoch(ctx, id)
	if err != nil {
		return nil, err
	}
	e = &Document{Document: d}
	e.JSON, e.ETag = c.encode(d)
	c.store(epoch, e)
	return e, nil
}

// lookup returns the entry for id, if any, whether the cache stands at
// the document epoch, and the cache's position.
func (c *Documents) lookup(id, epoch int64) (*Document, bool, uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.entries[docs.ShardOf(id)][id], c.seq != 0 && c.at.Documents == epoch, c.seq
}

// advance brings the cache to the epochs the database holds now, for a
// request at position seq, forgetting the shards that changed.
func (c *Documents) advance(ctx context.Context, seq uint64) error {
	c.moving.Lock()
	defer c.moving.Unlock()
	c.mu.RLock()
	at := c.seq
	c.mu.RUnlock()
	if at >= seq {
		// Another request, as new or newer, moved it meanwhile.
		return nil
	}
	now, err := c.backend.ShardEpochs(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, n := range now.Shards {
		if c.seq == 0 || n != c.at.Shards[k] {
			for _, e := range c.entries[k] {
				c.bytes -= e.size()
			}
			c.entries[k] = map[int64]*Document{}
		}
	}
	c.at, c.seq = now, seq
	return nil
}

// store keeps e, read with its shard's epoch, if that is the shard epoch
// the cache holds: e is then exactly what the cache's epochs name.
func (c *Documents) store(epoch int64, e *Document) {
	size := e.size()
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := docs.ShardOf(e.ID)
	if c.seq == 0 || epoch != c.at.Shards[k] {
		return
	}
	shard := c.entries[k]
	if old, ok := shard[e.ID]; ok {
		c.bytes -= old.size()
		delete(shard, e.ID)
	}
	// Map iteration order is arbitrary: the entries that go are a random
	// sample of a shard, starting with the document's own, which costs no
	// bookkeeping on the read path.
	for j := k; c.bytes+size > c.maxBytes; j = (j + 1) % docs.DocumentShards {
		for id, old := range c.entries[j] {
			if c.bytes+size <= c.maxBytes {
				break
			}
			c.bytes -= old.size()
			delete(c.entries[j], id)
		}
	}
	shard[e.ID] = e
	c.bytes += size
}

// CreateDocument creates in the backend, which moves the document's shard
// epoch: no process serves the shard's entries after it.
func (c *Documents) CreateDocument(ctx context.Context, d *docs.Document) error {
	return c.backend.CreateDocument(ctx, d)
}

// UpdateDocument updates in the backend and drops the document's entry here.
func (c *Documents) UpdateDocument(ctx context.Context, id int64, u docs.DocumentUpdate, ifVersion, by int64, now time.Time) (*docs.Document, error) {
	defer c.drop(id)
	return c.backend.UpdateDocument(ctx, id, u, ifVersion, by, now)
}

// DeleteDocument deletes in the backend and drops the document's entry
// here.
func (c *Documents) DeleteDocument(ctx context.Context, id int64) error {
	defer c.drop(id)
	return c.backend.DeleteDocument(ctx, id)
}

// drop forgets the entry of document id, which a write of this process
// changed: the write moved its shard's epoch, which every other request
// sees, but a request's own Reading predates its writes (WithReading).
func (c *Documents) drop(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	shard := c.entries[docs.ShardOf(id)]
	if e, ok := shard[id]; ok {
		c.bytes -= e.size()
		delete(shard, id)
	}
}

// RevertDocument reverts in the backend and drops the document's entry here.
func (c *Documents) RevertDocument(ctx context.Context, id, version, ifVersion, by int64, now time.Time) (*docs.Document, error) {
	defer c.drop(id)
	return c.backend.RevertDocument(ctx, id, version, ifVersion, by, now)
}

// RestoreDocument restores in the backend and drops the document's entry here.
func (c *Documents) RestoreDocument(ctx context.Context, id, by int64, now time.Time) (*docs.Document, error) {
	defer c.drop(id)
	return c.backend.RestoreDocument(ctx, id, by, now)
}

// Revisions reads from the backend. Revisions never change, so the API
// lets HTTP caches keep them instead of keeping them here.
func (c *Documents) Revisions(ctx context.Context, id int64, p docs.Page) ([]*docs.Revision, error) {
	return c.backend.Revisions(ctx, id, p)
}

// Revision reads from the backend, as Revisions does.
func (c *Documents) Revision(ctx context.Context, id, version int64) (*docs.Revision, error) {
	return c.backend.Revision(ctx, id, version)
}

// DeletedDocument reads from the backend: a deleted document is not
// cached.
func (c *Documents) DeletedDocument(ctx context.Context, id int64) (*docs.Document, error) {
	return c.backend.DeletedDocument(ctx, id)
}

// PruneRevisions prunes in the backend. It changes no document, so the
// epochs stand.
func (c *Documents) PruneRevisions(ctx context.Context, keep int) (int64, error) {
	return c.backend.PruneRevisions(ctx, keep)
}

// DocumentByID reads from the backend, a fresh read; Encoded is the
// cached one.
func (c *Documents) DocumentByID(ctx context.Context, id int64) (*docs.Document, error) {
	return c.backend.DocumentByID(ctx, id)
}

// ListDocuments reads from the backend: lists are not cached.
func (c *Documents) ListDocuments(ctx context.Context, p docs.Page) ([]*docs.Document, error) {
	return c.backend.ListDocuments(ctx, p)
}

// SearchDocuments reads from the backend: searches are not cached.
func (c *Documents) SearchDocuments(ctx context.Context, p docs.SearchPage) ([]*docs.Found, error) {
	return c.backend.SearchDocuments(ctx, p)
}

// Documents is a whole docs.DocumentStore and docs.RevisionStore.
var (
	_ docs.DocumentStore = (*Documents)(nil)
	_ docs.RevisionStore = (*Documents)(nil)
)
