package store

import "errors"

// errFlightAborted is the error of a read of a ttlMap key that ended
// without returning (a panic): those waiting for it read the key again.
var errFlightAborted = errors.New("store: cached read aborted")

// ttlFlight is a read of one key of a ttlMap under way: the callers that
// miss the key while it runs wait for it instead of reading it too.
type ttlFlight[V any] struct {
	gen   uint64 // the map's generation when the read began
	done  chan struct{}
	v     V
	found bool
	err   error
	// waiters counts the callers waiting for the read (tests)
	waiters int
}

// fill reads k with load and caches what it finds (putIf with gen, the
// generation taken before k was missed), or waits for the read of k
// already under way and answers what it found. A caller joins only a read
// that began at its own generation, so that nothing invalidated since the
// read began: after a logout, a credential is read anew, not taken from a
// read that began before it. When the read it joined failed (its caller
// gone, its deadline passed), a caller reads k itself.
func (c *ttlMap[K, V]) fill(k K, gen uint64, load func() (V, bool, error), loaded func()) (V, bool, error) {
	if c.ttl <= 0 { // nothing is cached: nothing to wait for
		v, found, err := load()
		if err == nil && loaded != nil {
			loaded()
		}
		return v, found, err
	}
	c.mu.Lock()
	if f := c.flights[k]; f != nil && f.gen == gen {
		f.waiters++
		c.mu.Unlock()
		<-f.done
		if f.err == nil {
			return f.v, f.found, nil
		}
		return load()
	}
	f := &ttlFlight[V]{gen: gen, done: make(chan struct{}), err: errFlightAborted}
	c.flights[k] = f
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		if c.flights[k] == f {
			delete(c.flights, k)
		}
		c.mu.Unlock()
		close(f.done)
	}()
	f.v, f.found, f.err = load()
	if f.err != nil {
		return f.v, f.found, f.err
	}
	if loaded != nil {
		loaded()
	}
	if f.found {
		c.putIf(k, f.v, gen)
	}
	return f.v, f.found, nil
}
