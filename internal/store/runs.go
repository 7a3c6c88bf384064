package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/records"
)

// Run statuses. Running and waiting runs are active: at most one per workflow and record.
const (
	RunRunning   = "running"
	RunWaiting   = "waiting"
	RunCompleted = "completed"
	RunFailed    = "failed"
	RunCancelled = "cancelled"
	RunExited    = "exited"
)

// Run is one enrollment of a record in a workflow version.
type Run struct {
	ID         string         `json:"id"`
	Workflow   string         `json:"workflow"`
	Version    int            `json:"version"`
	RecordType string         `json:"record_type"`
	RecordID   string         `json:"record_id"`
	Status     string         `json:"status"`
	Rev        int64          `json:"-"`
	Cursor     string         `json:"cursor"` // the address of the step to run next; "" when done
	State      map[string]any `json:"state"`  // step outputs ("steps"), the trigger event ("event")
	WaitKind   string         `json:"wait_kind,omitempty"`
	WaitKey    string         `json:"wait_key,omitempty"`
	WaitUntil  *time.Time     `json:"wait_until,omitempty"`
	Depth      int            `json:"depth"`
	ParentRun  string         `json:"parent_run_id,omitempty"`
	Trigger    string         `json:"trigger_event,omitempty"`
	Error      string         `json:"error,omitempty"`
	EndReason  string         `json:"end_reason,omitempty"`
	StartedAt  time.Time      `json:"started_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	EndedAt    *time.Time     `json:"ended_at,omitempty"`
	stored     runIndexed     // the indexed columns as this copy was read or written
}

// runIndexed is what the database held of a run's indexed columns at rev (zero: not known). UpdateRun
// leaves the indexed columns out of its SET when this copy has not changed them: SQLite rewrites an
// index's entry for every column a SET names, changed or not, and four of the runs table's indexes are
// on status, active or wait_key. Most saves (a segment before its outside call, a wait re-armed) change
// none of them. A copy whose rev is no longer the stored one fails its update anyway (ErrStale).
type runIndexed struct {
	rev             int64
	status, waitKey string
}

func (r *Run) indexed() runIndexed {
	return runIndexed{rev: r.Rev, status: r.Status, waitKey: r.WaitKey}
}

// Active reports whether the run still holds its record's slot in the workflow.
func (r Run) Active() bool { return r.Status == RunRunning || r.Status == RunWaiting }

// ErrActiveRun says the record already has an active run of the workflow.
var ErrActiveRun = errors.New("the record already has an active run of this workflow")

const runColumns = `id, workflow, version, record_type, record_id, status, rev, cursor, state, wait_kind, wait_key, wait_until,
	depth, parent_run_id, trigger_event, error, end_reason, started_at, updated_at, ended_at`

// InsertRun stores a new run; ErrActiveRun when the record has an active run of the workflow already.
func (t *Tx) InsertRun(ctx context.Context, r *Run) error {
	state, err := json.Marshal(r.State)
	if err != nil {
		return fmt.Errorf("encode run state: %w", err)
	}
	_, err = t.exec(ctx, `INSERT INTO runs (`+runColumns+`, active) VALUES
		($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, NULL, $19)`,
		r.ID, r.Workflow, r.Version, r.RecordType, r.RecordID, r.Status, r.Cursor, string(state), r.WaitKind, r.WaitKey,
		t.optTime(r.WaitUntil), r.Depth, nullable(r.ParentRun), r.Trigger, r.Error, r.EndReason,
		t.d.TimeArg(r.StartedAt), t.d.TimeArg(r.UpdatedAt), activeFlag(r.Status))
	if err != nil {
		if k, _ := t.d.Classify(err); k == UniqueViolation {
			return fmt.Errorf("run of %s for %s: %w", r.Workflow, r.RecordID, ErrActiveRun)
		}
		return fmt.Errorf("insert run: %w", err)
	}
	t.insertedRun(r.Workflow, r.RecordID)
	r.Rev = 1
	r.stored = r.indexed()
	return nil
}

// UpdateRun writes r over the stored run, but only while the stored one still has r.Rev: a run changed
// in between (a goal reached, an event that resumed it) makes it fail with ErrStale. On success r.Rev
// is the new revision.
func (t *Tx) UpdateRun(ctx context.Context, r *Run) error {
	state, err := json.Marshal(r.State)
	if err != nil {
		return fmt.Errorf("encode run state: %w", err)
	}
	q, args := t.runUpdate(r, string(state))
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		if k, _ := t.d.Classify(err); k == UniqueViolation {
			return fmt.Errorf("run %s: %w", r.ID, ErrActiveRun)
		}
		return fmt.Errorf("update run %s: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update run %s: %w", r.ID, ErrStale)
	}
	r.Rev++
	r.stored = r.indexed()
	return nil
}

// runUpdate is UpdateRun's statement: without status, active and wait_key when r has them as stored.
func (t *Tx) runUpdate(r *Run, state string) (string, []any) {
	if r.stored.rev != 0 && r.stored == r.indexed() {
		return `UPDATE runs SET version = $1, rev = rev + 1, cursor = $2, state = $3, wait_kind = $4, wait_until = $5,
		error = $6, end_reason = $7, updated_at = $8, ended_at = $9 WHERE id = $10 AND rev = $11`,
			[]any{r.Version, r.Cursor, state, r.WaitKind, t.optTime(r.WaitUntil), r.Error, r.EndReason, t.d.TimeArg(r.UpdatedAt),
				t.optTime(r.EndedAt), r.ID, r.Rev}
	}
	return `UPDATE runs SET version = $1, status = $2, active = $3, rev = rev + 1, cursor = $4, state = $5,
		wait_kind = $6, wait_key = $7, wait_until = $8, error = $9, end_reason = $10, updated_at = $11, ended_at = $12
		WHERE id = $13 AND rev = $14`,
		[]any{r.Version, r.Status, activeFlag(r.Status), r.Cursor, state, r.WaitKind, r.WaitKey, t.optTime(r.WaitUntil),
			r.Error, r.EndReason, t.d.TimeArg(r.UpdatedAt), t.optTime(r.EndedAt), r.ID, r.Rev}
}

func activeFlag(status string) any {
	if status == RunRunning || status == RunWaiting {
		return 1
	}
	return 0 // outside the partial unique index: many ended runs may share a record
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (t *Tx) optTime(tm *time.Time) any {
	if tm == nil {
		return nil
	}
	return t.d.TimeArg(*tm)
}

// Run reads one run, locking it on PostgreSQL for the rest of the transaction; records.ErrNotFound when
// there is none.
func (t *Tx) Run(ctx context.Context, id string) (Run, error) {
	runs, err := t.queryRuns(ctx, `SELECT `+runColumns+` FROM runs WHERE id = $1`+t.d.ForUpdate, id)
	if err != nil {
		return Run{}, err
	}
	if len(runs) == 0 {
		return Run{}, fmt.Errorf("run %s: %w", id, records.ErrNotFound)
	}
	return runs[0], nil
}

// ReadRun reads one run without locking it, for read-only transactions.
func (t *Tx) ReadRun(ctx context.Context, id string) (Run, error) {
	runs, err := t.queryRuns(ctx, `SELECT `+runColumns+` FROM runs WHERE id = $1`, id)
	if err != nil {
		return Run{}, err
	}
	if len(runs) == 0 {
		return Run{}, fmt.Errorf("run %s: %w", id, records.ErrNotFound)
	}
	return runs[0], nil
}

// RunRev reads a run's revision and whether it is active, without the rest of it: enough to tell
// whether a copy of the run is still current. A run that does not exist is not active.
func (t *Tx) RunRev(ctx context.Context, id string) (rev int64, active bool, err error) {
	err = t.queryRow(ctx, `SELECT rev, active FROM runs WHERE id = $1`, id).Scan(&rev, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read run %s: %w", id, err)
	}
	return rev, active, nil
}

// ActiveRuns returns the record's running and waiting runs, of every workflow.
func (t *Tx) ActiveRuns(ctx context.Context, recordID string) ([]Run, error) {
	return t.queryRuns(ctx, `SELECT `+runColumns+` FROM runs WHERE record_id = $1 AND active = 1`, recordID)
}

// LatestRun returns the record's newest run of the workflow, if any.
func (t *Tx) LatestRun(ctx context.Context, workflow, recordID string) (Run, bool, error) {
	runs, err := t.queryRuns(ctx, `SELECT `+runColumns+` FROM runs WHERE record_id = $1 AND workflow = $2
		ORDER BY started_at DESC, id DESC LIMIT 1`, recordID, workflow)
	if err != nil || len(runs) == 0 {
		return Run{}, false, err
	}
	return runs[0], true, nil
}

// RunFilter narrows ListRuns; empty fields do not filter.
type RunFilter struct {
	Workflow, RecordID, Status string
	Before                     *Position // keyset: runs older than this (started_at, id)
	Limit                      int
}

// ListRuns returns runs newest first.
func (t *Tx) ListRuns(ctx context.Context, f RunFilter) ([]Run, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if f.Workflow != "" {
		add("workflow = ?", f.Workflow)
	}
	if f.RecordID != "" {
		add("record_id = ?", f.RecordID)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.Before != nil {
		at, _ := f.Before.Value.(time.Time)
		args = append(args, t.d.TimeArg(at), f.Before.ID)
		n := len(args)
		where = append(where, fmt.Sprintf("(started_at < $%d OR (started_at = $%d AND id < $%d))", n-1, n-1, n))
	}
	q := `SELECT ` + runColumns + ` FROM runs`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	return t.queryRuns(ctx, q+fmt.Sprintf(" ORDER BY started_at DESC, id DESC LIMIT %d", f.Limit), args...)
}

// WaitingAt counts the waiting runs of a workflow at each step address, for the migration preview.
func (t *Tx) WaitingAt(ctx context.Context, workflow string) (map[int]map[string]int, error) {
	rows, err := t.query(ctx, `SELECT version, cursor, COUNT(*) FROM runs WHERE workflow = $1 AND active = 1 GROUP BY version, cursor`, workflow)
	if err != nil {
		return nil, fmt.Errorf("count waiting runs: %w", err)
	}
	defer rows.Close()
	out := map[int]map[string]int{}
	for rows.Next() {
		var v, n int
		var cursor string
		if err := rows.Scan(&v, &cursor, &n); err != nil {
			return nil, fmt.Errorf("count waiting runs: %w", err)
		}
		if out[v] == nil {
			out[v] = map[string]int{}
		}
		out[v][cursor] = n
	}
	return out, rows.Err()
}

// RunStat counts one workflow's runs started since a time, and how many of them failed.
type RunStat struct{ Started, Failed int }

// RunStats counts runs per workflow started at or after since (of one workflow, or of all when
// workflow is ""): the workflows list's enrollments and errors.
func (t *Tx) RunStats(ctx context.Context, since time.Time, workflow string) (map[string]RunStat, error) {
	q, args := `SELECT workflow, COUNT(*), SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) FROM runs WHERE started_at >= $1`, []any{t.d.TimeArg(since)}
	if workflow != "" {
		q, args = q+` AND workflow = $2`, append(args, workflow)
	}
	rows, err := t.query(ctx, q+` GROUP BY workflow`, args...)
	if err != nil {
		return nil, fmt.Errorf("count runs: %w", err)
	}
	defer rows.Close()
	out := map[string]RunStat{}
	for rows.Next() {
		var name string
		var s RunStat
		if err := rows.Scan(&name, &s.Started, &s.Failed); err != nil {
			return nil, fmt.Errorf("count runs: %w", err)
		}
		out[name] = s
	}
	return out, rows.Err()
}

func (t *Tx) queryRuns(ctx context.Context, q string, args ...any) ([]Run, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// scanRun reads a row of runColumns, then any extra columns into extra.
func scanRun(rows *sql.Rows, extra ...any) (Run, error) {
	var r Run
	var state string
	var waitUntil, started, updated, ended any
	var parent sql.NullString
	dest := append([]any{&r.ID, &r.Workflow, &r.Version, &r.RecordType, &r.RecordID, &r.Status, &r.Rev, &r.Cursor, &state,
		&r.WaitKind, &r.WaitKey, &waitUntil, &r.Depth, &parent, &r.Trigger, &r.Error, &r.EndReason, &started, &updated, &ended}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return r, fmt.Errorf("scan run: %w", err)
	}
	r.ParentRun = parent.String
	if err := json.Unmarshal([]byte(state), &r.State); err != nil {
		return r, fmt.Errorf("run %s state: %w", r.ID, err)
	}
	var err error
	if r.StartedAt, err = timeFromDB(started); err != nil {
		return r, err
	}
	if r.UpdatedAt, err = timeFromDB(updated); err != nil {
		return r, err
	}
	if r.WaitUntil, err = scanOptTime(waitUntil); err != nil {
		return r, err
	}
	if r.EndedAt, err = scanOptTime(ended); err != nil {
		return r, err
	}
	r.stored = r.indexed()
	return r, nil
}

// RunAndLastSeq is Run with MaxStepSeq, in one statement: the engine reads both at the start of every
// segment.
func (t *Tx) RunAndLastSeq(ctx context.Context, id string) (Run, int, error) {
	rows, err := t.query(ctx, `SELECT `+runColumns+`, (SELECT COALESCE(MAX(seq), 0) FROM run_steps WHERE run_id = runs.id)
		FROM runs WHERE id = $1`+t.d.ForUpdate, id)
	if err != nil {
		return Run{}, 0, fmt.Errorf("query runs: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Run{}, 0, fmt.Errorf("query runs: %w", err)
		}
		return Run{}, 0, fmt.Errorf("run %s: %w", id, records.ErrNotFound)
	}
	var seq int
	r, err := scanRun(rows, &seq)
	return r, seq, err
}

func scanOptTime(v any) (*time.Time, error) {
	if v == nil {
		return nil, nil
	}
	tm, err := timeFromDB(v)
	return &tm, err
}

// StepRecord is one entry of a run's history (T3).
type StepRecord struct {
	RunID      string         `json:"-"`
	Seq        int            `json:"seq"`
	Version    int            `json:"version"`
	StepID     string         `json:"step_id"`
	Addr       string         `json:"addr"`
	Type       string         `json:"type"`
	Status     string         `json:"status"` // done, failed, waiting, skipped, deferred, retrying
	Input      map[string]any `json:"input,omitempty"`
	Output     map[string]any `json:"output,omitempty"`
	Decision   map[string]any `json:"decision,omitempty"` // the values that chose a branch
	Attempts   int            `json:"attempts"`
	Error      string         `json:"error,omitempty"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt *time.Time     `json:"finished_at,omitempty"`
}

