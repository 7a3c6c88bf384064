package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/salesflow/salesflow/internal/records"
)

// Event is one change to a record (R3), written in the transaction that made the change.
type Event struct {
	Seq         int64                     `json:"seq"`
	ID          string                    `json:"id"`
	RecordType  string                    `json:"record_type"`
	RecordID    string                    `json:"record_id"`
	Kind        string                    `json:"kind"` // created | updated | deleted
	Changes     map[string]records.Change `json:"changes"`
	ActorType   string                    `json:"actor_type"`
	ActorID     string                    `json:"actor_id"`
	ActorUserID string                    `json:"actor_user_id,omitempty"`
	OccurredAt  time.Time                 `json:"occurred_at"`
	TxID        int64                     `json:"-"` // the writing transaction (PostgreSQL), for the feed
	// Name and Payload carry what is not a field change: a custom event's name and body
	// (Kind "event"), a score crossing (Kind "score_crossed"), a form submission (Kind "form").
	Name    string         `json:"name,omitempty"`
	Payload map[string]any `json:"payload,omitempty"`
}

// AppendEvent writes e.
func (t *Tx) AppendEvent(ctx context.Context, e Event) error {
	changes, err := json.Marshal(jsonChanges(e.Changes))
	if err != nil {
		return fmt.Errorf("encode event changes: %w", err)
	}
	var user, payload any
	if e.ActorUserID != "" {
		user = e.ActorUserID
	}
	if e.Payload != nil {
		b, err := json.Marshal(e.Payload)
		if err != nil {
			return fmt.Errorf("encode event payload: %w", err)
		}
		payload = string(b)
	}
	_, err = t.exec(ctx, `INSERT INTO events (id, record_type, record_id, kind, changes, actor_type, actor_id, actor_user_id, occurred_at, name, payload)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.ID, e.RecordType, e.RecordID, e.Kind, string(changes), e.ActorType, e.ActorID, user, t.d.TimeArg(e.OccurredAt), e.Name, payload)
	if err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	t.changes.Events = true
	return nil
}

func jsonChanges(c map[string]records.Change) map[string]records.Change {
	out := make(map[string]records.Change, len(c))
	for k, ch := range c {
		out[k] = records.Change{Old: jsonValue(ch.Old), New: jsonValue(ch.New)}
	}
	return out
}

func jsonValue(v any) any {
	if tm, ok := v.(time.Time); ok {
		return tm.UTC().Format(records.TimeLayout)
	}
	return v
}

// Events returns a record's events, newest first, up to limit, older than beforeSeq when it is > 0.
func (t *Tx) Events(ctx context.Context, recordType, recordID string, beforeSeq int64, limit int) ([]Event, error) {
	q := `SELECT ` + eventColumns + ` FROM events WHERE record_type = $1 AND record_id = $2`
	args := []any{recordType, recordID}
	if beforeSeq > 0 {
		q += " AND seq < $3"
		args = append(args, beforeSeq)
	}
	q += fmt.Sprintf(" ORDER BY seq DESC LIMIT %d", limit)
	return t.queryEvents(ctx, q, args...)
}

// EventsBefore returns a record's events in timeline order — newest first by (occurred_at, id) — that
// come after the position p of a previous page (nil: from the newest).
func (t *Tx) EventsBefore(ctx context.Context, recordType, recordID string, p *Position, limit int) ([]Event, error) {
	q := `SELECT ` + eventColumns + ` FROM events WHERE record_type = $1 AND record_id = $2`
	args := []any{recordType, recordID}
	if p != nil {
		at, ok := p.Value.(time.Time)
		if !ok {
			return nil, fmt.Errorf("events before: position value is %T, not a time", p.Value)
		}
		q += " AND (occurred_at < $3 OR (occurred_at = $3 AND id < $4))"
		args = append(args, t.d.TimeArg(at), p.ID)
	}
	q += fmt.Sprintf(" ORDER BY occurred_at DESC, id DESC LIMIT %d", limit)
	return t.queryEvents(ctx, q, args...)
}

// eventColumns are what every event query reads, in queryEvents' scan order.
const eventColumns = `seq, id, record_type, record_id, kind, changes, actor_type, actor_id, actor_user_id, occurred_at, txid, name, payload`

// FeedPosition is where a reader of the event feed stands.
type FeedPosition struct{ TxID, Seq int64 }

// Feed returns up to limit events after p, and the position after the last one. It is the feed that
// triggers consume: on PostgreSQL it reads only events of transactions that have ended, in (txid, seq)
// order, so an event whose transaction commits after a later-numbered one is never skipped.
func (t *Tx) Feed(ctx context.Context, p FeedPosition, limit int) ([]Event, FeedPosition, error) {
	var bound int64
	if t.d.FeedBound != "" {
		if err := t.queryRow(ctx, t.d.FeedBound).Scan(&bound); err != nil {
			return nil, p, fmt.Errorf("feed bound: %w", err)
		}
	}
	where, args := t.d.Feed(p, bound)
	evs, err := t.queryEvents(ctx, fmt.Sprintf("SELECT %s FROM events WHERE %s LIMIT %d", eventColumns, where, limit), args...)
	if err != nil || len(evs) == 0 {
		return evs, p, err
	}
	last := evs[len(evs)-1]
	return evs, FeedPosition{TxID: last.TxID, Seq: last.Seq}, nil
}

// EventsAfter returns events with seq > after in append order (tests and tools; triggers read Feed).
func (t *Tx) EventsAfter(ctx context.Context, after int64, limit int) ([]Event, error) {
	return t.queryEvents(ctx, fmt.Sprintf(`SELECT %s FROM events WHERE seq > $1 ORDER BY seq LIMIT %d`, eventColumns, limit), after)
}

func (t *Tx) queryEvents(ctx context.Context, q string, args ...any) ([]Event, error) {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var changes, at any
		var user, payload *string
		if err := rows.Scan(&e.Seq, &e.ID, &e.RecordType, &e.RecordID, &e.Kind, &changes, &e.ActorType, &e.ActorID, &user, &at, &e.TxID, &e.Name, &payload); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		if payload != nil {
			if err := json.Unmarshal([]byte(*payload), &e.Payload); err != nil {
				return nil, fmt.Errorf("event payload: %w", err)
			}
		}
		if user != nil {
			e.ActorUserID = *user
		}
		tm, err := fromDB(records.Field{Type: records.DateTime}, at)
		if err != nil {
			return nil, fmt.Errorf("event time: %w", err)
		}
		e.OccurredAt = tm.(time.Time)
		if err := decodeChanges(changes, &e.Changes); err != nil {
			return nil, fmt.Errorf("event changes: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// decodeChanges decodes an event's changes straight from the column (text on SQLite, bytes from pgx's
// jsonb): the trigger feed reads every event.
func decodeChanges(v any, dst *map[string]records.Change) error {
	switch x := v.(type) {
	case string:
		return json.Unmarshal([]byte(x), dst)
	case []byte:
		return json.Unmarshal(x, dst)
	case nil:
		*dst = nil
		return nil
	}
	return fmt.Errorf("unexpected %T", v)
}

// FeedBehind reports whether committed events exist past p that Feed did not return yet (on
// PostgreSQL, because an older transaction is still running). Drain-style callers wait for them.
func (t *Tx) FeedBehind(ctx context.Context, p FeedPosition) (bool, error) {
	var n int
	q := `SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE seq > $1 LIMIT 1) x`
	args := []any{p.Seq}
	if t.d.Name == "postgres" {
		q = `SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE (txid, seq) > ($1, $2) LIMIT 1) x`
		args = []any{p.TxID, p.Seq}
	}
	if err := t.queryRow(ctx, q, args...).Scan(&n); err != nil {
		return false, fmt.Errorf("feed behind: %w", err)
	}
	return n > 0, nil
}

// CountFeedBehind counts the events past p, up to limit.
func (t *Tx) CountFeedBehind(ctx context.Context, p FeedPosition, limit int) (int, error) {
	q := fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE seq > $1 LIMIT %d) x`, limit)
	args := []any{p.Seq}
	if t.d.Name == "postgres" {
		q = fmt.Sprintf(`SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE (txid, seq) > ($1, $2) LIMIT %d) x`, limit)
		args = []any{p.TxID, p.Seq}
	}
	var n int
	err := t.queryRow(ctx, q, args...).Scan(&n)
	return n, err
}
