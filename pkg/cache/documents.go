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
	// ShardEpochs reads the document epoch of every shard.
	ShardEpochs(ctx context.Context) (docs.ShardEpochs, error)
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
// and DocumentByID for whoever wants a fresh read) goes to the backend.
//
// The cache is at a document epoch, and holds the shard epochs it read
// when it got there. While a request's document epoch is the cache's, no
// document has changed since and every entry is good. When it has moved,
// the first request to see it reads the shard epochs and the cache forgets
// the shards whose epoch moved, then stands at the request's epoch: one
// more statement per change, not per request, and a write to one document
// costs the readers of the other shards nothing.
//
// Every entry is at least as new as its shard was when the cache read the
// shard epochs: it was read from the backend after them, or kept from
// before because its shard did not move. So an entry served under the
// request's epoch is at least as new as what the request would read.
//
// Entries take at most maxBytes; past that, arbitrary entries make room.
type Documents struct {
	DocumentBackend
	epochs   Epochs
	encode   Encoder
	maxBytes int64

	// moving serializes advances, so that one request reads the shard
	// epochs while the others wait for its result.
	moving sync.Mutex

	mu      sync.RWMutex
	epoch   int64
	shards  docs.ShardEpochs
	entries [docs.DocumentShards]map[int64]*Document
	bytes   int64

	hits, misses atomic.Uint64
}

// NewDocuments returns a cache of at most maxBytes in front of b that
// compares the epochs read from epochs; with maxBytes 0 it keeps nothing
// and every read encodes what it reads.
func NewDocuments(b DocumentBackend, epochs Epochs, maxBytes int64, encode Encoder) *Documents {
	c := &Documents{DocumentBackend: b, epochs: epochs, encode: encode, maxBytes: maxBytes, epoch: -1}
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
	epochs, err := readEpochs(ctx, c.epochs)
	if err != nil {
		return nil, err
	}
	epoch := epochs.Documents
	e, at := c.lookup(id)
	if at < epoch && c.maxBytes > 0 {
		if err := c.advance(ctx, epoch); err != nil {
			return nil, err
		}
		e, at = c.lookup(id)
	}
	if e != nil && at == epoch {
		c.hits.Add(1)
		return e, nil
	}
	c.misses.Add(1)
	d, err := c.DocumentByID(ctx, id) // the backend's: a fresh read
	if err != nil {
		return nil, err
	}
	e = &Document{Document: d}
	e.JSON, e.ETag = c.encode(d)
	c.store(epoch, e)
	return e, nil
}

// lookup returns the entry for id, if any, and the cache's epoch.
func (c *Documents) lookup(id int64) (*Document, int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.entries[docs.ShardOf(id)][id], c.epoch
}

// advance brings the cache to epoch, forgetting the shards that moved.
func (c *Documents) advance(ctx context.Context, epoch int64) error {
	c.moving.Lock()
	defer c.moving.Unlock()
	c.mu.RLock()
	at := c.epoch
	c.mu.RUnlock()
	if at >= epoch {
		// Another request got it there, or past it, meanwhile.
		return nil
	}
	shards, err := c.ShardEpochs(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, n := range shards {
		if n != c.shards[k] || c.epoch < 0 {
			for _, e := range c.entries[k] {
				c.bytes -= e.size()
			}
			c.entries[k] = map[int64]*Document{}
		}
	}
	c.shards, c.epoch = shards, epoch
	return nil
}

// store keeps e, read under epoch, if the cache is at that epoch: it was
// read after the shard epochs the cache holds, so it is at least as new.
func (c *Documents) store(epoch int64, e *Document) {
	size := e.size()
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	shard := c.entries[docs.ShardOf(e.ID)]
	if old, ok := shard[e.ID]; ok {
		c.bytes -= old.size()
		delete(shard, e.ID)
	}
	// Map iteration order is arbitrary: the entries that go are a random
	// sample of a shard, starting with the document's own, which costs no
	// bookkeeping on the read path.
	for k := docs.ShardOf(e.ID); c.bytes+size > c.maxBytes; k = (k + 1) % docs.DocumentShards {
		for id, old := range c.entries[k] {
			if c.bytes+size <= c.maxBytes {
				break
			}
			c.bytes -= old.size()
			delete(c.entries[k], id)
		}
	}
	shard[e.ID] = e
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
