package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"forecourt/internal/core"
)

// Job outputs (migration 0021, core/joboutputs.go): what a job writes for
// a client to fetch, in chunks, next to its job.

const jobOutputColumns = `o.job_id, o.public_id, o.dealer_id, o.user_id, o.api_key_id, o.subject, o.items, o.chunks, o.bytes,
	o.created_at, o.expires_at`

// EnqueueJobOutput implements core.Store.EnqueueJobOutput. On PostgreSQL
// the dealer's row is taken FOR UPDATE first, so that two servers
// starting a job of one dealer at once count each other's.
func (s *Store) EnqueueJobOutput(ctx context.Context, j *core.Job, o *core.JobOutput, maxActive int) error {
	err := s.write(ctx, func(c conn) error {
		if c.pg {
			if _, err := c.exec(`SELECT id FROM dealers WHERE id = ? FOR UPDATE`, o.DealerID); err != nil {
				return err
			}
		}
		var active int
		if err := c.row(`SELECT count(*) FROM job_outputs o JOIN jobs j ON j.id = o.job_id
			WHERE o.dealer_id = ? AND j.state IN ('queued', 'running')`, o.DealerID).Scan(&active); err != nil {
			return err
		}
		if active >= maxActive {
			return &core.Error{Code: core.Throttled, RetryAfter: 10 * time.Second,
				Message: fmt.Sprintf("the dealer has %d jobs queued or running, the most it may have: wait for one to finish", active)}
		}
		if err := enqueueJob(c, j); err != nil {
			return err
		}
		o.JobID, o.PublicID = j.ID, newPublicID()
		_, err := c.exec(`INSERT INTO job_outputs (job_id, public_id, dealer_id, user_id, api_key_id, subject, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, o.JobID, o.PublicID, o.DealerID, nullID(o.UserID), nullID(o.APIKeyID), o.Subject,
			micros(o.CreatedAt), micros(o.ExpiresAt))
		return err
	})
	return dbError(err, "enqueue job output", "job", j.Kind)
}

func (s *Store) jobOutput(ctx context.Context, where string, arg any) (core.JobOutput, error) {
	var o core.JobOutput
	var user, key sql.NullInt64
	var created, expires int64
	var state string
	var owner sql.NullString
	var runAt, jcreated, updated int64
	var leaseUntil, finished sql.NullInt64
	j := &o.Job
	err := s.reader(ctx).row(`SELECT `+jobOutputColumns+`, j.id, j.kind, j.state, j.attempts, j.max_attempts, j.run_at,
		j.lease_owner, j.lease_until, j.last_error, j.result, j.created_at, j.updated_at, j.finished_at
		FROM job_outputs o JOIN jobs j ON j.id = o.job_id WHERE `+where, arg).Scan(
		&o.JobID, &o.PublicID, &o.DealerID, &user, &key, &o.Subject, &o.Items, &o.Chunks, &o.Bytes, &created, &expires,
		&j.ID, &j.Kind, &state, &j.Attempts, &j.MaxAttempts, &runAt, &owner, &leaseUntil, &j.LastError, &j.Result,
		&jcreated, &updated, &finished)
	if err != nil {
		return core.JobOutput{}, dbError(err, "job output", "job", arg)
	}
	o.UserID, o.APIKeyID = user.Int64, key.Int64
	o.CreatedAt, o.ExpiresAt = fromMicros(created), fromMicros(expires)
	j.State, j.LeaseOwner, j.Payload = core.JobState(state), owner.String, []byte{}
	j.RunAt, j.CreatedAt, j.UpdatedAt = fromMicros(runAt), fromMicros(jcreated), fromMicros(updated)
	j.LeaseUntil, j.FinishedAt = timePtr(leaseUntil), timePtr(finished)
	return o, nil
}

// JobOutput implements core.Store.JobOutput.
func (s *Store) JobOutput(ctx context.Context, publicID string) (core.JobOutput, error) {
	return s.jobOutput(ctx, `o.public_id = ?`, publicID)
}

// JobOutputOf implements core.Store.JobOutputOf.
func (s *Store) JobOutputOf(ctx context.Context, jobID int64) (core.JobOutput, error) {
	return s.jobOutput(ctx, `o.job_id = ?`, jobID)
}

// ResetJobOutput implements core.Store.ResetJobOutput.
func (s *Store) ResetJobOutput(ctx context.Context, jobID int64) error {
	err := s.write(ctx, func(c conn) error {
		if _, err := c.exec(`DELETE FROM job_chunks WHERE job_id = ?`, jobID); err != nil {
			return err
		}
		_, err := c.exec(`UPDATE job_outputs SET items = 0, chunks = 0, bytes = 0 WHERE job_id = ?`, jobID)
		return err
	})
	return dbError(err, "reset job output", "job", jobID)
}

// AppendJobChunk implements core.Store.AppendJobChunk.
func (s *Store) AppendJobChunk(ctx context.Context, jobID int64, seq int, data []byte, items int) error {
	if len(data) > core.MaxJobChunk {
		return fmt.Errorf("store: job %d: a chunk of %d bytes", jobID, len(data))
	}
	err := s.writeWith(ctx, writeOpts{appendOnly: true, rerunnable: true}, func(c conn) error {
		if _, err := c.exec(`INSERT INTO job_chunks (job_id, seq, data) VALUES (?, ?, ?)`, jobID, seq, data); err != nil {
			return err
		}
		_, err := c.exec(`UPDATE job_outputs SET items = items + ?, chunks = chunks + 1, bytes = bytes + ? WHERE job_id = ?`,
			items, len(data), jobID)
		return err
	})
	return dbError(err, "append job chunk", "job", jobID)
}

// JobChunks implements core.Store.JobChunks.
func (s *Store) JobChunks(ctx context.Context, jobID int64, seq, limit int) ([][]byte, error) {
	var out [][]byte
	err := eachRow(s.reader(ctx), `SELECT data FROM job_chunks WHERE job_id = ? AND seq >= ? ORDER BY seq LIMIT ?`,
		[]any{jobID, seq, limit}, func(r *sql.Rows) error {
			var b []byte
			if err := r.Scan(&b); err != nil {
				return err
			}
			out = append(out, b)
			return nil
		})
	if err != nil {
		return nil, dbError(err, "job chunks", "job", jobID)
	}
	return out, nil
}

// DeleteExpiredJobOutputs implements core.Store.DeleteExpiredJobOutputs.
// A running job's output is left until it finishes.
func (s *Store) DeleteExpiredJobOutputs(ctx context.Context, at time.Time, limit int) (int, error) {
	n := 0
	err := s.write(ctx, func(c conn) error {
		ids, err := queryIDs(c, `SELECT o.job_id FROM job_outputs o JOIN jobs j ON j.id = o.job_id
			WHERE o.expires_at <= ? AND j.state <> 'running' ORDER BY o.expires_at LIMIT ?`, []any{micros(at), limit})
		if err != nil || len(ids) == 0 {
			n = 0
			return err
		}
		for _, table := range []string{"job_chunks", "job_outputs"} {
			if _, err := c.exec(`DELETE FROM `+table+` WHERE job_id IN `+in(len(ids)), anys(ids)...); err != nil {
				return err
			}
		}
		if _, err := c.exec(`DELETE FROM jobs WHERE id IN `+in(len(ids)), anys(ids)...); err != nil {
			return err
		}
		n = len(ids)
		return nil
	})
	return n, dbError(err, "delete expired job outputs", "job", "")
}
