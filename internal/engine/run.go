package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// runJob executes one claimed job.
func (e *Engine) runJob(ctx context.Context, j store.Job) {
	var err error
	switch j.Kind {
	case "run":
		e.execute(ctx, j, nil)
		return
	case "date":
		err = e.fireDate(ctx, j)
	case "cron":
		err = e.fireCron(ctx, j)
	case "alert":
		err = e.fireAlert(ctx, j)
	case "mail":
		err = e.fireMail(ctx, j)
	case "sla":
		err = e.fireSLA(ctx, j)
	case "handoff_expiry":
		err = e.expireHandoff(ctx, j)
	default:
		err = fmt.Errorf("unknown job kind %q", j.Kind)
	}
	if err != nil && ctx.Err() == nil {
		e.log.Error("job failed", "job", j.Key, "attempt", j.Attempts, "err", err)
		_ = e.st.Write(ctx, func(tx *store.Tx) error { return tx.RetryJob(ctx, j, e.now().Add(backoff(j.Attempts))) })
	}
}

// execute runs a run from its cursor: segments of steps that need no waiting commit together with
// their effects; an external call (webhook, email, Slack) is made between two segments, after the
// state before it is committed, so a crash repeats the call (with the same idempotency key) and nothing
// else. With held, the segment before the run's next call has committed already (the feed ran the run's
// first segment): execute begins with that call.
func (e *Engine) execute(ctx context.Context, j store.Job, held *segment) {
	runID := strings.TrimPrefix(j.Key, "run:")
	rev := jobRev(j)
	var res *callResult
	if held != nil && !e.stillHeld(ctx, held) {
		return
	}
	for range 1000 {
		seg := held // the segment before the call to make; held is also the one the next goes on from
		if seg == nil || res != nil {
			seg = e.segment(ctx, j, runID, rev, res, held)
			if seg == nil {
				return
			}
		}
		rev, held = seg.run.Rev, seg
		res = e.perform(ctx, seg.call)
		if res.err != nil {
			e.stepFailed(ctx, j, runID, seg.call.stepID, res.input, res.err)
			return
		}
	}
	e.log.Error("run did not settle after 1000 segments", "run", runID)
}

// segment writes the run's next segment. It returns the segment when it stopped before an outside
// call, and nil when the run waits, ended, failed or is not this job's to run.
func (e *Engine) segment(ctx context.Context, j store.Job, runID string, rev int64, res *callResult, held *segment) *segment {
	seg := &segment{e: e, job: j, runID: runID, rev: rev, result: res, held: held}
	err := e.writeSegment(ctx, seg)
	if err != nil && (seg.fromHeld || errors.Is(err, store.ErrStale)) && ctx.Err() == nil {
		// Rolled back: the held copy was out of date or a step failed with it, or history was written
		// from outside the run meanwhile (a loop-guard note, an SLA rung; on PostgreSQL they do not
		// lock the run). Go on as any other segment does, from the run as stored; a real failure fails
		// again there.
		e.log.Debug("segment runs again from the stored run", "run", runID, "err", err)
		seg = &segment{e: e, job: j, runID: runID, rev: rev, result: res}
		err = e.writeSegment(ctx, seg)
	}
	switch {
	case ctx.Err() != nil:
		return nil // shutting down: the lease runs out and the job runs again
	case err != nil:
		e.stepFailed(ctx, j, runID, seg.stepID(), nil, err)
		return nil
	}
	if seg.ended != "" {
		e.m.finished.WithLabelValues(seg.ended).Inc()
	}
	if seg.failed != nil { // a step after an outside call's result failed; the result is committed
		e.stepFailed(ctx, j, runID, seg.stepID(), nil, seg.failed)
		return nil
	}
	if seg.call == nil {
		return nil
	}
	return seg
}

// writeSegment runs a segment's transaction. A panic in it (a bug) fails the step for good instead of
// killing the process: a dead process would run the same segment after every restart, and make any
// outside call before it again each time.
func (e *Engine) writeSegment(ctx context.Context, seg *segment) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = e.panicked(p, seg.runID, seg.at)
		}
	}()
	return e.st.Write(ctx, seg.do)
}

// panicked logs a recovered panic with its stack and makes it the step's permanent failure.
func (e *Engine) panicked(p any, runID, at string) error {
	e.log.Error("a step panicked", "run", runID, "step", at, "panic", p, "stack", string(debug.Stack()))
	return permanent(fmt.Errorf("step %s panicked: %v", at, p))
}

