package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Job is durable work for the engine: a run segment to execute, a timer, a date or cron trigger.
// Keys are unique ("run:<id>", "date:<workflow>:<record>", "cron:<workflow>"), so scheduling the same
// thing twice replaces it. Gen changes on every replacement: a worker that finishes an old generation
// must not delete the new one.
type Job struct {
	ID       int64
	Key      string
	Kind     string
	Gen      int64
	Payload  map[string]any
	DueAt    time.Time
	Attempts int
	// Interrupted is set by ClaimJobs when the job's previous lease ended without being given back:
	// the process that held it stopped (killed, shut down) or outlived its lease while it ran the job.
	// An outside call that job had committed may or may not have been made.
	Interrupted bool
}

// UpsertJob schedules j, replacing the job with its key (and resetting its attempts and lease).
func (t *Tx) UpsertJob(ctx context.Context, j Job, now time.Time) error {
	_, err := t.ScheduleJob(ctx, j, now)
	return err
}

// ScheduleJob is UpsertJob returning the job as stored, with its id and generation: what a worker
// needs to lease it (TouchJob) or finish it without claiming it first.
func (t *Tx) ScheduleJob(ctx context.Context, j Job, now time.Time) (Job, error) {
	payload, err := json.Marshal(j.Payload)
	if err != nil {
		return Job{}, fmt.Errorf("encode job %s: %w", j.Key, err)
	}
	if j.Payload == nil {
		payload = []byte("{}")
	}
	err = t.queryRow(ctx, `INSERT INTO jobs (key, kind, gen, payload, due_at, attempts, created_at) VALUES ($1, $2, 1, $3, $4, 0, $5)
		ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, gen = jobs.gen + 1, payload = excluded.payload, due_at = excluded.due_at,
		attempts = 0, locked_until = NULL
		RETURNING id, gen`,
		j.Key, j.Kind, string(payload), t.d.TimeArg(j.DueAt), t.d.TimeArg(now)).Scan(&j.ID, &j.Gen)
	if err != nil {
		return Job{}, fmt.Errorf("schedule job %s: %w", j.Key, err)
	}
	t.wrote = true
	t.changes.Jobs = t.changes.Jobs || !j.DueAt.After(now) // a later one is found by the workers' poll
	j.Attempts = 0
	return j, nil
}

// DeleteJob removes the job with key, whatever its generation (a run that ended needs no timer).
func (t *Tx) DeleteJob(ctx context.Context, key string) error {
	if _, err := t.exec(ctx, `DELETE FROM jobs WHERE key = $1`, key); err != nil {
		return fmt.Errorf("delete job %s: %w", key, err)
	}
	return nil
}

