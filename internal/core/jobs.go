package core

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Background work (a Walcu export, a Casabaca e-mail, a webhook) is kept as
// Jobs in the store's outbox, a table of its own, so that it survives a
// restart and runs once across several servers over one PostgreSQL. A
// Runner claims the jobs that are due under a lease, runs the JobHandler
// registered for each job's kind, and records the outcome. See
// docs/decisions.md, "Background jobs".

// JobState is where a job stands.
type JobState string

// The job states. A job is queued until a runner claims it (running);
// then done, failed, or queued again for a retry.
const (
	JobQueued  JobState = "queued"  // waiting for its RunAt: first run or a retry
	JobRunning JobState = "running" // claimed by a runner, until LeaseUntil
	JobDone    JobState = "done"
	JobFailed  JobState = "failed" // gave up after MaxAttempts; LastError says why
)

// Job is one piece of background work.
type Job struct {
	ID          int64
	Kind        string // says which JobHandler runs it
	Payload     []byte // the handler's input, in a format the kind defines
	State       JobState
	Attempts    int // runs started so far
	MaxAttempts int
	RunAt       time.Time  // when a queued job is due
	LeaseOwner  string     // the runner that claimed it, while running
	LeaseUntil  *time.Time // when its claim expires, while running
	LastError   string     // the error of the last run that failed
	Result      string     // a reference to what a done job produced (a file, a message id)
	CreatedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  *time.Time // when it became done or failed
}

// Limits and defaults of jobs.
const (
	// DefaultJobAttempts is how many times a job runs at most when it
	// asks for no number: the first run and 7 retries, over about 21
	// minutes of backoff.
	DefaultJobAttempts = 8
	// MaxJobAttempts bounds Job.MaxAttempts.
	MaxJobAttempts = 100
	// MaxJobPayload bounds a job's payload (bytes).
	MaxJobPayload = 1 << 20
	// MaxJobKindLen bounds a job's kind.
	MaxJobKindLen = 100
	// MaxJobErrorLen bounds the error text kept in LastError (bytes).
	MaxJobErrorLen = 2000

	// JobPollInterval is how often an idle Runner looks for due jobs.
	JobPollInterval = time.Second
	// JobTimeout is how long a handler may run; its context is cancelled
	// then.
	JobTimeout = 5 * time.Minute
	// JobLease is how long a claim lasts: past it, the job counts as
	// abandoned (its server died) and any runner claims it again. It
	// outlasts JobTimeout, so a live runner has given up on the job
	// before another takes it.
	JobLease = JobTimeout + time.Minute
	// JobConcurrency is how many jobs a Runner runs at once.
	JobConcurrency = 4

	jobBackoffBase = 10 * time.Second
	jobBackoffMax  = time.Hour
)

// JobBackoff is how long a job waits after its attempt-th run failed
// before it runs again: 10 s, 20 s, 40 s …, doubling, at most an hour.
func JobBackoff(attempt int) time.Duration {
	d := jobBackoffBase
	for i := 1; i < attempt && d < jobBackoffMax; i++ {
		d *= 2
	}
	return min(d, jobBackoffMax)
}

// EnqueueJob stores a new job, queued to run at j.RunAt (at once when
// zero), up to j.MaxAttempts times (DefaultJobAttempts when zero).
func (s *Service) EnqueueJob(ctx context.Context, j Job) (Job, error) {
	if err := PrepareJob(&j, s.Now()); err != nil {
		return Job{}, err
	}
	if err := s.store.EnqueueJob(ctx, &j); err != nil {
		return Job{}, err
	}
	return j, nil
}