func jobRev(j store.Job) int64 {
	switch v := j.Payload["rev"].(type) {
	case float64: // as read back
		return int64(v)
	case int: // as written
		return int64(v)
	case int64:
		return v
	}
	return -1
}

// segment is one transaction of a run's execution.
type segment struct {
	e          *Engine
	tx         *store.Tx
	job        store.Job
	runID      string
	rev        int64
	run        *store.Run
	p          *Program
	rec        map[string]any
	row        records.Values // the record's current row as this transaction read or wrote it; nil: read (and lock) it again
	result     *callResult    // the outcome of an outside call, for the step with its id (resultFor)
	call       *externalCall  // set when the segment stopped before an external call
	at         string         // the step being executed, for failure reports
	actor      auth.Actor
	steps      map[string]any // outputs by step id
	ended      string         // the status the run ended with in this segment
	failed     error          // a step after an outside call's result failed: reported once the result commits
	pending    []store.StepRecord
	held       *segment  // the segment before this one's outside call (execute sets it; see goOnFromHeld)
	fromHeld   bool      // this segment went on from held's copy of the run
	leaseUntil time.Time // when the job's lease, taken by save for the call, runs out
}

func (s *segment) do(tx *store.Tx) error {
	ctx := withTx(context.Background(), tx)
	s.tx = tx
	if s.held != nil && !tx.LocksRows() {
		return s.goOnFromHeld(ctx)
	}
	r, seq, err := tx.RunAndLastSeq(ctx, s.runID)
	if errors.Is(err, records.ErrNotFound) || (err == nil && (!r.Active() || r.Rev != s.rev)) {
		return s.stale(ctx, r, err == nil)
	}
	if err != nil {
		return err
	}
	s.run = &r
	s.passSeq(seq)
	if r.Status == store.RunWaiting { // this job is the wait's timer: the delay is over, or the wait timed out
		r.State["resume"] = map[string]any{"addr": r.Cursor, "kind": "timer"}
		r.Status = store.RunRunning
	}
	if s.p, err = s.e.program(ctx, tx, r.Workflow, r.Version); err != nil {
		return err
	}
	s.actor = auth.Actor{Kind: auth.KindRun, ID: r.ID, Role: auth.Admin}
	s.bindSteps()
	upgradeState(r.State, s.p)
	return s.proceed(ctx, r.Rev)
}

// keyedKey marks a run's state whose step keys are ids (see upgradeState).
const keyedKey = "keyed_by_id"

// upgradeState renames what a build before fa8436c (2026-12-06) kept by step address in a run's state
// (a contact policy's deferral, a handoff's state, the attempts) to the step's id, as kept now: else a
// run waiting across the upgrade would take its deferral's end for a task's completion, or hand a lead
// over again to whoever declined it. p is the version the run is on: a move or a retry on the current
// version upgrades the state before it changes the run's version. It runs once per run (keyedKey): a
// step without an id of its own has its address as its id, and after a move that key must not be taken
// for the address of the step now there.
func upgradeState(state map[string]any, p *Program) {
	if state[keyedKey] == true {
		return
	}
	state[keyedKey] = true
	idAt := func(addr string) string {
		if st := p.Steps[addr]; st != nil {
			return st.ID
		}
		return addr
	}
	if d, ok := state["deferred"].(string); ok {
		state["deferred"] = idAt(d)
	}
	tries, _ := state["tries"].(map[string]any)
	for k, v := range tries {
		if id := idAt(k); id != k {
			delete(tries, k)
			tries[id] = v
		}
	}
	for k, v := range state {
		if addr, ok := strings.CutPrefix(k, "handoff:"); ok {
			if id := idAt(addr); id != addr {
				delete(state, k)
				state["handoff:"+id] = v
			}
		}
	}
}

// goOnFromHeld runs the segment after an outside call from the run as the segment before the call
// saved it, instead of reading it again. The copy is current unless another transaction wrote the run
// meanwhile, and every such write moves its rev; this segment always saves the run before it commits,
// and that save writes only over the rev it started from (UpdateRun fails with ErrStale otherwise), so
// a stale copy rolls the segment back and execute runs it again from the stored run. Only where writes
// are serialised (SQLite): on PostgreSQL the run is read and locked first, in the same order as
// everywhere else, so that no two writers lock the run and its record the other way round.
func (s *segment) goOnFromHeld(ctx context.Context) error {
	h := s.held
	s.fromHeld = true
	s.run, s.p, s.actor = h.run, h.p, h.actor
	if err := s.storedState(); err != nil {
		return err
	}
	rev := s.run.Rev
	// History written from outside the run during the call (a loop-guard note, an SLA rung) does not
	// move the run's rev: number this segment's entries after it, as do does.
	seq, err := s.tx.MaxStepSeq(ctx, s.runID)
	if err != nil {
		return err
	}
	s.passSeq(seq)
	return s.proceed(ctx, rev)
}

