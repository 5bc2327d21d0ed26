package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"forecourt/internal/core"
)

// The outbox of background jobs (migration 0010, core/jobs.go). Claims go
// through the SQLite writer like every write; on PostgreSQL they select
// the due jobs FOR UPDATE SKIP LOCKED, so that runners on several servers
// claim different jobs without waiting for each other.

const jobColumns = `id, kind, payload, state, attempts, max_attempts, run_at, lease_owner, lease_until,
	last_error, result, created_at, updated_at, finished_at`

func scanJob(r interface{ Scan(...any) error }, j *core.Job) error {
	var state string
	var owner sql.NullString
	var runAt, created, updated int64
	var leaseUntil, finished sql.NullInt64
	if err := r.Scan(&j.ID, &j.Kind, &j.Payload, &state, &j.Attempts, &j.MaxAttempts, &runAt, &owner, &leaseUntil,
		&j.LastError, &j.Result, &created, &updated, &finished); err != nil {
		return err
	}
	if j.Payload == nil {
		j.Payload = []byte{}
	}
	j.State, j.LeaseOwner = core.JobState(state), owner.String
	j.RunAt, j.CreatedAt, j.UpdatedAt = fromMicros(runAt), fromMicros(created), fromMicros(updated)
	j.LeaseUntil, j.FinishedAt = timePtr(leaseUntil), timePtr(finished)
	return nil
}

// enqueueJob inserts j, prepared by core.PrepareJob, in c's transaction
// and sets its ID. It is the hook for a write that must enqueue its
// follow-up work atomically (a lead's creation, its webhook): the job
// exists if and only if that write commits.
func enqueueJob(c conn, j *core.Job) error {
	if j.State != core.JobQueued || j.Attempts != 0 || j.MaxAttempts <= 0 || j.Kind == "" {
		return fmt.Errorf("store: enqueue job: %q is not a new job (see core.PrepareJob)", j.Kind)
	}
	payload := j.Payload
	if payload == nil {
		payload = []byte{}
	}
	id, err := c.insert(`INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at)
		VALUES (?, ?, ?, 0, ?, ?, ?, ?)`,
		j.Kind, payload, string(core.JobQueued), j.MaxAttempts, micros(j.RunAt), micros(j.CreatedAt), micros(j.UpdatedAt))
	if err != nil {
		return err
	}
	j.ID = id
	return nil
}

// EnqueueJob implements core.Store.EnqueueJob.
func (s *Store) EnqueueJob(ctx context.Context, j *core.Job) error {
	err := s.writeWith(ctx, writeOpts{appendOnly: true, rerunnable: true}, func(c conn) error { return enqueueJob(c, j) })
	return dbError(err, "enqueue job", "job", j.Kind)
}

// HasDueJobs implements core.Store.HasDueJobs: on SQLite a read of the read
// pool, so that idle runners never wait for the writer. Like every read it
// is bounded by the store's timeout and reports an unreachable database as
// Unavailable (health.go), which the runner's poll meets first.
func (s *Store) HasDueJobs(ctx context.Context, kinds []string, at time.Time) (bool, error) {
	if len(kinds) == 0 {
		return false, nil
	}
	k := in(len(kinds))
	var due bool
	err := s.readDirect(ctx, func(c conn) error {
		return c.row(`SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'queued' AND run_at <= ? AND kind IN `+k+`)
		OR EXISTS (SELECT 1 FROM jobs WHERE state = 'running' AND lease_until <= ? AND kind IN `+k+`)`,
			append(append(append([]any{micros(at)}, anys(kinds)...), micros(at)), anys(kinds)...)...).Scan(&due)
	})
	if err != nil {
		return false, dbError(err, "due jobs", "job", "")
	}
	return due, nil
}

// ClaimJobs implements core.Store.ClaimJobs.
func (s *Store) ClaimJobs(ctx context.Context, kinds []string, owner string, at time.Time, lease time.Duration, limit int) ([]core.Job, error) {
	if len(kinds) == 0 || limit <= 0 {
		return nil, nil
	}
	if owner == "" || lease <= 0 {
		return nil, core.Errorf(core.Invalid, "a claim needs an owner and a lease")
	}
	var out []core.Job
	err := s.writeWith(ctx, writeOpts{appendOnly: true, rerunnable: true}, func(c conn) error {
		out = nil
		lock := ""
		if c.pg {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		k := in(len(kinds))
		ids, err := queryIDs(c, `SELECT id FROM jobs WHERE state = 'running' AND lease_until <= ? AND kind IN `+k+
			` ORDER BY lease_until, id LIMIT ?`+lock, append(append([]any{micros(at)}, anys(kinds)...), limit))
		if err != nil {
			return err
		}
		if len(ids) < limit {
			queued, err := queryIDs(c, `SELECT id FROM jobs WHERE state = 'queued' AND run_at <= ? AND kind IN `+k+
				` ORDER BY run_at, id LIMIT ?`+lock, append(append([]any{micros(at)}, anys(kinds)...), limit-len(ids)))
			if err != nil {
				return err
			}
			ids = append(ids, queued...)
		}
		if len(ids) == 0 {
			return nil
		}
		claimed := make(map[int64]core.Job, len(ids))
		err = eachRow(c, `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_until = ?, updated_at = ?
			WHERE id IN `+in(len(ids))+` RETURNING `+jobColumns,
			append([]any{owner, micros(at.Add(lease)), micros(at)}, anys(ids)...), func(r *sql.Rows) error {
				var j core.Job
				if err := scanJob(r, &j); err != nil {
					return err
				}
				claimed[j.ID] = j
				return nil
			})
		if err != nil {
			return err
		}
		for _, id := range ids { // expired leases first, then by run_at
			out = append(out, claimed[id])
		}
		return nil
	})
	if err != nil {
		return nil, dbError(err, "claim jobs", "job", "")
	}
	return out, nil
}

// FinishJob implements core.Store.FinishJob.
func (s *Store) FinishJob(ctx context.Context, j core.Job, owner string, attempt int) error {
	switch j.State {
	case core.JobQueued, core.JobDone, core.JobFailed:
	default:
		return fmt.Errorf("store: finish job %d: state %q", j.ID, j.State)
	}
	err := s.writeWith(ctx, writeOpts{appendOnly: true, rerunnable: true}, func(c conn) error {
		res, err := c.exec(`UPDATE jobs SET state = ?, attempts = ?, run_at = ?, last_error = ?, result = ?, updated_at = ?, finished_at = ?,
			lease_owner = NULL, lease_until = NULL
			WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ?`,
			string(j.State), j.Attempts, micros(j.RunAt), j.LastError, j.Result, micros(j.UpdatedAt), microsPtr(j.FinishedAt),
			j.ID, owner, attempt)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = core.ErrLeaseLost
			}
			return err
		}
		return nil
	})
	return dbError(err, "finish job", "job", j.ID)
}

// Job implements core.Store.Job.
func (s *Store) Job(ctx context.Context, id int64) (core.Job, error) {
	var j core.Job
	err := scanJob(s.reader(ctx).row(`SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id), &j)
	if err != nil {
		return core.Job{}, dbError(err, "job", "job", id)
	}
	return j, nil
}