// SaveStep inserts a history entry, or replaces the entry with the same seq (a retried or resumed step).
func (t *Tx) SaveStep(ctx context.Context, s StepRecord) error {
	return t.SaveSteps(ctx, []StepRecord{s})
}

// SaveSteps saves several history entries in one statement (a segment's steps); each replaces the entry
// with its seq, keeping that entry's input when it brings none (a wait's completion).
func (t *Tx) SaveSteps(ctx context.Context, steps []StepRecord) error {
	if len(steps) == 0 {
		return nil
	}
	enc := func(m map[string]any) (any, error) {
		if m == nil {
			return nil, nil
		}
		b, err := json.Marshal(m)
		return string(b), err
	}
	ph := make([]string, 0, len(steps))
	args := make([]any, 0, 14*len(steps))
	for _, s := range steps {
		in, err1 := enc(s.Input)
		out, err2 := enc(s.Output)
		dec, err3 := enc(s.Decision)
		if err := errors.Join(err1, err2, err3); err != nil {
			return fmt.Errorf("encode step %s: %w", s.StepID, err)
		}
		k := len(args)
		ph = append(ph, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)",
			k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9, k+10, k+11, k+12, k+13, k+14))
		args = append(args, s.RunID, s.Seq, s.Version, s.StepID, s.Addr, s.Type, s.Status, in, out, dec, s.Attempts, s.Error,
			t.d.TimeArg(s.StartedAt), t.optTime(s.FinishedAt))
	}
	// An entry replaces the one with its seq only when it is the same step's (a wait that ended, maybe
	// on a newer version, where its id is what matches it). An entry of another step under that seq was
	// numbered from an out-of-date counter, and merging the two would lose one: that is an error, and
	// the segment runs again.
	res, err := t.exec(ctx, `INSERT INTO run_steps (run_id, seq, version, step_id, addr, type, status, input, output, decision, attempts, error, started_at, finished_at)
		VALUES `+strings.Join(ph, ", ")+`
		ON CONFLICT (run_id, seq) DO UPDATE SET status = excluded.status, input = COALESCE(excluded.input, run_steps.input), output = excluded.output,
		decision = excluded.decision, attempts = excluded.attempts, error = excluded.error, finished_at = excluded.finished_at
		WHERE run_steps.step_id = excluded.step_id`, args...)
	if err != nil {
		return fmt.Errorf("save the history of run %s: %w", steps[0].RunID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n < int64(len(steps)) {
		return fmt.Errorf("save the history of run %s: %d of %d entries took a seq another step's entry holds: %w", steps[0].RunID, int64(len(steps))-n, len(steps), ErrStale)
	}
	return nil
}

// Steps returns a run's history in order.
func (t *Tx) Steps(ctx context.Context, runID string) ([]StepRecord, error) {
	rows, err := t.query(ctx, `SELECT seq, version, step_id, addr, type, status, input, output, decision, attempts, error, started_at, finished_at
		FROM run_steps WHERE run_id = $1 ORDER BY seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("read run history: %w", err)
	}
	defer rows.Close()
	var out []StepRecord
	for rows.Next() {
		s := StepRecord{RunID: runID}
		var in, o, dec sql.NullString
		var started, finished any
		if err := rows.Scan(&s.Seq, &s.Version, &s.StepID, &s.Addr, &s.Type, &s.Status, &in, &o, &dec, &s.Attempts, &s.Error, &started, &finished); err != nil {
			return nil, fmt.Errorf("scan step: %w", err)
		}
		for _, p := range []struct {
			src sql.NullString
			dst *map[string]any
		}{{in, &s.Input}, {o, &s.Output}, {dec, &s.Decision}} {
			if p.src.Valid {
				if err := json.Unmarshal([]byte(p.src.String), p.dst); err != nil {
					return nil, fmt.Errorf("step %s: %w", s.StepID, err)
				}
			}
		}
		if s.StartedAt, err = timeFromDB(started); err != nil {
			return nil, err
		}
		if s.FinishedAt, err = scanOptTime(finished); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// WaitingOn returns the active runs waiting on any of keys (a record id an awaited event may be about,
// a task id), of the given wait kinds.
func (t *Tx) WaitingOn(ctx context.Context, keys []string) ([]Run, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	in, args := inList(1, keys)
	return t.queryRuns(ctx, `SELECT `+runColumns+` FROM runs WHERE active = 1 AND wait_key IN (`+in+`)`, args...)
}

// ActiveRunRef is an active run's id and what it is about or waits on.
type ActiveRunRef struct {
	ID, RecordID, WaitKey, WaitKind string
}

// ActiveRunRefs returns the active runs about any of keys or waiting on any of them, in one query:
// the trigger feed reads it once per batch of events to skip the events no run cares about.
func (t *Tx) ActiveRunRefs(ctx context.Context, keys []string) ([]ActiveRunRef, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	in, args := inList(1, keys)
	// Two selects, not one with OR: each then reads its own index (an OR of two IN lists scanned the table).
	rows, err := t.query(ctx, `SELECT id, record_id, wait_key, wait_kind FROM runs WHERE record_id IN (`+in+`) AND active = 1
		UNION SELECT id, record_id, wait_key, wait_kind FROM runs WHERE wait_key IN (`+in+`) AND active = 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("active runs of a batch: %w", err)
	}
	defer rows.Close()
	var out []ActiveRunRef
	for rows.Next() {
		var r ActiveRunRef
		if err := rows.Scan(&r.ID, &r.RecordID, &r.WaitKey, &r.WaitKind); err != nil {
			return nil, fmt.Errorf("scan active run: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RecordStep is a step of one of a record's runs, for the record's timeline.
type RecordStep struct {
	StepRecord
	Workflow string
	Key      string // run_id/seq: the timeline's tie-breaker
}

// RecordSteps returns the steps of the record's runs in timeline order — newest first by (started_at,
// key) — after the position p of a previous page (nil: from the newest).
func (t *Tx) RecordSteps(ctx context.Context, recordID string, p *Position, limit int) ([]RecordStep, error) {
	q := `SELECT s.run_id, r.workflow, s.seq, s.version, s.step_id, s.addr, s.type, s.status, s.decision, s.output, s.error, s.attempts, s.started_at,
		s.run_id || '/' || CAST(s.seq AS TEXT) AS k
		FROM run_steps s JOIN runs r ON r.id = s.run_id WHERE r.record_id = $1`
	args := []any{recordID}
	if p != nil {
		at, _ := p.Value.(time.Time)
		q += ` AND (s.started_at < $2 OR (s.started_at = $2 AND s.run_id || '/' || CAST(s.seq AS TEXT) < $3))`
		args = append(args, t.d.TimeArg(at), p.ID)
	}
	rows, err := t.query(ctx, q+fmt.Sprintf(` ORDER BY s.started_at DESC, k DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, fmt.Errorf("read the record's run steps: %w", err)
	}
	defer rows.Close()
	var out []RecordStep
	for rows.Next() {
		var s RecordStep
		var dec, o sql.NullString
		var started any
		if err := rows.Scan(&s.RunID, &s.Workflow, &s.Seq, &s.Version, &s.StepID, &s.Addr, &s.Type, &s.Status, &dec, &o, &s.Error, &s.Attempts, &started, &s.Key); err != nil {
			return nil, fmt.Errorf("scan run step: %w", err)
		}
		if dec.Valid {
			_ = json.Unmarshal([]byte(dec.String), &s.Decision)
		}
		if o.Valid {
			_ = json.Unmarshal([]byte(o.String), &s.Output)
		}
		if s.StartedAt, err = timeFromDB(started); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PreviousRun returns the run of the workflow that decides whether the record may enroll again: its
// active run if it has one (an older run retried by hand can be active while a newer one has ended),
// else its newest. One statement instead of LatestRun and ActiveRunOf, on every enrollment.
func (t *Tx) PreviousRun(ctx context.Context, workflow, recordID string) (Run, bool, error) {
	if t.neverRan(workflow, recordID) {
		return Run{}, false, nil
	}
	runs, err := t.queryRuns(ctx, `SELECT `+runColumns+` FROM runs WHERE record_id = $1 AND workflow = $2
		ORDER BY active DESC, started_at DESC, id DESC LIMIT 1`, recordID, workflow)
	if err != nil || len(runs) == 0 {
		return Run{}, false, err
	}
	return runs[0], true, nil
}

// MaxStepSeq returns the highest history seq of a run (0 for none).
func (t *Tx) MaxStepSeq(ctx context.Context, runID string) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM run_steps WHERE run_id = $1`, runID).Scan(&n)
	return n, err
}
