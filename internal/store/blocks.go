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

// LockRoutingState reads a routing ruleset's rotation state and holds it until the transaction ends,
// so that records routed at the same instant take turns (on PostgreSQL the second waits for the first
// to commit and then reads its turn; SQLite's single writer already serialises them).
func (t *Tx) LockRoutingState(ctx context.Context, ruleset string) (string, error) {
	if _, err := t.exec(ctx, `INSERT INTO routing_state (ruleset, rule, state) VALUES ($1, '', '{}') ON CONFLICT (ruleset, rule) DO NOTHING`, ruleset); err != nil {
		return "", fmt.Errorf("create routing state %s: %w", ruleset, err)
	}
	var state string
	if err := t.queryRow(ctx, `SELECT state FROM routing_state WHERE ruleset = $1 AND rule = ''`+t.d.ForUpdate, ruleset).Scan(&state); err != nil {
		return "", fmt.Errorf("lock routing state %s: %w", ruleset, err)
	}
	return state, nil
}

// RoutingState reads a ruleset's rotation state without locking it ("{}" when never routed).
func (t *Tx) RoutingState(ctx context.Context, ruleset string) (string, error) {
	var state string
	err := t.queryRow(ctx, `SELECT state FROM routing_state WHERE ruleset = $1 AND rule = ''`, ruleset).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "{}", nil
	}
	if err != nil {
		return "", fmt.Errorf("read routing state %s: %w", ruleset, err)
	}
	return state, nil
}

// SetRoutingState stores a ruleset's rotation state (after LockRoutingState in the same transaction).
func (t *Tx) SetRoutingState(ctx context.Context, ruleset, state string) error {
	if _, err := t.exec(ctx, `UPDATE routing_state SET state = $2 WHERE ruleset = $1 AND rule = ''`, ruleset, state); err != nil {
		return fmt.Errorf("store routing state %s: %w", ruleset, err)
	}
	return nil
}

// Assignment is one routing decision with its trace.
type Assignment struct {
	ID         string         `json:"id"`
	RecordType string         `json:"record_type"`
	RecordID   string         `json:"record_id"`
	Ruleset    string         `json:"ruleset"`
	Rule       string         `json:"rule"`
	UserID     string         `json:"user_id,omitempty"`
	Queue      string         `json:"queue,omitempty"`
	RunID      string         `json:"run_id,omitempty"`
	Trace      map[string]any `json:"trace"`
	At         time.Time      `json:"at"`
}

