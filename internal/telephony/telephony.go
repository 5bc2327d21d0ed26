// Package telephony holds the click-to-call bridges core.Service dials
// through. LogDialer is the one forecourt ships: it places no real call and
// only logs what a bridge would be asked to do, for the demo and the tests.
package telephony

import (
	"context"
	"log/slog"
	"sync/atomic"

	"forecourt/internal/core"
)

// lastCallID is shared by every LogDialer, so that copies of one (core takes
// the Dialer by value) never hand out the same id twice in a process.
var lastCallID atomic.Int64

// LogDialer is a core.Dialer that logs each call and answers increasing call
// ids (1, 2, 3…, per process) as a bridge's call-control id.
type LogDialer struct {
	Log *slog.Logger // nil logs to slog.Default()
}

var _ core.Dialer = LogDialer{}

// Dial logs c and returns the next call id.
func (d LogDialer) Dial(ctx context.Context, c core.Call) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	id := lastCallID.Add(1)
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	log.InfoContext(ctx, "click2call", "call_control", id, "lead", c.LeadID,
		"dealer_phone", c.DealerPhone, "caller_id", c.CallerID, "extension", c.UserExtension, "client_phone", c.ClientPhone)
	return id, nil
}
