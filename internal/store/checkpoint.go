package store

import (
	"database/sql"
	"sync/atomic"
	"time"
)

// SQLite's WAL is copied back into the database file by checkpoints. Left
// to the writer (wal_autocheckpoint), a checkpoint runs inside the commit
// that fills the WAL: ~3.5% of a lead's creation spent by the one goroutine
// every write waits for, and a pause of every waiting request while it
// runs (the p99 of creation). A checkpoint needs no write lock, so a
// connection of its own runs it beside the writer instead: every
// checkpointEvery while writes come, none while the store is idle. The
// writer keeps wal_autocheckpoint at walBackstop pages (64 MB), which it
// reaches only if these checkpoints fall behind.
const (
	checkpointEvery = 250 * time.Millisecond
	walBackstop     = 16000
)

// checkpointer runs PASSIVE checkpoints on its own connection.
type checkpointer struct {
	db   *sql.DB
	quit chan struct{}
	done chan struct{}
	// Checkpoints run, and the WAL frames the last one found and copied
	// (metrics, tests).
	runs              atomic.Int64
	walFrames, copied atomic.Int64
}

// startCheckpointer opens the checkpoint connection on dsn and runs it
// until stop. batches counts the writer's transactions: a tick without new
// ones does nothing.
func startCheckpointer(dsn string, batches *atomic.Int64) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{db: db, quit: make(chan struct{}), done: make(chan struct{})}
	go c.run(batches)
	return c, nil
}

func (c *checkpointer) run(batches *atomic.Int64) {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	seen := batches.Load()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
		}
		if b := batches.Load(); b != seen {
			seen = b
			c.checkpoint()
		}
	}
}

// checkpoint copies what it can of the WAL. A failure leaves the work to
// the next tick, and in the end to the writer's backstop.
func (c *checkpointer) checkpoint() {
	var busy, log, copied int64
	if err := c.db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &copied); err != nil {
		return
	}
	c.walFrames.Store(log)
	c.copied.Store(copied)
	c.runs.Add(1)
}

func (c *checkpointer) stop() error {
	close(c.quit)
	<-c.done
	return c.db.Close()
}

// WriterStats are counters of the SQLite write path, for metrics.
type WriterStats struct {
	Transactions int64 // the writer's transactions: batches, and indexing
	Writes       int64 // the writes they carried
	Checkpoints  int64 // checkpoints run beside the writer
	WALFrames    int64 // frames in the WAL at the last checkpoint
}

// WriterStats returns the counters of the SQLite write path; false on
// PostgreSQL, which has none.
func (s *Store) WriterStats() (WriterStats, bool) {
	if s.engine != SQLite || s.ckpt == nil {
		return WriterStats{}, false
	}
	return WriterStats{Transactions: s.batches.Load(), Writes: s.writeRequests.Load(),
		Checkpoints: s.ckpt.runs.Load(), WALFrames: s.ckpt.walFrames.Load()}, true
}
