package store

import (
	"context"
	"database/sql"
	"errors"

	"forecourt/internal/core"
)

// The Create methods of reference data keep a non-zero ID they are given
// (fixtures and imports use the ids of the system they come from) and set
// the assigned one otherwise.

// CreateChannel stores c; a slug taken is a Conflict.
func (s *Store) CreateChannel(ctx context.Context, ch *core.Channel) error {
	defer s.cache.channels.clear()
	err := s.write(ctx, func(c conn) error {
		id, err := c.insertWithID("channels", ch.ID, "slug, name", ch.Slug, ch.Name)
		ch.ID = id
		return err
	})
	return dbError(err, "create channel", "channel", ch.Slug)
}

// channelsDB reads from the database what Channels serves from the cache.
// Channels lists every channel in id order.
func (s *Store) channelsDB(ctx context.Context) ([]core.Channel, error) {
	var out []core.Channel
	err := s.readDirect(ctx, func(c conn) (err error) {
		out, err = queryAll(c, `SELECT id, slug, name FROM channels ORDER BY id`, nil, func(r *sql.Rows, ch *core.Channel) error {
			return r.Scan(&ch.ID, &ch.Slug, &ch.Name)
		})
		return err
	})
	return out, dbError(err, "channels", "channel", "")
}

// CreateOrigin stores o with its phones, e-mails and channels and sets their
// ids.
func (s *Store) CreateOrigin(ctx context.Context, o *core.Origin) error {
	defer s.cache.origins.clear()
	err := s.write(ctx, func(c conn) error {
		id, err := c.insertWithID("origins", o.ID, "name, icon", o.Name, o.Icon)
		if err != nil {
			return err
		}
		o.ID = id
		for i := range o.Phones {
			if o.Phones[i].ID, err = c.insert(`INSERT INTO origin_phones (origin_id, number) VALUES (?, ?)`, id, o.Phones[i].Number); err != nil {
				return err
			}
		}
		for i := range o.Emails {
			if o.Emails[i].ID, err = c.insert(`INSERT INTO origin_emails (origin_id, email) VALUES (?, ?)`, id, o.Emails[i].Email); err != nil {
				return err
			}
		}
		for _, ch := range o.ChannelIDs {
			if _, err := c.exec(`INSERT INTO origin_channels (origin_id, channel_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, ch); err != nil {
				return err
			}
		}
		return nil
	})
	return dbError(err, "create origin", "origin", o.Name)
}

// Origins lists every origin in id order.
func (s *Store) Origins(ctx context.Context) ([]core.Origin, error) {
	var out []core.Origin
	err := s.readTx(ctx, func(c conn) (err error) {
		out, err = loadOrigins(c, `ORDER BY id`)
		return err
	})
	return out, dbError(err, "origins", "origin", "")
}

// AddOriginChannel makes the origin offer the channel; offering it already
// changes nothing.
func (s *Store) AddOriginChannel(ctx context.Context, originID, channelID int64) error {
	defer s.cache.origins.clear()
	err := s.write(ctx, func(c conn) error {
		_, err := c.exec(`INSERT INTO origin_channels (origin_id, channel_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, originID, channelID)
		return err
	})
	return dbError(err, "add origin channel", "origin", originID)
}

// CreateSource stores src and sets its id.
func (s *Store) CreateSource(ctx context.Context, src *core.Source) error {
	defer s.cache.sources.clear()
	defer s.cache.dealerSources.clear()
	err := s.write(ctx, func(c conn) error {
		id, err := c.insertWithID("sources", src.ID, "dealer_id, channel_id, origin_id, data", src.DealerID, src.ChannelID, src.OriginID, src.Data)
		src.ID = id
		return err
	})
	return dbError(err, "create source", "source", src.Data)
}

func scanSource(r *sql.Rows, src *core.Source) error {
	return r.Scan(&src.ID, &src.DealerID, &src.ChannelID, &src.OriginID, &src.Data)
}

// CreateGasType stores g and sets its id.
func (s *Store) CreateGasType(ctx context.Context, g *core.GasType) error {
	defer s.cache.gasTypes.clear()
	err := s.write(ctx, func(c conn) error {
		id, err := c.insertWithID("gas_types", g.ID, "name", g.Name)
		g.ID = id
		return err
	})
	return dbError(err, "create gas type", "gas type", g.Name)
}

// gasTypesDB reads from the database what GasTypes serves from the cache.
// GasTypes lists every gas type in id order.
func (s *Store) gasTypesDB(ctx context.Context) ([]core.GasType, error) {
	var out []core.GasType
	err := s.readDirect(ctx, func(c conn) (err error) {
		out, err = queryAll(c, `SELECT id, name FROM gas_types ORDER BY id`, nil, func(r *sql.Rows, g *core.GasType) error {
			return r.Scan(&g.ID, &g.Name)
		})
		return err
	})
	return out, dbError(err, "gas types", "gas type", "")
}

// CreateCountry stores co; a code taken is a Conflict. Its surrogate id
// stays in the store: the core knows a country by its code.
func (s *Store) CreateCountry(ctx context.Context, co *core.Country) error {
	err := s.write(ctx, func(c conn) error {
		_, err := c.insert(`INSERT INTO countries (code, name) VALUES (?, ?)`, co.Code, co.Name)
		return err
	})
	return dbError(err, "create country", "country", co.Code)
}

// CreateProvince stores p, of the country with p.Country's code, and sets
// its id; an unknown country is Invalid.
func (s *Store) CreateProvince(ctx context.Context, p *core.Province) error {
	defer s.cache.provinces.clear()
	err := s.write(ctx, func(c conn) error {
		var country int64
		if err := c.row(`SELECT id FROM countries WHERE code = ?`, p.Country).Scan(&country); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return &core.Error{Code: core.Invalid, Message: "no such country", Fields: map[string]string{"country": core.MsgNotExist}}
			}
			return err
		}
		id, err := c.insertWithID("provinces", p.ID, "country_id, name, active", country, p.Name, p.Active)
		p.ID = id
		return err
	})
	return dbError(err, "create province", "province", p.Name)
}