// PrepareJob validates a new job and sets what a new job starts with:
// queued, no attempt, RunAt now when zero, the default MaxAttempts, its
// creation time. Store.EnqueueJob stores it as prepared.
func PrepareJob(j *Job, now time.Time) error {
	fe := FieldErrors{}
	j.Kind = strings.TrimSpace(j.Kind)
	switch {
	case j.Kind == "":
		fe.Add("kind", MsgRequired)
	case len(j.Kind) > MaxJobKindLen || !utf8.ValidString(j.Kind) || strings.ContainsRune(j.Kind, 0):
		fe.Add("kind", MsgInvalid)
	}
	if len(j.Payload) > MaxJobPayload {
		fe.Add("payload", MsgTooLong)
	}
	if j.MaxAttempts < 0 || j.MaxAttempts > MaxJobAttempts {
		fe.Add("max_attempts", MsgOutOfRange)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if j.MaxAttempts == 0 {
		j.MaxAttempts = DefaultJobAttempts
	}
	if j.RunAt.IsZero() {
		j.RunAt = now
	}
	j.ID, j.State, j.Attempts = 0, JobQueued, 0
	j.RunAt = j.RunAt.UTC().Truncate(time.Microsecond)
	j.LeaseOwner, j.LeaseUntil, j.LastError, j.Result, j.FinishedAt = "", nil, "", "", nil
	j.CreatedAt, j.UpdatedAt = now, now
	if j.Payload == nil {
		j.Payload = []byte{}
	}
	return nil
}

// JobHandler runs one job. It returns a reference to what it produced (or
// ""), or the error that made this run fail: the job then runs again after
// JobBackoff, until it has run MaxAttempts times. ctx is cancelled after
// JobTimeout and when the runner stops. A job may run more than once (its
// server may die after the handler finished but before the outcome was
// stored): handlers must tolerate a repeat.
type JobHandler func(ctx context.Context, j Job) (result string, err error)

// Runner runs the jobs whose kind has a handler. Register handlers with
// Handle before Run. It is safe for concurrent use.
type Runner struct {
	store       Store
	now         func() time.Time
	log         *slog.Logger
	owner       string
	poll        time.Duration
	timeout     time.Duration
	lease       time.Duration
	concurrency int

	mu       sync.Mutex
	handlers map[string]JobHandler
	timeouts map[string]time.Duration // of the kinds registered with HandleWithTimeout
}

// RunnerOption configures a Runner.
type RunnerOption func(*Runner)

// WithRunnerClock makes the Runner read time from now (tests).
func WithRunnerClock(now func() time.Time) RunnerOption {
	return func(r *Runner) { r.now = now }
}

// WithRunnerLogger sets the Runner's logger.
func WithRunnerLogger(l *slog.Logger) RunnerOption { return func(r *Runner) { r.log = l } }

// WithRunnerOwner names the Runner in the leases it takes (default: the
// host name, the process id and a random suffix, unique per Runner).
func WithRunnerOwner(owner string) RunnerOption { return func(r *Runner) { r.owner = owner } }

// WithJobPolling sets how often an idle Runner looks for due jobs
// (default JobPollInterval).
func WithJobPolling(d time.Duration) RunnerOption { return func(r *Runner) { r.poll = d } }

// WithJobTimeout sets how long a handler may run (default JobTimeout);
// the lease becomes that plus a minute.
func WithJobTimeout(d time.Duration) RunnerOption {
	return func(r *Runner) { r.timeout, r.lease = d, d+time.Minute }
}

// WithJobConcurrency sets how many jobs the Runner runs at once (default
// JobConcurrency).
func WithJobConcurrency(n int) RunnerOption { return func(r *Runner) { r.concurrency = max(n, 1) } }

// NewRunner returns a Runner over store with no handlers.
func NewRunner(store Store, opts ...RunnerOption) *Runner {
	r := &Runner{store: store, now: time.Now, log: slog.Default(), poll: JobPollInterval,
		timeout: JobTimeout, lease: JobLease, concurrency: JobConcurrency, handlers: map[string]JobHandler{},
		timeouts: map[string]time.Duration{}}
	for _, o := range opts {
		o(r)
	}
	if r.owner == "" {
		host, _ := os.Hostname()
		r.owner = fmt.Sprintf("%s:%d:%s", host, os.Getpid(), rand.Text()[:8])
	}
	return r
}

// Handle registers h as the handler of the jobs of kind. A Runner claims
// only jobs of the kinds it has handlers for, so a server that does not
// know a kind (an older version) leaves its jobs to one that does.
func (r *Runner) Handle(kind string, h JobHandler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[kind] = h
}

// HandleWithTimeout is Handle for a kind whose runs may take longer than
// the Runner's timeout (a large export): each run of it may take timeout.
// The Runner's claims then last the longest timeout of its kinds plus a
// minute, so that a live runner has given up on a job before its lease
// expires and another takes it.
func (r *Runner) HandleWithTimeout(kind string, h JobHandler, timeout time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[kind] = h
	r.timeouts[kind] = timeout
}

// leaseFor is how long a claim lasts: the longest timeout of the Runner's
// kinds plus a minute, JobLease by default.
func (r *Runner) leaseFor() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	lease := r.lease
	for _, t := range r.timeouts {
		lease = max(lease, t+time.Minute)
	}
	return lease
}

// timeoutOf is how long a run of kind may take.
func (r *Runner) timeoutOf(kind string) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.timeouts[kind]; ok {
		return t
	}
	return r.timeout
}

func (r *Runner) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	kinds := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

func (r *Runner) handler(kind string) JobHandler {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handlers[kind]
}

func (r *Runner) clock() time.Time { return r.now().UTC().Truncate(time.Microsecond) }

