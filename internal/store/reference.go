package store

import (
	"context"
	"database/sql"

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

// originsByIDDB reads from the database what OriginsByID serves from the cache.
// OriginsByID returns the origins with these ids in id order; unknown ids
// are left out.
func (s *Store) originsByIDDB(ctx context.Context, ids []int64) ([]core.Origin, error) {
	ids = uniq(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	var out []core.Origin
	err := s.readTx(ctx, func(c conn) error {
		var err error
		out, err = queryAll(c, `SELECT id, name, icon FROM origins WHERE id IN `+in(len(ids))+` ORDER BY id`, anys(ids),
			func(r *sql.Rows, o *core.Origin) error { return r.Scan(&o.ID, &o.Name, &o.Icon) })
		if err != nil || len(out) == 0 {
			return err
		}
		at := make(map[int64]*core.Origin, len(out))
		for i := range out {
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
			return err
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
			return err
		}
		return eachRow(c, `SELECT origin_id, channel_id FROM origin_channels WHERE origin_id IN `+in(len(ids))+` ORDER BY origin_id, channel_id`, anys(ids), func(r *sql.Rows) error {
			var oid, ch int64
			if err := r.Scan(&oid, &ch); err != nil {
				return err
			}
			at[oid].ChannelIDs = append(at[oid].ChannelIDs, ch)
			return nil
		})
	})
	return out, dbError(err, "origins by id", "origin", ids)
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

const sourceCols = `s.id, s.dealer_id, s.channel_id, s.origin_id, s.data`

func scanSource(r *sql.Rows, src *core.Source) error {
	return r.Scan(&src.ID, &src.DealerID, &src.ChannelID, &src.OriginID, &src.Data)
}

// sourcesByIDDB reads from the database what SourcesByID serves from the cache.
// SourcesByID returns the sources with these ids in id order; unknown ids
// are left out.
func (s *Store) sourcesByIDDB(ctx context.Context, ids []int64) ([]core.Source, error) {
	ids = uniq(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	var out []core.Source
	err := s.readDirect(ctx, func(c conn) (err error) {
		out, err = queryAll(c, `SELECT `+sourceCols+` FROM sources s WHERE s.id IN `+in(len(ids))+` ORDER BY s.id`, anys(ids), scanSource)
		return err
	})
	return out, dbError(err, "sources by id", "source", ids)
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

// CreateCountry stores co and sets its id.
func (s *Store) CreateCountry(ctx context.Context, co *core.Country) error {
	err := s.write(ctx, func(c conn) error {
		id, err := c.insertWithID("countries", co.ID, "code, name", co.Code, co.Name)
		co.ID = id
		return err
	})
	return dbError(err, "create country", "country", co.Code)
}

// CreateProvince stores p and sets its id.
func (s *Store) CreateProvince(ctx context.Context, p *core.Province) error {
	defer s.cache.provinces.clear()
	err := s.write(ctx, func(c conn) error {
		id, err := c.insertWithID("provinces", p.ID, "country_id, name, active", p.CountryID, p.Name, p.Active)
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

// provinceCols are the columns scanProvince reads.
const provinceCols = `id, country_id, name, active`

func scanProvince(r *sql.Rows, p *core.Province) error {
	return r.Scan(&p.ID, &p.CountryID, &p.Name, &p.Active)
}

func scanLocality(r *sql.Rows, l *core.Locality) error {
	return r.Scan(&l.ID, &l.ProvinceID, &l.Name, &l.Active)
}

// provincesByIDDB reads from the database what ProvincesByID serves from the cache.
// ProvincesByID returns the provinces with these ids in id order; unknown
// ids are left out.
func (s *Store) provincesByIDDB(ctx context.Context, ids []int64) ([]core.Province, error) {
	ids = uniq(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	var out []core.Province
	err := s.readDirect(ctx, func(c conn) (err error) {
		out, err = queryAll(c, `SELECT `+provinceCols+` FROM provinces WHERE id IN `+in(len(ids))+` ORDER BY id`, anys(ids), scanProvince)
		return err
	})
	return out, dbError(err, "provinces by id", "province", ids)
}

// localitiesByIDDB reads from the database what LocalitiesByID serves from the cache.
// LocalitiesByID returns the localities with these ids in id order; unknown
// ids are left out.
func (s *Store) localitiesByIDDB(ctx context.Context, ids []int64) ([]core.Locality, error) {
	ids = uniq(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	var out []core.Locality
	err := s.readDirect(ctx, func(c conn) (err error) {
		out, err = queryAll(c, `SELECT id, province_id, name, active FROM localities WHERE id IN `+in(len(ids))+` ORDER BY id`, anys(ids), scanLocality)
		return err
	})
	return out, dbError(err, "localities by id", "locality", ids)
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