// proceed runs a segment from its record on: the goal, then the steps, then their history. Every way
// out of loop saves the run over the rev the segment started from (UpdateRun fails with ErrStale when
// another transaction moved it), which is what checks the copy of a segment that did not read its run
// (goOnFromHeld, first). A way that did not save would commit unchecked, so it is refused the same way.
func (s *segment) proceed(ctx context.Context, rev int64) error {
	if err := s.reload(ctx); err != nil {
		return err
	}
	if done, err := s.checkGoal(ctx); done || err != nil {
		return err
	}
	if err := s.loop(ctx); err != nil {
		return err
	}
	if s.run.Rev == rev {
		return fmt.Errorf("run %s: the segment did not save it: %w", s.run.ID, store.ErrStale)
	}
	return s.flush(ctx)
}

// storedState replaces the run's state with the form it was stored in (JSON: numbers as float64, times
// as text), so that the steps of a segment that did not read the run see what they would have read.
func (s *segment) storedState() error {
	state, err := stateForm(s.run.State)
	if err != nil {
		return fmt.Errorf("encode run %s state: %w", s.run.ID, err)
	}
	s.run.State = state
	s.bindSteps()
	return nil
}

// bindSteps points s.steps at the run's step outputs, making the map when the run has none yet.
func (s *segment) bindSteps() {
	s.steps, _ = s.run.State["steps"].(map[string]any)
	if s.steps == nil {
		s.steps = map[string]any{}
		s.run.State["steps"] = s.steps
	}
}

// stale handles a claimed job whose run ended or moved on since the claim. The job row is dropped only
// when it is still the claimed generation and does not already carry the run's current revision (an
// apply that moved the run, or a retry, updated it for whoever runs next).
func (s *segment) stale(ctx context.Context, r store.Run, found bool) error {
	cur, ok, err := s.tx.JobByKey(ctx, s.job.Key)
	if err != nil || !ok || cur.Gen != s.job.Gen {
		return err
	}
	if found && r.Active() && jobRev(cur) == r.Rev {
		s.rev = r.Rev // the run is this job's after all: run it from where it is
		return s.do(s.tx)
	}
	_, err = s.tx.FinishJob(ctx, s.job)
	return err
}

// loop executes steps until the run waits, ends or reaches an external call.
func (s *segment) loop(ctx context.Context) error {
	r := s.run
	for n := 0; r.Cursor != ""; n++ {
		st := s.p.Steps[r.Cursor]
		if st == nil || n > len(s.p.Steps) {
			return permanent(fmt.Errorf("step %q is not in version %d of %s", r.Cursor, r.Version, r.Workflow))
		}
		s.at = st.Addr
		f, err := s.step(ctx, st)
		if err != nil {
			return err
		}
		switch {
		case f.call != nil:
			s.call = f.call
			return s.save(ctx)
		case f.commit:
			r.Cursor = f.next
			return s.goOn(ctx, f.wrote)
		case f.wait != nil:
			return s.wait(ctx, st, f)
		case f.end != "":
			return s.end(ctx, store.RunCompleted, f.end, "")
		}
		r.Cursor = f.next
		if f.wrote {
			if done, err := s.checkGoal(ctx); done || err != nil {
				return err
			}
		}
	}
	return s.end(ctx, store.RunCompleted, "all steps done", "")
}

