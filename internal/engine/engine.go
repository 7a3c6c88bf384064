package engine

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/enrich"
	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

// txKey carries, in a context, the transaction the engine evaluates expressions in.
type txKey struct{}

// withTx returns ctx carrying tx, for the business-time functions of the expressions evaluated with
// it: they look calendars up through tx rather than on a second connection, which on PostgreSQL could
// wait for good on a pool whose every connection a worker's transaction holds.
func withTx(ctx context.Context, tx *store.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// write runs fn in a write transaction, with a context carrying the transaction (withTx).
func (e *Engine) write(ctx context.Context, fn func(context.Context, *store.Tx) error) error {
	return e.st.Write(ctx, func(tx *store.Tx) error { return fn(withTx(ctx, tx), tx) })
}

// txOf is the transaction withTx put in ctx, or nil.
func txOf(ctx context.Context) *store.Tx {
	tx, _ := ctx.Value(txKey{}).(*store.Tx)
	return tx
}

// defaultWorkers is Options.Workers' default for the database (see there).
func defaultWorkers(d store.Dialect) int {
	if d.ForUpdate != "" { // PostgreSQL
		return 8
	}
	return 24
}

// Options configure an Engine. Zero values take the defaults in brackets.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time // the clock of timers, history and now() in expressions [time.Now]
	// Workers is how many jobs run at once in this process [24 on SQLite, 8 on PostgreSQL]. A worker
	// making an outside call holds its job through the call and the write after it (a few milliseconds
	// under load): on SQLite, at a thousand leads a second with one call each, 8 kept the trigger feed
	// waiting to hand calls over. On PostgreSQL each worker's transaction holds one of the pool's 24
	// connections, which the HTTP handlers and the trigger feed share, and 24 workers measured no faster.
	Workers int
	// Poll is how often idle workers look for due jobs, which bounds how late a timer fires [1s].
	Poll time.Duration
	// Lease is how long a claimed job is this process's; a crashed process's jobs are due again after
	// it [2m]. It must exceed the longest external call (webhook timeout).
	Lease time.Duration
	// MaxAttempts is how often a failing step is tried before its run fails [5].
	MaxAttempts int
	// LoopLimit bounds chains of workflow-caused triggers (W2) [5].
	LoopLimit int
	// Webhooks sends webhooks and Slack messages (with the SSRF guard).
	Webhooks *notify.Sender
	// Enricher answers the enrich action; nil when enrichment is not set up (the step then fails, saying so).
	Enricher *enrich.Enricher
	// Mailer sends email; nil when SMTP is not configured (email steps then fail, saying so).
	Mailer *notify.Mailer
	// Slack maps a channel name ("#sales") to its incoming-webhook URL.
	Slack map[string]string
	// Secret reads the HMAC key a webhook step names by secret_env [os.Getenv].
	Secret func(name string) string
	// BaseURL is the server's public address, for links in alerts.
	BaseURL string
}

// Engine runs workflows. One per process; on PostgreSQL any number of processes share the work.
type Engine struct {
	st           *store.Store
	crm          *crm.Service
	cat          *records.Catalog
	opts         Options
	log          *slog.Logger
	wakeJ, wakeF chan struct{}
	m            *metrics
	cals         *calendars

	mu       sync.Mutex
	programs map[string]*Program             // by name/version
	defs     map[string]*workflow.Definition // by kind/name/version
	models   models
	pols     policies
}

// New returns an engine over the service's store.
func New(svc *crm.Service, opts Options) *Engine {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&opts.Workers, defaultWorkers(svc.Store().Dialect()))
	def(&opts.MaxAttempts, 5)
	def(&opts.LoopLimit, 5)
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.Secret == nil {
		opts.Secret = os.Getenv
	}
	e := &Engine{st: svc.Store(), crm: svc, cat: svc.Catalog(), opts: opts, log: opts.Logger,
		wakeJ: make(chan struct{}, 1), wakeF: make(chan struct{}, 1), programs: map[string]*Program{}, defs: map[string]*workflow.Definition{}, m: newMetrics()}
	e.cals = &calendars{e: e}
	return e
}

func (e *Engine) now() time.Time { return e.opts.Now().UTC().Truncate(time.Microsecond) }

// Wake tells the workers and the trigger feed that there is new work (an event was written, a job
// is due now), so they need not wait for the next poll.
func (e *Engine) Wake() { e.Changed(store.Changes{Events: true, Jobs: true}) }

