package main

import (
	"context"
	"log/slog"

	"forecourt/internal/core"
)

// startJobs starts the runner of background jobs over st (see
// core.Runner) and returns the function that stops it: it cancels the
// handlers still running, puts their jobs back in the queue and returns
// once the runner is done, so call it before the store is closed.
//
// The APIs that have background work register their job kinds on the
// runner here (Walcu's exports, Casabaca's e-mails). Until one does, the
// runner claims nothing and only waits for the server to stop.
func startJobs(ctx context.Context, st core.Store, log *slog.Logger) (stop func()) {
	r := core.NewRunner(st, core.WithRunnerLogger(log))
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.Run(ctx); err != nil {
			log.Error("job runner", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