// Run runs due jobs until ctx is done: every poll interval, and at once
// when a job finishes or a full claim suggests more are due, it claims as
// many due jobs as it has free slots and runs each in its own goroutine.
// When ctx is done it claims no more, cancels the handlers still running,
// puts their jobs back in the queue (the interrupted run does not count as
// an attempt) and returns. With no handler registered it only waits for
// ctx.
func (r *Runner) Run(ctx context.Context) error {
	kinds := r.kinds()
	if len(kinds) == 0 {
		<-ctx.Done()
		return nil
	}
	r.log.Info("job runner started", "owner", r.owner, "kinds", kinds)
	defer r.log.Info("job runner stopped", "owner", r.owner)
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, r.concurrency)
	// A job that finishes wakes the loop; one pending wake-up is enough.
	freed := make(chan struct{}, 1)
	tick := time.NewTicker(r.poll)
	defer tick.Stop()
	for {
		if free := r.concurrency - len(slots); free > 0 {
			jobs, err := r.claim(ctx, kinds, free)
			// An unreachable database is the store's to report (once, then
			// at most every 10 s), not every poll's. A claim whose commit
			// an outage cut may have been stored: its jobs' leases expire
			// and they are claimed again, a run late.
			switch {
			case err == nil || ctx.Err() != nil || ErrorCode(err) == Unavailable:
			case errors.Is(err, ErrOutcomeUnknown):
				r.log.WarnContext(ctx, "claim jobs: connection lost at commit, claimed again when the leases expire", "err", err)
			default:
				r.log.ErrorContext(ctx, "claim jobs", "err", err)
			}
			for _, j := range jobs {
				slots <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					r.run(ctx, j)
					<-slots
					select {
					case freed <- struct{}{}:
					default:
					}
				}()
			}
			if len(jobs) == free && ctx.Err() == nil {
				continue
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-freed:
		}
	}
}

// RunDue claims the jobs due now (up to the Runner's concurrency), runs
// them at once and waits for them; it returns how many it ran. Run does
// the same continuously; RunDue is one round of it, for tests and
// operators.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	jobs, err := r.claim(ctx, r.kinds(), r.concurrency)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() { r.run(ctx, j) })
	}
	wg.Wait()
	return len(jobs), nil
}

// claim claims up to n due jobs of kinds. It asks the store whether any is
// due first, a read, so that an idle server does not write every poll.
func (r *Runner) claim(ctx context.Context, kinds []string, n int) ([]Job, error) {
	if len(kinds) == 0 || ctx.Err() != nil {
		return nil, nil
	}
	now := r.clock()
	due, err := r.store.HasDueJobs(ctx, kinds, now)
	if err != nil || !due {
		return nil, err
	}
	return r.store.ClaimJobs(ctx, kinds, r.owner, now, r.leaseFor(), n)
}

// run runs the claimed job j and stores its outcome.
func (r *Runner) run(ctx context.Context, j Job) {
	attempt := j.Attempts
	log := r.log.With("job", j.ID, "kind", j.Kind, "attempt", attempt)
	var result string
	var err error
	if attempt > j.MaxAttempts {
		// Its last allowed run was claimed and never finished: the lease
		// expired, so the server running it died, maybe because of it.
		err = fmt.Errorf("gave up: %d runs started and none finished", j.MaxAttempts)
	} else if h := r.handler(j.Kind); h == nil {
		err = fmt.Errorf("no handler for kind %q", j.Kind)
	} else {
		hctx, cancel := context.WithTimeout(ctx, r.timeoutOf(j.Kind))
		result, err = runHandler(hctx, h, j)
		cancel()
	}
	now := r.clock()
	j.LastError = ""
	switch {
	case err != nil && ctx.Err() != nil && attempt <= j.MaxAttempts:
		// The runner is stopping: the job goes back to the queue and
		// this run does not count.
		j.State, j.RunAt, j.Attempts = JobQueued, now, attempt-1
		j.LastError = truncateError(err)
		log.Info("job interrupted: queued again")
	case err == nil:
		j.State, j.Result, j.FinishedAt = JobDone, result, &now
	case attempt >= j.MaxAttempts:
		j.State, j.LastError, j.FinishedAt = JobFailed, truncateError(err), &now
		log.Warn("job failed", "err", err)
	default:
		j.State, j.LastError, j.RunAt = JobQueued, truncateError(err), now.Add(JobBackoff(attempt))
		log.Info("job will retry", "err", err, "at", j.RunAt)
	}
	j.UpdatedAt = now
	// The outcome is stored even when the runner is stopping.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := r.store.FinishJob(sctx, j, r.owner, attempt); err != nil {
		// Conflict: the lease expired and another runner claimed it.
		log.Warn("store job outcome", "err", err)
	}
}

// runHandler runs h, turning a panic into an error.
func runHandler(ctx context.Context, h JobHandler, j Job) (result string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, j)
}

// truncateError returns err's text as LastError keeps it: valid UTF-8
// without NUL characters (PostgreSQL stores neither), at most
// MaxJobErrorLen bytes.
func truncateError(err error) string {
	s := strings.ReplaceAll(strings.ToValidUTF8(err.Error(), "\uFFFD"), "\x00", "")
	if s == "" {
		s = "error"
	}
	if len(s) <= MaxJobErrorLen {
		return s
	}
	s = s[:MaxJobErrorLen]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// ErrLeaseLost is the Conflict Store.FinishJob answers when the run's
// lease is no longer held: it expired and another runner claimed the job.
var ErrLeaseLost = &Error{Code: Conflict, Message: "the job's lease was lost"}
