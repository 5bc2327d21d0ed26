package core

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// A job's output is what a background job writes for a client to fetch
// later (a Walcu export: every document a filter selects). It belongs to
// one dealer, is named by a public id (the URL's), and is kept in the
// database in chunks, so that any server over one PostgreSQL serves what
// another wrote, and a reader streams it chunk by chunk whatever its size.
// It expires JobOutputTTL after its creation: SweepJobOutputs deletes it
// then, with its job. See docs/decisions.md, "Job outputs".

// JobOutput is a job's output and where its job stands.
type JobOutput struct {
	JobID     int64
	PublicID  string
	DealerID  int64
	UserID    int64 // the user who started it; 0 for an API key acting as no user
	APIKeyID  int64 // the API key that started it, if one did
	Subject   string
	Items     int64 // items written so far
	Chunks    int
	Bytes     int64
	CreatedAt time.Time
	ExpiresAt time.Time
	Job       Job
}

// Bounds of job outputs.
const (
	// MaxActiveOutputs bounds the jobs with an output a dealer has queued
	// or running at once: one more is Throttled.
	MaxActiveOutputs = 4
	// JobOutputTTL is how long an output is kept after its job was
	// created: past it, it is NotFound and the sweep deletes it.
	JobOutputTTL = 24 * time.Hour
	// MaxJobChunk is the most bytes one chunk holds: a reader holds at
	// most this times the chunks it reads at once.
	MaxJobChunk = 256 << 10
	// MaxSubjectLen bounds an output's subject.
	MaxSubjectLen = 200
)

// JobOutputStore keeps job outputs (store/joboutputs.go).
type JobOutputStore interface {
	// EnqueueJobOutput stores the job j, prepared by PrepareJob, and its
	// output o, prepared by StartJobOutput, in one transaction, and sets
	// their ids; unless o's dealer has maxActive outputs whose job is
	// queued or running, which is Throttled and stores nothing.
	EnqueueJobOutput(ctx context.Context, j *Job, o *JobOutput, maxActive int) error
	// JobOutput returns the output whose public id is publicID, with its
	// job; NotFound when there is none.
	JobOutput(ctx context.Context, publicID string) (JobOutput, error)
	// JobOutputOf returns job jobID's output, with its job.
	JobOutputOf(ctx context.Context, jobID int64) (JobOutput, error)
	// ResetJobOutput deletes what job jobID's output holds, for a run
	// that writes it anew.
	ResetJobOutput(ctx context.Context, jobID int64) error
	// AppendJobChunk stores chunk seq of job jobID's output and adds
	// items to its count.
	AppendJobChunk(ctx context.Context, jobID int64, seq int, data []byte, items int) error
	// JobChunks reads up to limit chunks of job jobID's output from seq
	// on, in order.
	JobChunks(ctx context.Context, jobID int64, seq, limit int) ([][]byte, error)
	// DeleteExpiredJobOutputs deletes up to limit outputs that expired at
	// or before at, with their chunks and jobs, and says how many.
	DeleteExpiredJobOutputs(ctx context.Context, at time.Time, limit int) (int, error)
}

// StartJobOutput enqueues a job of kind with payload, whose output on
// subject belongs to dealerID, for the principal, who must see the
// dealer (else NotFound). A dealer has at most MaxActiveOutputs queued
// or running: one more is Throttled.
func (s *Service) StartJobOutput(ctx context.Context, dealerID int64, kind, subject string, payload []byte) (JobOutput, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return JobOutput{}, err
	}
	if !p.CanSee(dealerID) {
		return JobOutput{}, errNotFound("dealer")
	}
	if subject == "" || len(subject) > MaxSubjectLen || !utf8.ValidString(subject) || strings.ContainsRune(subject, 0) {
		return JobOutput{}, &Error{Code: Invalid, Message: "invalid subject", Fields: map[string]string{"subject": MsgInvalid}}
	}
	now := s.Now()
	j := Job{Kind: kind, Payload: payload}
	if err := PrepareJob(&j, now); err != nil {
		return JobOutput{}, err
	}
	o := JobOutput{DealerID: dealerID, UserID: p.UserID, APIKeyID: p.APIKeyID, Subject: subject,
		CreatedAt: now, ExpiresAt: now.Add(JobOutputTTL)}
	if err := s.store.EnqueueJobOutput(ctx, &j, &o, MaxActiveOutputs); err != nil {
		return JobOutput{}, err
	}
	o.Job = j
	return o, nil
}

