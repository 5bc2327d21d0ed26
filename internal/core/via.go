package core

import "context"

// The API a request came through, which a lead's history records (History.Via):
// the server names each API's requests by the API's name ("sml", "walcu",
// "casabaca", "leadbank", "leancore") and the staff's interface its own
// (ViaWeb), so that a lead's history says through which one each change was
// made.

// ViaWeb is the Via of the staff's web interface.
const ViaWeb = "web"

// maxVia bounds a Via: it is a short name the server chooses, never a
// client's text.
const maxVia = 32

type viaKey struct{}

// WithVia returns ctx naming api as the channel its requests come through.
// Authenticate carries it into the Principal (Principal.Via), and every
// history entry the principal's changes write records it.
func WithVia(ctx context.Context, api string) context.Context {
	if len(api) > maxVia {
		api = api[:maxVia]
	}
	return context.WithValue(ctx, viaKey{}, api)
}

// ViaFrom returns the channel WithVia put in ctx; "" when none.
func ViaFrom(ctx context.Context) string {
	v, _ := ctx.Value(viaKey{}).(string)
	return v
}
