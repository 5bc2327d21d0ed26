package store

import (
	"context"
	"slices"
	"sync"
	"time"

	"forecourt/internal/core"
)

// defaultCacheTTL is how long reference data read from the database is
// served from memory (WithCacheTTL). Rendering one SML lead needs the
// dealer with its members and sources, the source's origin, the channels,
// fuels, province and locality: read every time, they cost more than
// creating the lead. This store's own writes invalidate what they change at
// once; changes made by another server over the same PostgreSQL database
// show within the TTL.
const defaultCacheTTL = 5 * time.Second

// ttlMap is a read-through cache of values by key. Cached values are shared
// between callers, who must treat them as read-only.
//
// A value read from the database goes in only if nothing was invalidated
// since the read began (putIf): every invalidation, of one key or of all,
// counts a generation, and a read takes the generation before it starts.
// Otherwise a read that began before a write and ended after it would put
// back what the write had just dropped.
//
// A key missing from the map is read once however many callers miss it at
// the same time (see fill): when an entry expires under load, every
// request in flight misses it together.
type ttlMap[K comparable, V any] struct {
	mu      sync.RWMutex
	ttl     time.Duration
	m       map[K]ttlEntry[V]
	gen     uint64              // invalidations so far (see putIf)
	flights map[K]*ttlFlight[V] // reads under way, see fill
}

type ttlEntry[V any] struct {
	v  V
	at time.Time
}

// maxTTLEntries bounds a ttlMap's memory; reference tables are far smaller.
const maxTTLEntries = 100_000

func newTTLMap[K comparable, V any](ttl time.Duration) *ttlMap[K, V] {
	return &ttlMap[K, V]{ttl: ttl, m: map[K]ttlEntry[V]{}, flights: map[K]*ttlFlight[V]{}}
}

func (c *ttlMap[K, V]) get(k K) (V, bool) {
	if c.ttl <= 0 {
		var zero V
		return zero, false
	}
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || time.Since(e.at) > c.ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}

// generation returns the count of invalidations, to give putIf.
func (c *ttlMap[K, V]) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// putIf caches v under k unless the map was invalidated since gen, the
// generation taken before v was read: v may then be stale.
func (c *ttlMap[K, V]) putIf(k K, v V, gen uint64) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.m) >= maxTTLEntries {
		clear(c.m)
	}
	c.m[k] = ttlEntry[V]{v: v, at: time.Now()}
}

// clear drops every entry.
func (c *ttlMap[K, V]) clear() {
	c.mu.Lock()
	c.gen++
	clear(c.m)
	c.mu.Unlock()
}

// drop drops the entries whose key and value drop reports true for. It
// counts as an invalidation even when none is cached: a read under way
// may be about to cache one.
func (c *ttlMap[K, V]) drop(match func(K, V) bool) {
	c.mu.Lock()
	c.gen++
	for k, e := range c.m {
		if match(k, e.v) {
			delete(c.m, k)
		}
	}
	c.mu.Unlock()
}

// cached serves k from c, or reads it with load and caches it.
func cached[K comparable, V any](c *ttlMap[K, V], k K, load func() (V, error), loaded func()) (V, error) {
	gen := c.generation()
	if v, ok := c.get(k); ok {
		return v, nil
	}
	v, _, err := c.fill(k, gen, func() (V, bool, error) {
		v, err := load()
		return v, true, err
	}, loaded)
	return v, err
}

// byID serves ids from c and reads the rest with load, caching them.
// Results come in id order, unknown ids left out, like the *ByIDDB methods.
func byID[V any](ctx context.Context, c *ttlMap[int64, V], ids []int64, id func(V) int64,
	load func(context.Context, []int64) ([]V, error), loaded func()) ([]V, error) {
	ids = core.DistinctIDs(ids)
	gen := c.generation()
	out := make([]V, 0, len(ids))
	var missing []int64
	for _, i := range ids {
		if v, ok := c.get(i); ok {
			out = append(out, v)
		} else {
			missing = append(missing, i)
		}
	}
	if len(missing) == 1 {
		// one id (a request's user, dealer or source): read once for all
		// who miss it at the same time
		v, found, err := c.fill(missing[0], gen, func() (V, bool, error) {
			got, err := load(ctx, missing)
			if err != nil || len(got) != 1 {
				var zero V
				return zero, false, err
			}
			return got[0], true, nil
		}, loaded)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, v)
		}
		missing = nil
	}
	if len(missing) > 0 {
		got, err := load(ctx, missing)
		if err != nil {
			return nil, err
		}
		if loaded != nil {
			loaded()
		}
		for _, v := range got {
			c.putIf(id(v), v, gen)
		}
		out = append(out, got...)
	}
	slices.SortFunc(out, func(a, b V) int { return compareInt64(id(a), id(b)) })
	return out, nil
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// refCache holds the cached reference data of a Store.
type refCache struct {
	dealers       *ttlMap[int64, core.Dealer]
	sources       *ttlMap[int64, core.Source]
	origins       *ttlMap[int64, core.Origin]
	provinces     *ttlMap[int64, core.Province]
	localities    *ttlMap[int64, core.Locality]
	users         *ttlMap[int64, core.User]
	channels      *ttlMap[struct{}, []core.Channel]
	gasTypes      *ttlMap[struct{}, []core.GasType]
	dealerSources *ttlMap[int64, []core.Source]
	dealerUsers   *ttlMap[int64, []core.User]
	creds         *ttlMap[string, core.Credential]  // by hash; nil on PostgreSQL but in a server's store (credwatch.go)
	organisations *ttlMap[int64, core.Organisation] // by dealer (organisation.go)
}