// goOn carries on after an outside call's result, in the same transaction but behind a savepoint: a
// failure in the steps after it must not roll the result back and make the call again, so it returns
// to the savepoint, the run is saved as it stood with the result, and the failure is reported as that
// step's (s.failed). One transaction instead of two is a read of the run and of its record fewer, and
// one commit; and when the steps after succeed, they save the run themselves (they end, wait or stop
// before the next call), so the run and its history are written once, not twice.
func (s *segment) goOn(ctx context.Context, wrote bool) error {
	callAt := s.at
	before, state, err := s.snapshot()
	if err != nil {
		return err
	}
	kept := slices.Clone(s.pending) // an enroll step after the call may store them inside the savepoint: undone with it
	const sp = "sf_after_call"
	if err := s.tx.Savepoint(ctx, sp); err != nil {
		return err
	}
	err = s.afterCall(ctx, wrote)
	if err == nil {
		return nil
	}
	if rerr := s.tx.RollbackTo(ctx, sp); rerr != nil {
		// The whole transaction goes, the result with it: the call's step is what runs again, and the
		// later step's error, permanent or not, must not decide whether it may.
		s.at = callAt
		return fmt.Errorf("undo the steps after %s (they failed: %v): %w", callAt, err, rerr)
	}
	*s.run = before
	s.run.State = state // a copy: the steps after changed the map they had
	s.pending, s.ended, s.call, s.row = kept, "", nil, nil
	if err := s.save(ctx); err != nil {
		return err
	}
	s.failed = err
	return nil
}

// snapshot copies the run as it stands, and a copy of its state in the form it is stored in (JSON's).
func (s *segment) snapshot() (run store.Run, state map[string]any, err error) {
	if state, err = stateForm(s.run.State); err != nil {
		return store.Run{}, nil, fmt.Errorf("encode run %s state: %w", s.run.ID, err)
	}
	return *s.run, state, nil
}

// afterCall runs the steps after an outside call's result: the goal first when the step changed the
// record (enrich), as a new segment would. A panic there becomes the step's permanent failure, so that
// it too rolls back to the savepoint and the result still commits: otherwise the process would die with
// the result unrecorded, and make the call again after every restart.
func (s *segment) afterCall(ctx context.Context, wrote bool) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = s.e.panicked(p, s.run.ID, s.at)
		}
	}()
	if wrote {
		s.at = "" // a failing goal is the run's, not the call step's, as at the start of a segment
		if done, err := s.checkGoal(ctx); done || err != nil {
			return err
		}
	}
	return s.loop(ctx)
}

// flow is what a step decided.
type flow struct {
	next   string
	wrote  bool          // it changed the record: reload it and check the goal
	wait   *waitSpec     // it waits
	call   *externalCall // it needs an outside call first
	commit bool          // commit now (after recording an outside call's result)
	end    string        // it ends the run, with this reason
}

// save commits the run's state; with the job kept when the same worker goes on (an external call).
func (s *segment) save(ctx context.Context) error {
	s.run.Status, s.run.UpdatedAt = store.RunRunning, s.e.now()
	if err := s.tx.UpdateRun(ctx, s.run); err != nil {
		return err
	}
	lease := s.e.now().Add(s.e.opts.Lease) // the outside call comes next: the job stays this worker's
	s.leaseUntil = lease
	return s.tx.TouchJob(ctx, s.job, map[string]any{"rev": s.run.Rev}, &lease)
}

// end finishes the run and drops its job.
func (s *segment) end(ctx context.Context, status, reason, errText string) error {
	now := s.e.now()
	s.run.Status, s.run.Cursor, s.run.EndReason, s.run.Error = status, "", reason, errText
	s.run.WaitKind, s.run.WaitKey, s.run.WaitUntil, s.run.UpdatedAt, s.run.EndedAt = "", "", nil, now, &now
	delete(s.run.State, "resume")
	if err := s.tx.UpdateRun(ctx, s.run); err != nil {
		return err
	}
	s.ended = status
	return s.tx.DeleteJob(ctx, runJobKey(s.run.ID))
}

// reload reads the run's record again after a step changed it. On SQLite the single writer keeps the
// copy current until the segment commits, so `set` writes from it without reading the row again. On
// PostgreSQL the first `set` locks and reads the row (UpdateTx) and later ones write from what it
// returned: locking at the start would take the record before a routing step takes its rotation, the
// reverse of routing's order, and deadlock with a routing of the same record elsewhere.
func (s *segment) reload(ctx context.Context) error {
	o, err := s.e.crm.Object(ctx, s.tx, s.run.RecordType)
	if err != nil {
		return err
	}
	row, err := s.tx.Get(ctx, o, s.run.RecordID)
	if errors.Is(err, records.ErrNotFound) {
		return permanent(fmt.Errorf("%s %s was deleted", s.run.RecordType, s.run.RecordID))
	}
	if err != nil {
		return fmt.Errorf("read %s %s: %w", s.run.RecordType, s.run.RecordID, err)
	}
	rec := maps.Clone(row)
	if err := (loader{e: s.e, tx: s.tx}).relations(ctx, o.Name, rec, "", mergeNeeds(s.p.Needs[o.Name], s.p.Needs[s.p.Object])); err != nil {
		return err
	}
	s.rec, s.row = rec, row
	if s.tx.LocksRows() {
		s.row = nil // PostgreSQL: lock the record only when a step writes it (UpdateTx), as routing and the feed do
	}
	return nil
}