// CreateLocality stores l and sets its id.
func (s *Store) CreateLocality(ctx context.Context, l *core.Locality) error {
	defer s.cache.localities.clear()
	err := s.write(ctx, func(c conn) error {
		id, err := c.insertWithID("localities", l.ID, "province_id, name, active", l.ProvinceID, l.Name, l.Active)
		l.ID = id
		return err
	})
	return dbError(err, "create locality", "locality", l.Name)
}

// provinceCols reads a province of the table provinces (unaliased) with
// its country's code.
const provinceCols = `id, (SELECT code FROM countries WHERE countries.id = provinces.country_id), name, active`

func scanProvince(r *sql.Rows, p *core.Province) error {
	return r.Scan(&p.ID, &p.Country, &p.Name, &p.Active)
}

func scanLocality(r *sql.Rows, l *core.Locality) error {
	return r.Scan(&l.ID, &l.ProvinceID, &l.Name, &l.Active)
}

// queryAll scans every row of a query into a slice.
func queryAll[T any](c conn, query string, args []any, scan func(*sql.Rows, *T) error) ([]T, error) {
	var out []T
	err := eachRow(c, query, args, func(r *sql.Rows) error {
		var v T
		if err := scan(r, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// queryIDs returns the one integer column of every row of a query.
func queryIDs(c conn, query string, args []any) ([]int64, error) {
	return queryAll(c, query, args, func(r *sql.Rows, id *int64) error { return r.Scan(id) })
}

// eachRow calls fn on every row of a query.
func eachRow(c conn, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := c.query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// loadOrigins loads the origins a WHERE/ORDER BY/LIMIT tail selects, with
// their phones, e-mails and channels.
func loadOrigins(c conn, tail string, args ...any) ([]core.Origin, error) {
	out, err := queryAll(c, `SELECT id, name, icon FROM origins `+tail, args,
		func(r *sql.Rows, o *core.Origin) error { return r.Scan(&o.ID, &o.Name, &o.Icon) })
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	at := make(map[int64]*core.Origin, len(out))
	for i := range out {
		ids[i] = out[i].ID
		at[out[i].ID] = &out[i]
	}
	if err := eachRow(c, `SELECT origin_id, id, number FROM origin_phones WHERE origin_id IN `+in(len(ids))+` ORDER BY id`, anys(ids), func(r *sql.Rows) error {
		var oid int64
		var p core.OriginPhone
		if err := r.Scan(&oid, &p.ID, &p.Number); err != nil {
			return err
		}
		at[oid].Phones = append(at[oid].Phones, p)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := eachRow(c, `SELECT origin_id, id, email FROM origin_emails WHERE origin_id IN `+in(len(ids))+` ORDER BY id`, anys(ids), func(r *sql.Rows) error {
		var oid int64
		var e core.OriginEmail
		if err := r.Scan(&oid, &e.ID, &e.Email); err != nil {
			return err
		}
		at[oid].Emails = append(at[oid].Emails, e)
		return nil
	}); err != nil {
		return nil, err
	}
	err = eachRow(c, `SELECT origin_id, channel_id FROM origin_channels WHERE origin_id IN `+in(len(ids))+` ORDER BY origin_id, channel_id`, anys(ids), func(r *sql.Rows) error {
		var oid, ch int64
		if err := r.Scan(&oid, &ch); err != nil {
			return err
		}
		at[oid].ChannelIDs = append(at[oid].ChannelIDs, ch)
		return nil
	})
	return out, err
}

// loadSources loads the sources a WHERE/ORDER BY/LIMIT tail selects.
func loadSources(c conn, tail string, args ...any) ([]core.Source, error) {
	return queryAll(c, `SELECT id, dealer_id, channel_id, origin_id, data FROM sources `+tail, args, scanSource)
}

// loadProvinces loads the provinces a WHERE/ORDER BY/LIMIT tail selects.
func loadProvinces(c conn, tail string, args ...any) ([]core.Province, error) {
	return queryAll(c, `SELECT `+provinceCols+` FROM provinces `+tail, args, scanProvince)
}

// loadLocalities loads the localities a WHERE/ORDER BY/LIMIT tail selects.
func loadLocalities(c conn, tail string, args ...any) ([]core.Locality, error) {
	return queryAll(c, `SELECT id, province_id, name, active FROM localities `+tail, args, scanLocality)
}

// rowsByID loads the rows of what with these ids, in id order, unknown
// ids left out, on one snapshot: load reads the rows a WHERE/ORDER BY tail
// selects. This is what the store's by-id lookups read when their cache
// misses.
func rowsByID[T any](s *Store, ctx context.Context, what string, ids []int64, load func(c conn, tail string, args ...any) ([]T, error)) ([]T, error) {
	ids = core.DistinctIDs(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	var out []T
	err := s.readTx(ctx, func(c conn) error {
		var err error
		out, err = load(c, `WHERE id IN `+in(len(ids))+` ORDER BY id`, anys(ids)...)
		return err
	})
	return out, dbError(err, what+"s by id", what, ids)
}