// InsertAssignment records a routing decision.
func (t *Tx) InsertAssignment(ctx context.Context, a Assignment) error {
	trace, err := json.Marshal(a.Trace)
	if err != nil {
		return fmt.Errorf("encode assignment trace: %w", err)
	}
	_, err = t.exec(ctx, `INSERT INTO assignments (id, record_type, record_id, ruleset, rule, user_id, queue, run_id, trace, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		a.ID, a.RecordType, a.RecordID, a.Ruleset, a.Rule, nullable(a.UserID), a.Queue, nullable(a.RunID), string(trace), t.d.TimeArg(a.At))
	if err != nil {
		return fmt.Errorf("record assignment: %w", err)
	}
	return nil
}

// Assignments lists a record's routing decisions, newest first.
func (t *Tx) Assignments(ctx context.Context, recordType, recordID string, limit int) ([]Assignment, error) {
	rows, err := t.query(ctx, `SELECT id, record_type, record_id, ruleset, rule, COALESCE(user_id, ''), queue, COALESCE(run_id, ''), trace, at
		FROM assignments WHERE record_type = $1 AND record_id = $2 ORDER BY at DESC, id DESC LIMIT $3`, recordType, recordID, limit)
	if err != nil {
		return nil, fmt.Errorf("list assignments: %w", err)
	}
	return scanAssignments(rows)
}

// CountAssignments counts the assignments a person received since a moment (for daily caps).
func (t *Tx) CountAssignments(ctx context.Context, userID string, since time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM assignments WHERE user_id = $1 AND at >= $2`, userID, t.d.TimeArg(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count assignments: %w", err)
	}
	return n, nil
}

// OpenLoad counts a person's open leads (not converted or disqualified) or open tasks (open or
// snoozed), for least-loaded routing.
func (t *Tx) OpenLoad(ctx context.Context, userID, load string) (float64, error) {
	q := `SELECT COUNT(*) FROM leads WHERE owner_id = $1 AND status NOT IN ('converted', 'disqualified')`
	if load == "open_tasks" {
		q = `SELECT COUNT(*) FROM tasks WHERE owner_id = $1 AND status IN ('open', 'snoozed')`
	}
	var n float64
	if err := t.queryRow(ctx, q, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", load, err)
	}
	return n, nil
}

// TeamMembers lists the ids of the users in the team with this name.
func (t *Tx) TeamMembers(ctx context.Context, team string) ([]string, error) {
	rows, err := t.query(ctx, `SELECT u.id FROM users u JOIN teams tm ON u.team_id = tm.id WHERE tm.name = $1 ORDER BY u.email`, team)
	if err != nil {
		return nil, fmt.Errorf("list team %s: %w", team, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// AccountCandidate is an account the matcher may score for a lead (S4).
type AccountCandidate struct {
	ID, Name, Domain, Website string
	Contacts                  int
	OwnerActive               bool
	UpdatedAt                 time.Time
}

// AccountCandidates narrows the accounts a lead may belong to: those whose domain is one of domains,
// and those whose name is like name — on SQLite through the FTS5 trigram index (any of the name's
// words of three letters or more inside the account's name), on PostgreSQL through pg_trgm similarity.
// The matcher scores them; this only keeps the scoring to a few dozen accounts however many exist.
func (t *Tx) AccountCandidates(ctx context.Context, domains, words []string, name string, limit int) ([]AccountCandidate, error) {
	ids := map[string]bool{}
	var order []string
	add := func(q string, args ...any) error {
		rows, err := t.query(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("match accounts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if !ids[id] {
				ids[id] = true
				order = append(order, id)
			}
		}
		return rows.Err()
	}
	for _, d := range domains {
		if d == "" {
			continue
		}
		if err := add(`SELECT id FROM accounts WHERE lower(domain) = $1 ORDER BY id LIMIT $2`, d, limit); err != nil {
			return nil, err
		}
	}
	if t.d.Name == "postgres" && name != "" {
		err := add(`SELECT id FROM accounts WHERE lower(name) OPERATOR(public.%) $1 ORDER BY public.similarity(lower(name), $1) DESC, id LIMIT $2`, strings.ToLower(name), limit)
		if err != nil {
			return nil, err
		}
	} else if len(words) > 0 {
		var terms []string
		for _, w := range words {
			if len([]rune(w)) >= 3 {
				terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
			}
		}
		if len(terms) > 0 {
			if err := add(`SELECT account_id FROM account_names WHERE account_names MATCH $1 ORDER BY rank LIMIT $2`, strings.Join(terms, " OR "), limit); err != nil {
				return nil, err
			}
		}
	}
	out := make([]AccountCandidate, 0, len(order))
	for _, id := range order {
		var c AccountCandidate
		var domain, website sql.NullString
		var at any
		var active sql.NullBool
		err := t.queryRow(ctx, `SELECT a.id, a.name, a.domain, a.website, a.updated_at,
			(SELECT COUNT(*) FROM contacts c WHERE c.account_id = a.id), u.active
			FROM accounts a LEFT JOIN users u ON u.id = a.owner_id WHERE a.id = $1`, id).Scan(&c.ID, &c.Name, &domain, &website, &at, &c.Contacts, &active)
		if err != nil {
			return nil, fmt.Errorf("read account %s: %w", id, err)
		}
		c.Domain, c.Website, c.OwnerActive = domain.String, website.String, active.Bool
		if c.UpdatedAt, err = timeFromDB(at); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Touch is one outbound touch the contact policy counts (G1, G2).
type Touch struct {
	Channel, Contact, Account, Rep, Workflow, RunID, StepID string
	At                                                      time.Time
}

// DeleteTouch removes the touch a run's step recorded, when the step's message is known not to have
// gone out (a permanent failure): a send that never happened must not count against the caps.
func (t *Tx) DeleteTouch(ctx context.Context, runID, stepID string) error {
	if _, err := t.exec(ctx, `DELETE FROM touches WHERE run_id = $1 AND step_id = $2`, runID, stepID); err != nil {
		return fmt.Errorf("delete the touch of run %s step %s: %w", runID, stepID, err)
	}
	return nil
}

// InsertTouch records an outbound touch.
// A run's step touches once: a second insert for the same run and step (a retry) does nothing.
func (t *Tx) InsertTouch(ctx context.Context, id string, tc Touch) error {
	if tc.RunID != "" {
		var n int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM touches WHERE run_id = $1 AND step_id = $2`, tc.RunID, tc.StepID).Scan(&n); err != nil {
			return fmt.Errorf("find the step's touch: %w", err)
		}
		if n > 0 {
			return nil
		}
	}
	_, err := t.exec(ctx, `INSERT INTO touches (id, channel, contact, account, rep, workflow, run_id, step_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		id, tc.Channel, tc.Contact, tc.Account, tc.Rep, tc.Workflow, nullable(tc.RunID), nullable(tc.StepID), t.d.TimeArg(tc.At))
	if err != nil {
		return fmt.Errorf("record touch: %w", err)
	}
	return nil
}

// Touches lists the touches since a moment to a contact, to an account, or by a rep (each "" to skip).
func (t *Tx) Touches(ctx context.Context, contact, account, rep string, since time.Time) ([]Touch, error) {
	// Three indexed selects: an OR over the three columns would scan every touch.
	cols := `SELECT id, channel, contact, account, rep, workflow, COALESCE(run_id, '') AS run_id, COALESCE(step_id, '') AS step_id, at FROM touches`
	rows, err := t.query(ctx, cols+` WHERE contact = $1 AND contact <> '' AND at >= $4
		UNION `+cols+` WHERE account = $2 AND account <> '' AND at >= $4
		UNION `+cols+` WHERE rep = $3 AND rep <> '' AND at >= $4 ORDER BY at`,
		contact, account, rep, t.d.TimeArg(since))
	if err != nil {
		return nil, fmt.Errorf("list touches: %w", err)
	}
	defer rows.Close()
	var out []Touch
	for rows.Next() {
		var tc Touch
		var at any
		var id string
		if err := rows.Scan(&id, &tc.Channel, &tc.Contact, &tc.Account, &tc.Rep, &tc.Workflow, &tc.RunID, &tc.StepID, &at); err != nil {
			return nil, err
		}
		if tc.At, err = timeFromDB(at); err != nil {
			return nil, err
		}
		out = append(out, tc)
	}
	return out, rows.Err()
}

// RecentAssignments lists a ruleset's latest routing decisions, newest first.
func (t *Tx) RecentAssignments(ctx context.Context, ruleset string, limit int) ([]Assignment, error) {
	rows, err := t.query(ctx, `SELECT id, record_type, record_id, ruleset, rule, COALESCE(user_id, ''), queue, COALESCE(run_id, ''), trace, at
		FROM assignments WHERE ruleset = $1 ORDER BY at DESC, id DESC LIMIT $2`, ruleset, limit)
	if err != nil {
		return nil, fmt.Errorf("list assignments of %s: %w", ruleset, err)
	}
	return scanAssignments(rows)
}

// GradeCounts counts the leads a scoring model last scored, by grade ("" for no grade); merged leads
// are left out.
func (t *Tx) GradeCounts(ctx context.Context, model string) (map[string]int, error) {
	rows, err := t.query(ctx, `SELECT COALESCE(score_grade, ''), COUNT(*) FROM leads
		WHERE score_model = $1 AND merged_into_id IS NULL GROUP BY 1`, model)
	if err != nil {
		return nil, fmt.Errorf("count grades of %s: %w", model, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var g string
		var n int
		if err := rows.Scan(&g, &n); err != nil {
			return nil, fmt.Errorf("count grades of %s: %w", model, err)
		}
		out[g] = n
	}
	return out, rows.Err()
}

// scanAssignments reads assignment rows and closes them.
func scanAssignments(rows *sql.Rows) ([]Assignment, error) {
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		var a Assignment
		var trace string
		var at any
		if err := rows.Scan(&a.ID, &a.RecordType, &a.RecordID, &a.Ruleset, &a.Rule, &a.UserID, &a.Queue, &a.RunID, &trace, &at); err != nil {
			return nil, fmt.Errorf("read assignment: %w", err)
		}
		if err := json.Unmarshal([]byte(trace), &a.Trace); err != nil {
			return nil, fmt.Errorf("decode assignment trace: %w", err)
		}
		var err error
		if a.At, err = timeFromDB(at); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