// vars are the variables the run's expressions see.
func (s *segment) vars() expr.Vars {
	ev, _ := s.run.State["event"].(map[string]any)
	return expr.Vars{s.p.Object: s.rec, "event": withRecord(ev, s.p.Object, s.rec), "steps": s.steps}
}

// checkGoal ends the run when its goal or exit condition is true (W2).
func (s *segment) checkGoal(ctx context.Context) (bool, error) {
	status, reason, err := s.e.goalOrExit(ctx, s.p, s.vars())
	if err != nil || status == "" {
		return false, err
	}
	return true, s.end(ctx, status, reason, "")
}

// goalOrExit evaluates a program's goal and exit conditions.
func (e *Engine) goalOrExit(ctx context.Context, p *Program, vars expr.Vars) (status, reason string, err error) {
	for _, c := range []struct{ key, status, reason string }{{"goal", store.RunCompleted, "goal reached: "}, {"exit", store.RunExited, "exit condition met: "}} {
		node := p.Plan[c.key]
		if node == nil {
			continue
		}
		ok, err := e.evalBool(ctx, p, node, vars)
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", c.key, err)
		}
		if ok {
			return c.status, c.reason + fmt.Sprint(exprSource(node)), nil
		}
	}
	return "", "", nil
}

// history writes one step's entry; seq numbers run in the run's state.
func (s *segment) history(ctx context.Context, st *Step, status string, in, out, decision map[string]any, errText string) (int, error) {
	seq := s.nextSeq()
	return seq, s.saveHistory(ctx, seq, st, status, in, out, decision, errText)
}

// passSeq moves the history counter past max, the run's highest history seq: past entries written
// from outside the run's execution (a retry, a migration, a loop-guard note), so that no step takes
// their numbers.
func (s *segment) passSeq(max int) {
	if max > s.seqCounter() {
		s.run.State["n"] = max
	}
}

// seqCounter is the last history seq the run numbered (State["n"], an int or, after JSON, a float64).
func (s *segment) seqCounter() int {
	switch n := s.run.State["n"].(type) {
	case float64:
		return int(n)
	case int:
		return n
	}
	return 0
}

func (s *segment) nextSeq() int {
	n := s.seqCounter() + 1
	s.run.State["n"] = n
	return n
}

func (s *segment) saveHistory(ctx context.Context, seq int, st *Step, status string, in, out, decision map[string]any, errText string) error {
	now := s.e.now()
	attempts := s.attempt(st)
	s.pending = append(s.pending, store.StepRecord{RunID: s.run.ID, Seq: seq, Version: s.run.Version, StepID: st.ID, Addr: st.Addr,
		Type: stepLabel(st), Status: status, Input: in, Output: out, Decision: decision, Attempts: attempts, Error: errText,
		StartedAt: now, FinishedAt: &now})
	return nil
}

// attempt is the number of the attempt at st: its failed tries so far, plus one. Tries are counted by
// step id, which a move to a new version keeps.
func (s *segment) attempt(st *Step) int {
	tries, _ := s.run.State["tries"].(map[string]any)
	n, _ := tries[st.ID].(float64)
	if i, ok := tries[st.ID].(int); ok {
		n = float64(i)
	}
	return int(n) + 1
}

// failedTry counts one more failed try at st.
func (s *segment) failedTry(st *Step) {
	n := s.attempt(st)
	tries, _ := s.run.State["tries"].(map[string]any)
	if tries == nil {
		tries = map[string]any{}
		s.run.State["tries"] = tries
	}
	tries[st.ID] = n
}

// stepID is the id of the step the segment was at ("" before any: the run's own failure).
func (s *segment) stepID() string {
	if s.p == nil {
		return s.at
	}
	if st := s.p.Steps[s.at]; st != nil {
		return st.ID
	}
	return s.at
}

// flush writes the segment's history entries, in one statement, before its transaction commits.
func (s *segment) flush(ctx context.Context) error {
	err := s.tx.SaveSteps(ctx, s.pending)
	s.pending = nil
	return err
}

func stepLabel(st *Step) string {
	if st.Type == "action" {
		a, _ := st.Raw["action"].(string)
		return "action:" + a
	}
	return st.Type
}

// permanentError marks a failure that retrying cannot fix (a bad value, a missing record).
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