// JobOutput returns the output publicID of dealerID, with where its job
// stands, when the principal sees the dealer; any other, an expired one
// included, is NotFound, and so is an id that is no UTF-8 text or holds a
// NUL, before the store (Walcu's /jobs/%ff answered 500 on PostgreSQL).
func (s *Service) JobOutput(ctx context.Context, dealerID int64, publicID string) (JobOutput, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return JobOutput{}, err
	}
	notFound := errNotFound("job")
	if !p.CanSee(dealerID) || !lookablePublicID(publicID) {
		return JobOutput{}, notFound
	}
	o, err := s.store.JobOutput(ctx, NormalPublicID(publicID))
	if ErrorCode(err) == NotFound {
		return JobOutput{}, notFound
	}
	if err != nil {
		return JobOutput{}, err
	}
	if o.DealerID != dealerID || !s.Now().Before(o.ExpiresAt) {
		return JobOutput{}, notFound
	}
	return o, nil
}

// JobChunks reads up to limit chunks of o's output from seq on, o read
// by JobOutput, when the principal sees its dealer.
func (s *Service) JobChunks(ctx context.Context, o JobOutput, seq, limit int) ([][]byte, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	if !p.CanSee(o.DealerID) {
		return nil, errNotFound("job")
	}
	return s.store.JobChunks(ctx, o.JobID, seq, limit)
}

// OutputPrincipal is who a job that writes an output acts for: the
// principal that started it, on the output's dealer only.
func OutputPrincipal(o JobOutput) Principal {
	return Principal{UserID: o.UserID, APIKeyID: o.APIKeyID, DealerIDs: []int64{o.DealerID}}
}

// OutputOf returns job j's output, for its handler.
func (s *Service) OutputOf(ctx context.Context, j Job) (JobOutput, error) {
	return s.store.JobOutputOf(ctx, j.ID)
}

// SweepJobOutputs deletes the outputs that have expired, with their jobs,
// a batch at a time, and says how many.
func (s *Service) SweepJobOutputs(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.store.DeleteExpiredJobOutputs(ctx, s.Now(), 100)
		total += n
		if err != nil || n < 100 {
			return total, err
		}
	}
}

// OutputWriter writes a job's output: it empties what an earlier run
// wrote, then gathers what it is given in chunks of about MaxJobChunk,
// storing each when full. Close stores the last.
type OutputWriter struct {
	store Store
	job   int64
	seq   int
	buf   []byte
	items int
}

// NewOutputWriter starts job j's output anew.
func (s *Service) NewOutputWriter(ctx context.Context, j Job) (*OutputWriter, error) {
	if err := s.store.ResetJobOutput(ctx, j.ID); err != nil {
		return nil, err
	}
	return &OutputWriter{store: s.store, job: j.ID, buf: make([]byte, 0, MaxJobChunk)}, nil
}

// Write adds p, which holds items items, to the output. p longer than
// MaxJobChunk is split across chunks.
func (w *OutputWriter) Write(ctx context.Context, p []byte, items int) error {
	w.items += items
	for len(p) > 0 {
		n := min(len(p), MaxJobChunk-len(w.buf))
		w.buf, p = append(w.buf, p[:n]...), p[n:]
		if len(w.buf) == MaxJobChunk {
			if err := w.flush(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *OutputWriter) flush(ctx context.Context) error {
	if len(w.buf) == 0 && w.items == 0 {
		return nil
	}
	if err := w.store.AppendJobChunk(ctx, w.job, w.seq, w.buf, w.items); err != nil {
		return fmt.Errorf("job %d: chunk %d: %w", w.job, w.seq, err)
	}
	w.seq++
	w.buf, w.items = w.buf[:0], 0
	return nil
}

// Close stores what is left.
func (w *OutputWriter) Close(ctx context.Context) error { return w.flush(ctx) }
