package store_test

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// BenchmarkAddTask: one task added to a lead, its own transaction (as
// core.Service.CreateTask writes it, without the history entry), the cost
// of the tasks' indexes and of migration 0056's triggers included (the
// task takes its lead's dealer and assignee). It reports the process's
// CPU per task (user + system, getrusage) and, on PostgreSQL (a cluster
// on this machine), the server's: the store's pool is held to one
// connection, whose backend's CPU is read from /proc. It compiles on a
// build without 0056, for an A/B.
func BenchmarkAddTask(b *testing.B) {
	testkit.EnginesB(b, func(b *testing.B, s *store.Store) {
		backend := serverCPU(b, s)
		f := testkit.NewFixture(b, s, "tasks")
		l := f.Lead(1)
		l.UserID = &f.User.ID
		if err := s.CreateLead(ctx, &l, nil); err != nil {
			b.Fatal(err)
		}
		at := testkit.Now
		cpu0, server0 := cpuTime(b), backend()
		for b.Loop() {
			at = at.Add(time.Minute)
			err := s.EditLead(ctx, l.ID, func(tx core.LeadTx) error {
				return tx.AddTask(&core.Task{Type: core.TaskBudget, Media: core.MediaPhone, PlannedAt: &at, CreatedAt: at}, &f.User.ID)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, s, cpu0, server0, backend)
	})
}

// serverCPU holds s's pool to one connection on PostgreSQL (a cluster on
// this machine) and returns a reader of its backend's CPU so far, in ns;
// on SQLite one that reads 0.
func serverCPU(b *testing.B, s *store.Store) func() int64 {
	if s.Engine() != store.Postgres {
		return func() int64 { return 0 }
	}
	s.DB().SetMaxOpenConns(1)
	var pid int
	if err := s.DB().QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		b.Fatal(err)
	}
	return func() int64 { return procCPU(b, pid) }
}

// reportCPU reports the process's CPU per operation since cpu0 and, on
// PostgreSQL, the backend's since server0.
func reportCPU(b *testing.B, s *store.Store, cpu0, server0 int64, backend func() int64) {
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N)/1e3, "cpu-µs/op")
	if s.Engine() == store.Postgres {
		b.ReportMetric(float64(backend()-server0)/float64(b.N)/1e3, "pg-cpu-µs/op")
	}
}

// procCPU is the user and system CPU time of process pid so far, in ns,
// from /proc (clock ticks of 10 ms: measure thousands of operations).
func procCPU(b *testing.B, pid int) int64 {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return (utime + stime) * 1e7 // USER_HZ is 100 on Linux
}

// BenchmarkCreateLeadOneConn: whole leads (each with a task: testkit's
// Fixture.Lead) created one after the other, the pool held to one
// connection on PostgreSQL so that its backend's CPU per lead is read
// from /proc: on PostgreSQL a lead's creation writes its tasks without
// their lead's dealer and assignee (pgcombine.go), which migration
// 0056's AFTER trigger then writes. It compiles on a build without 0056.
func BenchmarkCreateLeadOneConn(b *testing.B) {
	testkit.EnginesB(b, func(b *testing.B, s *store.Store) {
		backend := serverCPU(b, s)
		f := testkit.NewFixture(b, s, "leads")
		i := 0
		cpu0, server0 := cpuTime(b), backend()
		for b.Loop() {
			i++
			l := f.Lead(i)
			if err := s.CreateLead(ctx, &l, nil); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, s, cpu0, server0, backend)
	})
}
