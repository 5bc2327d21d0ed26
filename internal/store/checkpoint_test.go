package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestCheckpointer checks that the WAL is checkpointed beside the writer
// once writes come, not while the store is idle, and that the writer's own
// checkpoints are only the backstop.
func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "ck.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var backstop int
	if err := s.db.QueryRow(`PRAGMA wal_autocheckpoint`).Scan(&backstop); err != nil || backstop != walBackstop {
		t.Fatalf("writer's wal_autocheckpoint: %d, %v; want %d", backstop, err, walBackstop)
	}

	time.Sleep(3 * checkpointEvery)
	if n := s.ckpt.runs.Load(); n != 0 {
		t.Fatalf("%d checkpoints while idle", n)
	}

	for i := range 20 {
		d := core.Dealer{Name: "Dealer " + string(rune('a'+i)), Country: "ES", TimeZone: "Europe/Madrid", CreatedAt: time.Now()}
		if err := s.CreateDealer(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.ckpt.runs.Load() == 0 || s.ckpt.copied.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint copied the WAL after writes (runs %d)", s.ckpt.runs.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if log, copied := s.ckpt.walFrames.Load(), s.ckpt.copied.Load(); copied != log {
		t.Fatalf("checkpoint copied %d of %d frames with no reader in the way", copied, log)
	}
}