// FinishJob removes job j if it is still the generation that was claimed; it reports whether it did.
func (t *Tx) FinishJob(ctx context.Context, j Job) (bool, error) {
	res, err := t.exec(ctx, `DELETE FROM jobs WHERE id = $1 AND gen = $2`, j.ID, j.Gen)
	if err != nil {
		return false, fmt.Errorf("finish job %s: %w", j.Key, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// RetryJob puts claimed job j back for later (when it is still the claimed generation), keeping its
// attempt count.
func (t *Tx) RetryJob(ctx context.Context, j Job, due time.Time) error {
	_, err := t.exec(ctx, `UPDATE jobs SET due_at = $1, locked_until = NULL WHERE id = $2 AND gen = $3`, t.d.TimeArg(due), j.ID, j.Gen)
	if err != nil {
		return fmt.Errorf("retry job %s: %w", j.Key, err)
	}
	t.changes.Jobs = true // it may be due already (no clock here to tell)
	return nil
}

// ReturnJob gives back a job this process leased until leasedUntil and has not started on: it is due
// at due and free for any worker. It does nothing once the lease has been taken over (it ran out and a
// claim leased the job again) or the job was replaced; it reports whether it returned the job.
func (t *Tx) ReturnJob(ctx context.Context, j Job, leasedUntil, due time.Time) (bool, error) {
	res, err := t.exec(ctx, `UPDATE jobs SET due_at = $1, locked_until = NULL WHERE id = $2 AND gen = $3 AND locked_until = $4`,
		t.d.TimeArg(due), j.ID, j.Gen, t.d.TimeArg(leasedUntil))
	if err != nil {
		return false, fmt.Errorf("return job %s: %w", j.Key, err)
	}
	n, _ := res.RowsAffected()
	t.changes.Jobs = t.changes.Jobs || n > 0
	return n > 0, nil
}

// ClaimJobs leases up to limit due jobs until now+lease and counts the attempt. A job whose lease ran
// out (its worker died) is due again. On PostgreSQL concurrent workers skip each other's rows.
func (t *Tx) ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Job, error) {
	skip := ""
	if t.d.Name == "postgres" {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := t.query(ctx, fmt.Sprintf(`SELECT id, key, kind, gen, payload, due_at, attempts, locked_until IS NOT NULL FROM jobs
		WHERE due_at <= $1 AND (locked_until IS NULL OR locked_until <= $1) ORDER BY due_at LIMIT %d%s`, limit, skip), t.d.TimeArg(now))
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	jobs, err := scanJobs(rows, true)
	if err != nil || len(jobs) == 0 {
		return nil, err
	}
	ids := make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
	}
	in, args := inList(2, ids)
	if _, err := t.exec(ctx, `UPDATE jobs SET locked_until = $1, attempts = attempts + 1 WHERE id IN (`+in+`)`, append([]any{t.d.TimeArg(now.Add(lease))}, args...)...); err != nil {
		return nil, fmt.Errorf("lease jobs: %w", err)
	}
	for i := range jobs {
		jobs[i].Attempts++
	}
	return jobs, nil
}

// JobByKey reads one job; ok is false when there is none.
func (t *Tx) JobByKey(ctx context.Context, key string) (Job, bool, error) {
	rows, err := t.query(ctx, `SELECT id, key, kind, gen, payload, due_at, attempts FROM jobs WHERE key = $1`, key)
	if err != nil {
		return Job{}, false, fmt.Errorf("read job %s: %w", key, err)
	}
	jobs, err := scanJobs(rows, false)
	if err != nil || len(jobs) == 0 {
		return Job{}, false, err
	}
	return jobs[0], true, nil
}

// CountJobs counts the jobs of one kind ("" for all).
func (t *Tx) CountJobs(ctx context.Context, kind string) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE $1 = '' OR kind = $1`, kind).Scan(&n)
	return n, err
}

// scanJobs reads jobs; with interrupted, a last column says whether each had a lease (ClaimJobs).
func scanJobs(rows *sql.Rows, interrupted bool) ([]Job, error) {
	defer rows.Close()
	var out []Job
	for rows.Next() {
		var j Job
		var payload string
		var due any
		dest := []any{&j.ID, &j.Key, &j.Kind, &j.Gen, &payload, &due, &j.Attempts}
		if interrupted {
			dest = append(dest, &j.Interrupted)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scan job: %w", err)
		}
		if err := json.Unmarshal([]byte(payload), &j.Payload); err != nil {
			return nil, fmt.Errorf("job %s payload: %w", j.Key, err)
		}
		var err error
		if j.DueAt, err = timeFromDB(due); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// FeedCursor returns where the named feed reader stands; ok is false for a reader never seen.
func (t *Tx) FeedCursor(ctx context.Context, name string) (p FeedPosition, ok bool, err error) {
	err = t.queryRow(ctx, `SELECT txid, seq FROM engine_cursors WHERE name = $1`, name).Scan(&p.TxID, &p.Seq)
	if errors.Is(err, sql.ErrNoRows) {
		return FeedPosition{}, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("read feed cursor %s: %w", name, err)
	}
	return p, true, nil
}

// LockFeedCursor is FeedCursor for the transaction that will move it: on PostgreSQL a second process's
// feed waits for this one and then reads where it left off, instead of handling the same events.
func (t *Tx) LockFeedCursor(ctx context.Context, name string) (FeedPosition, error) {
	var p FeedPosition
	err := t.queryRow(ctx, `SELECT txid, seq FROM engine_cursors WHERE name = $1`+t.d.ForUpdate, name).Scan(&p.TxID, &p.Seq)
	if err != nil {
		return p, fmt.Errorf("lock feed cursor %s: %w", name, err)
	}
	return p, nil
}

// SetFeedCursor moves the named reader to p, in the transaction that handled the events before it.
func (t *Tx) SetFeedCursor(ctx context.Context, name string, p FeedPosition) error {
	_, err := t.exec(ctx, `INSERT INTO engine_cursors (name, txid, seq) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET txid = excluded.txid, seq = excluded.seq`, name, p.TxID, p.Seq)
	if err != nil {
		return fmt.Errorf("move feed cursor %s: %w", name, err)
	}
	return nil
}

// LatestFeedPosition returns the position after the newest event, so that a new installation's engine
// does not replay the history written before it existed (the demo seed, an import).
func (t *Tx) LatestFeedPosition(ctx context.Context) (FeedPosition, error) {
	var p FeedPosition
	err := t.queryRow(ctx, `SELECT COALESCE(MAX(txid), 0), COALESCE(MAX(seq), 0) FROM events`).Scan(&p.TxID, &p.Seq)
	if err != nil {
		return p, fmt.Errorf("read the newest event: %w", err)
	}
	return p, nil
}

// EnrollmentCheck is one decision of the trigger about a record and a workflow: enrolled, or why not.
type EnrollmentCheck struct {
	ID         int64          `json:"-"`
	Workflow   string         `json:"workflow"`
	Version    int            `json:"version"`
	RecordType string         `json:"record_type"`
	RecordID   string         `json:"record_id"`
	EventID    string         `json:"event_id,omitempty"`
	Trigger    string         `json:"trigger"`
	Enrolled   bool           `json:"enrolled"`
	RunID      string         `json:"run_id,omitempty"`
	Reason     string         `json:"reason"`
	Details    map[string]any `json:"details,omitempty"` // filter values, the re-enrollment rule, the previous run
	At         time.Time      `json:"at"`
}

// LogEnrollment stores a decision.
func (t *Tx) LogEnrollment(ctx context.Context, c EnrollmentCheck) error {
	details, err := json.Marshal(c.Details)
	if err != nil {
		return fmt.Errorf("encode enrollment details: %w", err)
	}
	enrolled := 0
	if c.Enrolled {
		enrolled = 1
	}
	_, err = t.exec(ctx, `INSERT INTO enrollment_log (workflow, version, record_type, record_id, event_id, trigger, enrolled, run_id, reason, details, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		c.Workflow, c.Version, c.RecordType, c.RecordID, c.EventID, c.Trigger, enrolled, nullable(c.RunID), c.Reason, string(details), t.d.TimeArg(c.At))
	if err != nil {
		return fmt.Errorf("log enrollment: %w", err)
	}
	return nil
}

// LogEnrollments stores many decisions in as few statements as it can (100 rows each): the trigger
// feed logs one per matching workflow per event, enrolled or not.
func (t *Tx) LogEnrollments(ctx context.Context, cs []EnrollmentCheck) error {
	for len(cs) > 0 {
		n := min(len(cs), 100)
		var ph []string
		var args []any
		for _, c := range cs[:n] {
			details, err := json.Marshal(c.Details)
			if err != nil {
				return fmt.Errorf("encode enrollment details: %w", err)
			}
			enrolled := 0
			if c.Enrolled {
				enrolled = 1
			}
			k := len(args)
			ph = append(ph, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9, k+10, k+11))
			args = append(args, c.Workflow, c.Version, c.RecordType, c.RecordID, c.EventID, c.Trigger, enrolled, nullable(c.RunID), c.Reason, string(details), t.d.TimeArg(c.At))
		}
		if _, err := t.exec(ctx, `INSERT INTO enrollment_log (workflow, version, record_type, record_id, event_id, trigger, enrolled, run_id, reason, details, at) VALUES `+
			strings.Join(ph, ", "), args...); err != nil {
			return fmt.Errorf("log enrollments: %w", err)
		}
		cs = cs[n:]
	}
	return nil
}

