package cache

import "sync"

// entries are what a cache keeps under one epoch: every value was read in
// one statement with that epoch, so it is exactly what the epoch's value
// names. A lookup serves a value only while the request's epoch is the
// same value; any other value empties the map once a request at least as
// new as the map's position stores a value read with it.
type entries[V any] struct {
	max int // past it the map starts over, to bound memory

	mu sync.RWMutex
	// epoch is the epoch every value was read with, and seq the
	// Reading.Seq of the request that set it; 0 while the map has none.
	epoch int64
	seq   uint64
	m     map[string]V
}

func newEntries[V any](max int) entries[V] {
	return entries[V]{max: max, m: map[string]V{}}
}

// get returns the value under key when the map stands at epoch.
func (e *entries[V]) get(key string, epoch int64) (V, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	v, ok := e.m[key]
	if !ok || e.seq == 0 || e.epoch != epoch {
		var zero V
		return zero, false
	}
	return v, true
}

// put remembers v under key, read with epoch by a request whose reading
// was seq with the epoch at requestEpoch. It goes in when the map stands
// at epoch; or, when epoch is also the request's and the request's read is
// newer than the one the map stands on, in an emptied map that then stands
// at epoch. Otherwise the map was moved on by a newer request, or the
// epoch changed during the request, and v is not kept.
func (e *entries[V]) put(seq uint64, requestEpoch, epoch int64, key string, v V) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.seq != 0 && epoch == e.epoch:
	case epoch == requestEpoch && seq > e.seq:
		e.epoch, e.seq = epoch, seq
		e.m = map[string]V{}
	default:
		return
	}
	if len(e.m) >= e.max {
		e.m = map[string]V{}
	}
	e.m[key] = v
}

// update changes the value under key in place, when there is one.
func (e *entries[V]) update(key string, change func(*V)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, ok := e.m[key]; ok {
		change(&v)
		e.m[key] = v
	}
}

// delete forgets the value under key.
func (e *entries[V]) delete(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.m, key)
}
