package engine

import (
	"context"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/store"
)

// maxFirstSegments bounds the first segments one feed batch runs; the runs beyond it are left to the
// workers, their jobs due. It is a batch's worth (an event may enroll its record in several workflows),
// so in practice the feed batch (200 events) is the bound: the batch holds SQLite's one writer, and
// other writes wait for it. Smaller caps measured worse at a sustained high rate, when batches fill:
// 100 sent a fifth of the new runs the costlier way (a claim and a transaction of their own), 32 three
// quarters, for a few milliseconds less wait per batch.
const maxFirstSegments = feedBatch

// enrolled is a run the trigger feed has just started in its transaction, with its job as stored.
type enrolled struct {
	run store.Run
	job store.Job
	p   *Program
}

// firstSegments runs the first segment of each run the feed batch enrolled, in the feed's transaction,
// after every event of the batch was handled — the order a worker would have seen, had it run them
// just after the feed's commit — but without a second transaction, a claim, and a read of the run and
// its record. Only where writes are serialised (SQLite): on PostgreSQL the segments lock rows, and the
// feed must not hold its cursor while they wait.
//
// A segment that fails or panics is rolled back to its savepoint and left to a worker: its job is due
// already, and a worker runs it the usual way, with its retries and failure report. It returns the
// segments that stopped before an outside call; their jobs are leased, and execute makes the call once
// the feed's transaction has committed.
func (e *Engine) firstSegments(ctx context.Context, tx *store.Tx, runs []enrolled) ([]*segment, []string, error) {
	var calls []*segment
	var ended []string
	for _, r := range runs[:min(len(runs), maxFirstSegments)] {
		s, err := e.firstSegment(ctx, tx, r)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case s == nil:
		case s.call != nil:
			calls = append(calls, s)
		case s.ended != "":
			ended = append(ended, s.ended)
		}
	}
	return calls, ended, nil
}

// firstSegment runs one run's first segment behind a savepoint; nil when it was rolled back. An error
// means the transaction itself is broken (the savepoint could not be taken or returned to).
func (e *Engine) firstSegment(ctx context.Context, tx *store.Tx, r enrolled) (*segment, error) {
	const sp = "sf_first"
	if err := tx.Savepoint(ctx, sp); err != nil {
		return nil, err
	}
	run := r.run
	s := &segment{e: e, tx: tx, job: r.job, runID: run.ID, rev: run.Rev, run: &run, p: r.p,
		actor: auth.Actor{Kind: auth.KindRun, ID: run.ID, Role: auth.Admin}}
	if err := s.first(ctx); err != nil {
		e.log.Debug("first segment left to a worker", "run", run.ID, "step", s.at, "err", err)
		if err := tx.RollbackTo(ctx, sp); err != nil {
			return nil, err
		}
		return nil, tx.Release(ctx, sp)
	}
	return s, tx.Release(ctx, sp)
}

// first runs the segment from the run's first step, as do does for a run it has read. A panic (a bug)
// becomes an error, so that it rolls back this run's segment alone and a worker meets it again.
func (s *segment) first(ctx context.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = s.e.panicked(p, s.runID, s.at)
		}
	}()
	if err := s.storedState(); err != nil { // the trigger's event as a worker would read it
		return err
	}
	// A later event of the batch may have moved the run (a goal reached, an unenroll): the segment's
	// save then finds another rev.
	return s.proceed(ctx, s.run.Rev)
}

// handOver gives the calls of the first segments the feed ran to the workers. The feed waits for them
// (it runs no faster than the workers make the calls), but at most a poll interval for the lot: then
// the rest go back to the claim loop, their jobs due now and no longer leased, and a worker runs them
// from the stored run, preparing each call again with the same idempotency key; slow calls do not stop
// the events (goals, waits, enrollments) for long. A call that waited is checked before it is made
// (stillHeld).
func (e *Engine) handOver(ctx context.Context, segs []*segment, calls chan<- *segment) {
	limit := time.NewTimer(e.opts.Poll)
	defer limit.Stop()
	for i, c := range segs {
		select {
		case calls <- c:
			continue
		case <-limit.C:
		case <-ctx.Done(): // shutting down: give the calls back, or the next start takes them as cut short
			e.release(context.WithoutCancel(ctx), segs[i:])
			return
		}
		e.release(ctx, segs[i:])
		return
	}
}

// release puts the jobs of held segments back for the claim loop, due now, while they still carry the
// lease the segments took (nobody else has them).
func (e *Engine) release(ctx context.Context, segs []*segment) {
	err := e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		for _, c := range segs {
			if _, err := tx.ReturnJob(ctx, c.job, c.leaseUntil, e.now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		e.log.Error("give calls back to the claim loop", "runs", len(segs), "err", err) // their leases run out instead
	}
}

// stillHeld tells whether the call of a segment the feed ran is still this process's to make: its lease
// leaves the call time to finish (else the claim loop may take the job while it runs), and the run is
// as the segment saved it (not cancelled or moved since the feed's commit). One read, not a write.
func (e *Engine) stillHeld(ctx context.Context, s *segment) bool {
	// A call may take Lease/2 (perform's timeout), and the write after it must land inside the lease
	// too: with less left than that and a margin, a claim could take the job while the call runs.
	if e.now().Add(e.opts.Lease/2 + e.opts.Lease/4).After(s.leaseUntil) {
		e.release(ctx, []*segment{s}) // a claim takes the job afresh, with a whole lease
		return false
	}
	var rev int64
	var active bool
	err := e.st.Read(ctx, func(tx *store.Tx) (err error) {
		rev, active, err = tx.RunRev(ctx, s.runID)
		return err
	})
	switch {
	case err != nil:
		if ctx.Err() == nil {
			e.log.Error("check a run before its call", "run", s.runID, "err", err)
		}
		e.release(context.WithoutCancel(ctx), []*segment{s}) // not made: not to be taken as cut short
		return false
	case rev != s.run.Rev || !active:
		if active {
			e.release(ctx, []*segment{s}) // moved (a new version): run it from where it is now
		}
		return false
	}
	return true
}
