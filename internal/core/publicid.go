package core

import (
	"context"
	"strings"
	"unicode/utf8"
)

// RecordKind names the kinds of record that carry a public id (a UUIDv7),
// the identity the APIs with string or UUID ids render.
type RecordKind string

// The kinds of record with a public id.
const (
	RecordDealer RecordKind = "dealer"
	RecordUser   RecordKind = "user"
	RecordClient RecordKind = "client"
	RecordLead   RecordKind = "lead"
	RecordTask   RecordKind = "task"

	RecordAppointment   RecordKind = "appointment"
	RecordCommunication RecordKind = "communication"
	RecordContact       RecordKind = "contact"
)

// maxPublicID bounds the public ids looked up: a UUID has 36 characters.
const maxPublicID = 64

// lookablePublicID reports whether publicID can name a record: not empty,
// bounded, UTF-8 text without NUL. Anything else is no record's id, and
// is not sent to the store, where PostgreSQL refuses it as text (an id in
// a URL path is any bytes its percent-escapes say: /api/tickets/%ff).
func lookablePublicID(publicID string) bool {
	return publicID != "" && len(publicID) <= maxPublicID && utf8.ValidString(publicID) && !strings.ContainsRune(publicID, 0)
}

// ResolvePublicID returns the id of the record of kind whose public id is
// publicID, when the principal may see it: a record of one of its dealers,
// or a user who shares one with it (or itself). Anything else, an unknown
// id included, is NotFound.
func (s *Service) ResolvePublicID(ctx context.Context, kind RecordKind, publicID string) (int64, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return 0, err
	}
	notFound := errNotFound(string(kind))
	if !lookablePublicID(publicID) {
		return 0, notFound
	}
	id, dealers, err := s.store.ResolvePublicID(ctx, kind, publicID)
	if err != nil {
		return 0, err
	}
	if kind == RecordUser && id == p.UserID {
		return id, nil
	}
	for _, d := range dealers {
		if p.CanSee(d) {
			return id, nil
		}
	}
	return 0, notFound
}
