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

// NormalPublicID returns publicID as the store keeps it: a UUID-shaped id
// (8-4-4-4-12 hexadecimal digits) in lower case, since a UUID's text is
// case-insensitive on input (RFC 9562, section 4: "input is
// case-insensitive") and every UUID forecourt hands out is written in
// lower case; anything else unchanged. An integrator that upper-cases a
// UUID (.NET's Guid.ToString("D").ToUpper(), SQL Server's NEWID()) finds
// the same record (docs/decisions.md, "Public ids case aside").
func NormalPublicID(publicID string) string {
	if len(publicID) != 36 {
		return publicID
	}
	upper := false
	for i := 0; i < len(publicID); i++ {
		c := publicID[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return publicID
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			upper = true
		default:
			return publicID
		}
	}
	if !upper {
		return publicID
	}
	return strings.ToLower(publicID)
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
	id, dealers, err := s.store.ResolvePublicID(ctx, kind, NormalPublicID(publicID))
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