func newRefCache(ttl time.Duration) *refCache {
	return &refCache{
		dealers: newTTLMap[int64, core.Dealer](ttl), sources: newTTLMap[int64, core.Source](ttl),
		origins: newTTLMap[int64, core.Origin](ttl), provinces: newTTLMap[int64, core.Province](ttl),
		localities: newTTLMap[int64, core.Locality](ttl), users: newTTLMap[int64, core.User](ttl),
		channels: newTTLMap[struct{}, []core.Channel](ttl), gasTypes: newTTLMap[struct{}, []core.GasType](ttl),
		dealerSources: newTTLMap[int64, []core.Source](ttl), dealerUsers: newTTLMap[int64, []core.User](ttl),
		organisations: newTTLMap[int64, core.Organisation](ttl),
	}
}

// usersChanged drops what a change to users, memberships, sessions or
// tokens makes stale.
func (c *refCache) usersChanged() {
	c.users.clear()
	c.dealerUsers.clear()
	if c.creds != nil {
		c.creds.clear()
	}
}

// credentialsChanged drops the cached credentials: a key was revoked.
func (c *refCache) credentialsChanged() {
	if c.creds != nil {
		c.creds.clear()
	}
}

// sessionTouched drops what TouchSession makes stale: the cached user
// userID, whose latest session it changes, the cached member lists that
// hold him, and the credentials of session sessionID, which hold its
// last_seen. Other credentials stay.
func (c *refCache) sessionTouched(userID, sessionID int64) {
	c.users.drop(func(id int64, _ core.User) bool { return id == userID })
	c.dealerUsers.drop(func(_ int64, us []core.User) bool {
		return slices.ContainsFunc(us, func(u core.User) bool { return u.ID == userID })
	})
	if c.creds != nil {
		c.creds.drop(func(_ string, cr core.Credential) bool { return cr.SessionID == sessionID })
	}
}

// defaultCredTTL is how long a resolved credential is served from memory
// (WithCredentialTTL), by hash. A SQLite file has one server, so a logout
// or any change to users goes through its store and drops them at once
// (the TTL bounds a change made otherwise: an operator command, a hand on
// the file). Over PostgreSQL another server may revoke a token: a
// server's store remembers credentials only while it listens to their
// changes' notifications (credwatch.go), the TTL bounding what a lost
// notification could keep.
const defaultCredTTL = 2 * time.Second

// DealersByID returns the dealers with these ids, in id order; unknown ids
// are left out.
func (s *Store) DealersByID(ctx context.Context, ids []int64) ([]core.Dealer, error) {
	return byID(ctx, s.cache.dealers, ids, func(d core.Dealer) int64 { return d.ID }, func(ctx context.Context, ids []int64) ([]core.Dealer, error) {
		return rowsByID(s, ctx, "dealer", ids, loadDealers)
	}, s.cacheLoaded)
}

// SourcesByID returns the sources with these ids in id order; unknown ids
// are left out.
func (s *Store) SourcesByID(ctx context.Context, ids []int64) ([]core.Source, error) {
	return byID(ctx, s.cache.sources, ids, func(v core.Source) int64 { return v.ID }, func(ctx context.Context, ids []int64) ([]core.Source, error) {
		return rowsByID(s, ctx, "source", ids, loadSources)
	}, s.cacheLoaded)
}

// OriginsByID returns the origins with these ids in id order; unknown ids
// are left out.
func (s *Store) OriginsByID(ctx context.Context, ids []int64) ([]core.Origin, error) {
	return byID(ctx, s.cache.origins, ids, func(v core.Origin) int64 { return v.ID }, func(ctx context.Context, ids []int64) ([]core.Origin, error) {
		return rowsByID(s, ctx, "origin", ids, loadOrigins)
	}, s.cacheLoaded)
}

// ProvincesByID returns the provinces with these ids in id order; unknown
// ids are left out.
func (s *Store) ProvincesByID(ctx context.Context, ids []int64) ([]core.Province, error) {
	return byID(ctx, s.cache.provinces, ids, func(v core.Province) int64 { return v.ID }, func(ctx context.Context, ids []int64) ([]core.Province, error) {
		return rowsByID(s, ctx, "province", ids, loadProvinces)
	}, s.cacheLoaded)
}

// LocalitiesByID returns the localities with these ids in id order; unknown
// ids are left out.
func (s *Store) LocalitiesByID(ctx context.Context, ids []int64) ([]core.Locality, error) {
	return byID(ctx, s.cache.localities, ids, func(v core.Locality) int64 { return v.ID }, func(ctx context.Context, ids []int64) ([]core.Locality, error) {
		return rowsByID(s, ctx, "locality", ids, loadLocalities)
	}, s.cacheLoaded)
}

// UsersByID returns the users with these ids in id order; unknown ids are
// left out.
func (s *Store) UsersByID(ctx context.Context, ids []int64) ([]core.User, error) {
	return byID(ctx, s.cache.users, ids, func(v core.User) int64 { return v.ID }, func(ctx context.Context, ids []int64) ([]core.User, error) {
		return rowsByID(s, ctx, "user", ids, loadUsers)
	}, s.cacheLoaded)
}

// Channels lists every channel in id order.
func (s *Store) Channels(ctx context.Context) ([]core.Channel, error) {
	return cached(s.cache.channels, struct{}{}, func() ([]core.Channel, error) { return s.channelsDB(ctx) }, s.cacheLoaded)
}

// GasTypes lists every gas type in id order.
func (s *Store) GasTypes(ctx context.Context) ([]core.GasType, error) {
	return cached(s.cache.gasTypes, struct{}{}, func() ([]core.GasType, error) { return s.gasTypesDB(ctx) }, s.cacheLoaded)
}