// Changed wakes the trigger feed for new events and the workers for jobs due now: the store calls it
// after a commit that may have given either work (Store.AfterWrite says when).
func (e *Engine) Changed(c store.Changes) {
	if c.Jobs {
		poke(e.wakeJ)
	}
	if c.Events {
		poke(e.wakeF)
	}
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Init places a new installation's trigger feed after the events already written. Serve calls it
// before it accepts requests, so that no request's event falls before the feed starts; Run and Drain
// call it too (it does nothing the second time).
func (e *Engine) Init(ctx context.Context) error { return e.st.Write(ctx, e.initCursor) }

// Run starts the trigger feed and the workers and returns when ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	if err := e.Init(ctx); err != nil {
		return err
	}
	if e.st.Dialect().Name == "sqlite" { // the file lock makes this the only process: its leases are orphans
		err := e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
			n, err := tx.ReleaseLeases(ctx, e.now())
			if n > 0 {
				e.log.Info("jobs of a stopped process released", "jobs", n)
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	work := make(chan store.Job)
	// The calls of the first segments the feed ran, for the workers (handOver): unbuffered, so that the
	// feed's wait is for a free worker and nothing queues behind the workers past it.
	calls := make(chan *segment)
	var wg sync.WaitGroup
	for range e.opts.Workers {
		wg.Go(func() {
			for {
				select {
				case j, ok := <-work:
					if !ok {
						return
					}
					e.runJob(ctx, j)
				case c := <-calls:
					e.execute(ctx, c.job, c)
				}
			}
		})
	}
	wg.Go(func() { e.feedLoop(ctx, calls) })
	e.claimLoop(ctx, work)
	close(work)
	wg.Wait()
	return nil
}

// claimLoop hands due jobs to the workers until ctx ends.
func (e *Engine) claimLoop(ctx context.Context, work chan<- store.Job) {
	t := time.NewTicker(e.opts.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		var jobs []store.Job
		err := e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
			var err error
			jobs, err = tx.ClaimJobs(ctx, e.now(), e.opts.Lease, e.opts.Workers*4)
			return err
		})
		if err != nil && ctx.Err() == nil {
			e.log.Error("claim jobs", "err", err)
		}
		for _, j := range jobs {
			select {
			case work <- j:
			case <-ctx.Done():
				return
			}
		}
		if len(jobs) == e.opts.Workers*4 {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-e.wakeJ:
		}
	}
}

// program returns a workflow version, compiled once.
func (e *Engine) program(ctx context.Context, tx *store.Tx, name string, version int) (*Program, error) {
	return built(tx, &e.mu, &e.programs, fmt.Sprintf("program/%s/%d", name, version), func() (*Program, error) {
		d, err := e.definition(ctx, tx, "workflow", name, version)
		if err != nil {
			return nil, err
		}
		return Compile(d, version)
	})
}

// definition returns a stored version of a definition, checked and with its expressions compiled,
// once per version.
func (e *Engine) definition(ctx context.Context, tx *store.Tx, kind, name string, version int) (*workflow.Definition, error) {
	return built(tx, &e.mu, &e.defs, fmt.Sprintf("definition/%s/%s/%d", kind, name, version), func() (*workflow.Definition, error) {
		v, err := tx.DefinitionVersion(ctx, kind, name, version)
		if err != nil {
			return nil, err
		}
		l, err := e.linter(ctx, tx)
		if err != nil {
			return nil, err
		}
		defs, diags := l.Lint(ctx, []workflow.Source{{File: name + ".yaml", Content: []byte(v.Source)}})
		if workflow.HasErrors(diags) || len(defs) != 1 {
			return nil, permanent(fmt.Errorf("%s %s version %d no longer compiles (was a field it uses deleted?): %v", kind, name, version, diags))
		}
		return defs[0], nil
	})
}

// linter checks stored versions with the custom fields as they are now; references were checked when
// the version was applied, so every one is taken as existing, calendars too (which also keeps the check
// from reading outside the caller's transaction).
func (e *Engine) linter(ctx context.Context, tx *store.Tx) (*workflow.Linter, error) {
	custom := map[string][]records.Field{}
	for _, o := range e.cat.All() {
		defs, err := tx.FieldDefs(ctx, o.Name)
		if err != nil {
			return nil, err
		}
		for _, d := range defs {
			custom[o.Name] = append(custom[o.Name], d.Field())
		}
	}
	return workflow.NewLinterWith(e.cat, custom, applied{}, expr.Options{Now: e.opts.Now, Calendars: e.cals, TrustCalendarNames: true})
}

// applied resolves every reference: stored versions were checked against the server when applied.
type applied struct{}

func (applied) Exists(context.Context, string, string) (bool, error) { return true, nil }

// backoff is the delay before attempt n+1 of a failed step.
func backoff(n int) time.Duration { return notify.Backoff(n, rand.New(rand.NewPCG(rand.Uint64(), 0))) }

// feedBehind reports whether committed events wait behind a running transaction (PostgreSQL).
func (e *Engine) feedBehind(ctx context.Context) (bool, error) {
	var behind bool
	err := e.st.Read(ctx, func(tx *store.Tx) error {
		p, _, err := tx.FeedCursor(ctx, feedName)
		if err == nil {
			behind, err = tx.FeedBehind(ctx, p)
		}
		return err
	})
	return behind, err
}

// Drain does all the work that is due now, in this goroutine, until none is left: the event feed,
// then the due jobs, again and again. Tests drive the engine with it under an injected clock; the
// CLI's one-shot commands use it too.
func (e *Engine) Drain(ctx context.Context) (int, error) {
	total := 0
	if err := e.Init(ctx); err != nil {
		return 0, err
	}
	if err := e.syncCron(ctx); err != nil {
		return 0, err
	}
	for range 10_000 {
		n, err := e.FeedOnce(ctx)
		if err != nil {
			return total, err
		}
		var jobs []store.Job
		err = e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
			var err error
			jobs, err = tx.ClaimJobs(ctx, e.now(), e.opts.Lease, 64)
			return err
		})
		if err != nil {
			return total, err
		}
		for _, j := range jobs {
			e.runJob(ctx, j)
		}
		total += n + len(jobs)
		if n == 0 && len(jobs) == 0 {
			behind, err := e.feedBehind(ctx)
			if err != nil || !behind {
				return total, err
			}
			time.Sleep(5 * time.Millisecond) // a transaction older than the newest events is still open
		}
	}
	return total, fmt.Errorf("the engine did not settle")
}