func permanent(err error) error { return permanentError{err} }

// stepFailed records a failed attempt: the job is retried with backoff, or, when the attempts are
// spent or retrying cannot help, the run fails with its error and the owner is alerted (T4).
//
// The metrics count what committed (OnCommit): not an attempt whose record a shutdown cut short, nor
// one that found the run moved on.
func (e *Engine) stepFailed(ctx context.Context, j store.Job, runID, stepID string, in map[string]any, cause error) {
	err := e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		r, seq, err := tx.RunAndLastSeq(ctx, runID)
		if err != nil || !r.Active() {
			return err
		}
		if cur, ok, err := tx.JobByKey(ctx, j.Key); err != nil || !ok || cur.Gen != j.Gen || jobRev(cur) != r.Rev {
			return err // the run moved on while this attempt ran (resumed, moved, ended): not this job's to fail
		}
		p, err := e.program(ctx, tx, r.Workflow, r.Version)
		if err != nil {
			return err
		}
		delete(r.State, callingKey) // this attempt's end is recorded: a later claim must not take it as cut short
		s := &segment{e: e, tx: tx, job: j, run: &r, p: p}
		upgradeState(r.State, p)
		s.passSeq(seq)
		st := p.byID(stepID) // by id: the run may have moved to another version meanwhile
		if st == nil {
			st = &Step{Addr: stepID, ID: stepID, Type: "run"}
		}
		retry, after := retryable(cause)
		try := s.attempt(st)
		final := !retry || try >= e.opts.MaxAttempts
		status := "retrying"
		if final {
			status = "failed"
		}
		if _, err := s.history(ctx, st, status, in, nil, map[string]any{"attempt": try, "max_attempts": e.opts.MaxAttempts}, cause.Error()); err != nil {
			return err
		}
		if err := s.flush(ctx); err != nil {
			return err
		}
		if err := s.settleTouch(ctx, st, retry || errors.Is(cause, errCutShort)); err != nil {
			return err
		}
		if !final {
			s.failedTry(st)
			if after <= 0 {
				after = backoff(try)
			}
			r.UpdatedAt = e.now()
			if err := tx.UpdateRun(ctx, &r); err != nil { // the history counter moved
				return err
			}
			if err := tx.TouchJob(ctx, j, map[string]any{"rev": r.Rev}, nil); err != nil {
				return err
			}
			tx.OnCommit(e.m.retries.Inc)
			return tx.RetryJob(ctx, j, e.now().Add(after))
		}
		// A retry starts again where the run's committed position is: the failed step's segment rolled
		// back, so the steps before it in the segment must run again too.
		r.State["failed_at"] = st.Addr
		if r.Cursor != "" {
			r.State["failed_at"] = r.Cursor
		}
		if err := s.end(ctx, store.RunFailed, "failed at step "+st.ID, cause.Error()); err != nil {
			return err
		}
		tx.OnCommit(func() {
			e.m.finished.WithLabelValues(store.RunFailed).Inc()
			e.log.Warn("run failed", "run", runID, "step", st.ID, "err", cause)
		})
		return e.alertFailure(ctx, tx, r, st.ID, cause)
	})
	if err != nil && ctx.Err() == nil {
		e.log.Error("record step failure", "run", runID, "err", err, "cause", cause)
	}
}

// settleTouch keeps the contact policy's count true when a step fails. The touch is counted at the
// gate, before the first attempt, and shared by every attempt. An attempt that fails in a way that may
// have delivered (a timeout, any failure worth retrying) marks the step; a step refused for good takes
// its touch back — it never went out — unless an earlier attempt was so marked, including one before a
// retry by hand (which keeps the mark).
func (s *segment) settleTouch(ctx context.Context, st *Step, retry bool) error {
	maybe, _ := s.run.State["maybe_sent"].(map[string]any)
	if retry {
		if maybe == nil {
			maybe = map[string]any{}
			s.run.State["maybe_sent"] = maybe
		}
		maybe[st.ID] = true
		return nil
	}
	if maybe[st.ID] != nil {
		return nil
	}
	return s.tx.DeleteTouch(ctx, s.run.ID, st.ID)
}

// retryable tells whether another attempt can help, and after how long the other side asked us to wait.
func retryable(err error) (bool, time.Duration) {
	var pe permanentError
	var ve *records.ValidationError
	if errors.As(err, &pe) || errors.As(err, &ve) {
		return false, 0
	}
	return notifyRetryable(err)
}