// EnrollmentLog returns the newest decisions about a record (for one workflow, or all when workflow is "").
func (t *Tx) EnrollmentLog(ctx context.Context, recordID, workflow string, limit int) ([]EnrollmentCheck, error) {
	rows, err := t.query(ctx, fmt.Sprintf(`SELECT id, workflow, version, record_type, record_id, event_id, trigger, enrolled, run_id, reason, details, at
		FROM enrollment_log WHERE record_id = $1 AND ($2 = '' OR workflow = $2) ORDER BY id DESC LIMIT %d`, limit), recordID, workflow)
	if err != nil {
		return nil, fmt.Errorf("read enrollment log: %w", err)
	}
	defer rows.Close()
	var out []EnrollmentCheck
	for rows.Next() {
		var c EnrollmentCheck
		var enrolled int
		var run sql.NullString
		var details string
		var at any
		if err := rows.Scan(&c.ID, &c.Workflow, &c.Version, &c.RecordType, &c.RecordID, &c.EventID, &c.Trigger, &enrolled, &run, &c.Reason, &details, &at); err != nil {
			return nil, fmt.Errorf("scan enrollment log: %w", err)
		}
		c.Enrolled, c.RunID = enrolled == 1, run.String
		if err := json.Unmarshal([]byte(details), &c.Details); err != nil {
			return nil, fmt.Errorf("enrollment details: %w", err)
		}
		if c.At, err = timeFromDB(at); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AlertSentAt returns when the alert with key last went out.
func (t *Tx) AlertSentAt(ctx context.Context, key string) (time.Time, bool, error) {
	var sent any
	err := t.queryRow(ctx, `SELECT sent_at FROM alerts WHERE key = $1`, key).Scan(&sent)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read alert %s: %w", key, err)
	}
	at, err := timeFromDB(sent)
	return at, err == nil, err
}

// SetAlertSent records that the alert with key went out at.
func (t *Tx) SetAlertSent(ctx context.Context, key string, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO alerts (key, sent_at) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET sent_at = excluded.sent_at`, key, t.d.TimeArg(at))
	if err != nil {
		return fmt.Errorf("record alert %s: %w", key, err)
	}
	return nil
}

// SetJobPayload replaces the payload of the job with key, keeping its generation, due time and lease.
func (t *Tx) SetJobPayload(ctx context.Context, key string, payload map[string]any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode job %s: %w", key, err)
	}
	if _, err := t.exec(ctx, `UPDATE jobs SET payload = $1 WHERE key = $2`, string(b), key); err != nil {
		return fmt.Errorf("update job %s: %w", key, err)
	}
	t.changes.Jobs = true // a claim may have skipped the job while this held its row (PostgreSQL)
	return nil
}

// TouchJob replaces the payload of claimed job j without making it a new generation, and extends its
// lease to leaseUntil (when set): the worker that holds it goes on, and a worker that inherits it after
// a crash reads the run revision it must find.
func (t *Tx) TouchJob(ctx context.Context, j Job, payload map[string]any, leaseUntil *time.Time) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode job %s: %w", j.Key, err)
	}
	if _, err := t.exec(ctx, `UPDATE jobs SET payload = $1, locked_until = COALESCE($2, locked_until) WHERE id = $3 AND gen = $4`,
		string(b), t.optTime(leaseUntil), j.ID, j.Gen); err != nil {
		return fmt.Errorf("update job %s: %w", j.Key, err)
	}
	return nil
}

// ReleaseLeases ends every lease that has not run out yet, as if it had: only for SQLite at startup,
// where one process holds the database, so a lease that exists was taken by a process that is gone
// (killed); waiting for it to run out would only delay the work. The job is not given back (the lease
// is not cleared), so that its claim knows it was cut short (Job.Interrupted).
func (t *Tx) ReleaseLeases(ctx context.Context, now time.Time) (int64, error) {
	res, err := t.exec(ctx, `UPDATE jobs SET locked_until = $1 WHERE locked_until > $1`, t.d.TimeArg(now))
	if err != nil {
		return 0, fmt.Errorf("release job leases: %w", err)
	}
	t.changes.Jobs = true
	return res.RowsAffected()
}

// CountDueJobs counts jobs due at now that no worker holds.
func (t *Tx) CountDueJobs(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE due_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)`, t.d.TimeArg(now)).Scan(&n)
	return n, err
}
