package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// LeadTiming is a lead's way from creation to its first connect, as stored (T5).
type LeadTiming struct {
	ID, Source, OwnerID string
	CreatedAt           time.Time
	AssignedAt          *time.Time
	AttemptAt           *time.Time // the first call or email: a done call/email task, or a logged call or sent email
	AttemptBy           string     // who made it
	ConnectAt           *time.Time // the first call that connected
}

// LeadTimings reads the timings of the leads created in [from, to), merged leads left out.
func (t *Tx) LeadTimings(ctx context.Context, from, to time.Time) ([]LeadTiming, error) {
	rows, err := t.query(ctx, `SELECT id, COALESCE(source, ''), COALESCE(owner_id, ''), created_at FROM leads
		WHERE created_at >= $1 AND created_at < $2 AND merged_into_id IS NULL ORDER BY created_at, id`, t.d.TimeArg(from), t.d.TimeArg(to))
	if err != nil {
		return nil, fmt.Errorf("speed to lead: %w", err)
	}
	var out []LeadTiming
	idx := map[string]int{}
	for rows.Next() {
		var l LeadTiming
		var at any
		if err := rows.Scan(&l.ID, &l.Source, &l.OwnerID, &at); err != nil {
			rows.Close()
			return nil, err
		}
		if l.CreatedAt, err = timeFromDB(at); err != nil {
			rows.Close()
			return nil, err
		}
		idx[l.ID] = len(out)
		out = append(out, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	set := func(id string, at time.Time, f func(*LeadTiming, time.Time)) {
		if i, ok := idx[id]; ok && !at.Before(out[i].CreatedAt.Add(-time.Second)) {
			f(&out[i], at)
		}
	}
	earliest := func(p **time.Time, at time.Time) bool {
		if *p == nil || at.Before(**p) {
			*p = &at
			return true
		}
		return false
	}
	// Assigned: the first routing decision with a person, or the first change that gave it an owner.
	if err := t.eachRow(ctx, `SELECT record_id, at FROM assignments WHERE record_type = 'lead' AND user_id IS NOT NULL AND at >= $1`,
		[]any{t.d.TimeArg(from)}, func(id, _ string, at time.Time, _ string) {
			set(id, at, func(l *LeadTiming, at time.Time) { earliest(&l.AssignedAt, at) })
		}); err != nil {
		return nil, err
	}
	if err := t.eachRow(ctx, `SELECT record_id, changes, occurred_at, kind FROM events WHERE record_type = 'lead' AND kind IN ('created', 'updated')
		AND occurred_at >= $1 AND CAST(changes AS TEXT) LIKE '%"owner_id"%'`, []any{t.d.TimeArg(from)}, func(id, changes string, at time.Time, _ string) {
		var ch map[string]struct {
			New any `json:"new"`
		}
		if json.Unmarshal([]byte(changes), &ch) == nil && ch["owner_id"].New != nil {
			set(id, at, func(l *LeadTiming, at time.Time) { earliest(&l.AssignedAt, at) })
		}
	}); err != nil {
		return nil, err
	}
	// Attempts and connects: logged calls and sent emails, and call or email tasks done.
	if err := t.eachRow(ctx, `SELECT record_id, COALESCE(owner_id, ''), occurred_at, type || ':' || COALESCE(CAST(data AS TEXT), '') FROM activities
		WHERE record_type = 'lead' AND type IN ('email_sent', 'call_logged') AND occurred_at >= $1`, []any{t.d.TimeArg(from)},
		func(id, by string, at time.Time, what string) {
			set(id, at, func(l *LeadTiming, at time.Time) {
				if earliest(&l.AttemptAt, at) {
					l.AttemptBy = by
				}
				if data, ok := strings.CutPrefix(what, "call_logged:"); ok && connected(data) {
					earliest(&l.ConnectAt, at)
				}
			})
		}); err != nil {
		return nil, err
	}
	err = t.eachRow(ctx, `SELECT record_id, COALESCE(owner_id, ''), completed_at, type || ':' || COALESCE(outcome, '') FROM tasks
		WHERE record_type = 'lead' AND status = 'done' AND type IN ('call', 'email') AND completed_at >= $1`, []any{t.d.TimeArg(from)},
		func(id, by string, at time.Time, what string) {
			set(id, at, func(l *LeadTiming, at time.Time) {
				if earliest(&l.AttemptAt, at) {
					l.AttemptBy = by
				}
				if what == "call:connected" {
					earliest(&l.ConnectAt, at)
				}
			})
		})
	return out, err
}

func connected(data string) bool {
	var d struct {
		Outcome string `json:"outcome"`
	}
	return json.Unmarshal([]byte(data), &d) == nil && d.Outcome == "connected"
}

// eachRow runs a query of (id, text, time[, text]) rows.
func (t *Tx) eachRow(ctx context.Context, q string, args []any, f func(id, s string, at time.Time, s2 string)) error {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("speed to lead: %w", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		var id, s, s2 string
		var at any
		dst := []any{&id, &s, &at}
		if len(cols) == 2 {
			dst = []any{&id, &at}
		} else if len(cols) == 4 {
			dst = append(dst, &s2)
		}
		if err := rows.Scan(dst...); err != nil {
			return err
		}
		tm, err := timeFromDB(at)
		if err != nil {
			return err
		}
		f(id, s, tm, s2)
	}
	return rows.Err()
}

// TaskTally is how a group's tasks ended.
type TaskTally struct {
	Workflow, Owner string
	Status          string
	N               int
}

// TaskTallies counts the tasks created in [from, to) by the workflow that made them, owner and status.
func (t *Tx) TaskTallies(ctx context.Context, from, to time.Time) ([]TaskTally, error) {
	rows, err := t.query(ctx, `SELECT COALESCE(r.workflow, ''), COALESCE(k.owner_id, ''), k.status, COUNT(*) FROM tasks k
		LEFT JOIN runs r ON r.id = k.run_id WHERE k.created_at >= $1 AND k.created_at < $2 GROUP BY 1, 2, 3`, t.d.TimeArg(from), t.d.TimeArg(to))
	if err != nil {
		return nil, fmt.Errorf("task tallies: %w", err)
	}
	defer rows.Close()
	var out []TaskTally
	for rows.Next() {
		var tt TaskTally
		if err := rows.Scan(&tt.Workflow, &tt.Owner, &tt.Status, &tt.N); err != nil {
			return nil, err
		}
		out = append(out, tt)
	}
	return out, rows.Err()
}
