package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/walcu"
)

// sweepEvery is how often a server deletes the job outputs that expired
// (core.JobOutputTTL after their creation).
const sweepEvery = 10 * time.Minute

// startJobs starts the runner of background jobs over svc's store st (see
// core.Runner) and the sweep of expired job outputs, and returns the
// function that stops them: it cancels the handlers still running, puts
// their jobs back in the queue and returns once the runner is done, so
// call it before the store is closed.
//
// The APIs that have background work register their job kinds on the
// runner here: Walcu's exports.
func startJobs(ctx context.Context, st core.Store, svc *core.Service, log *slog.Logger) (stop func()) {
	r := core.NewRunner(st, core.WithRunnerLogger(log))
	walcu.RegisterJobs(r, svc, walcu.WithLogger(log))
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		if err := r.Run(ctx); err != nil {
			log.Error("job runner", "err", err)
		}
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		tick := time.NewTicker(sweepEvery)
		defer tick.Stop()
		for {
			// an unreachable database is the store's to report; a commit
			// cut by an outage (outcome unknown) is swept again next time
			n, err := svc.SweepJobOutputs(ctx)
			switch {
			case err != nil && ctx.Err() == nil && errors.Is(err, core.ErrOutcomeUnknown):
				log.Warn("sweep job outputs: connection lost at commit, swept again later", "err", err)
			case err != nil && ctx.Err() == nil && core.ErrorCode(err) != core.Unavailable:
				log.Error("sweep job outputs", "err", err)
			case err == nil && n > 0:
				log.Info("swept expired job outputs", "n", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	var stopped bool
	return func() {
		cancel()
		if !stopped {
			stopped = true
			<-done
			<-done
		}
	}
}
