package store

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/salesflow/salesflow/internal/records"
)

// rowCache is what one SQLite transaction knows of the records it has read by id or written: the
// values as read, or nil for a record known to exist whose values are not kept (written since: the
// database's own representation is read again). Reading a record twice in one transaction is common
// on the engine's hot path (the trigger feed reads a lead for its filter, and the new run's first
// segment reads it again; a note checks that the record it is about exists), and on SQLite's single
// writer every statement saved is throughput.
//
// Only on SQLite: there no other transaction can change a row while this one runs, so what it read
// stays true until it writes. PostgreSQL transactions overlap, and a read there may lock.
//
// The contract that keeps it true: every write to a record table goes through Insert, UpdateChanged
// or Backdate (which forget the row's values) or is a DELETE (which may cascade, so everything is
// forgotten), and a rollback to a savepoint or a write through SQL() forgets everything too.
//
// A record is kept with the object it was read with, and only a read with that same object is
// answered: what a read returns depends on the object's fields (one without the custom fields reads
// none of them, and a write from such a copy would erase them).
type rowCache map[string]cachedRow

type cachedRow struct {
	o   *records.Object
	rec records.Values // nil: exists, values not kept
}

func rowKey(o *records.Object, id string) string { return o.Table + "\x00" + id }

// cached returns a copy of the record as this transaction read it with o, if it did and has not
// written it since.
func (t *Tx) cached(o *records.Object, id string) (records.Values, bool) {
	c := t.rows[rowKey(o, id)]
	if c.rec == nil || c.o != o {
		return nil, false
	}
	return maps.Clone(c.rec), true
}

// known reports whether this transaction has read or written the record (so it exists).
func (t *Tx) known(o *records.Object, id string) bool {
	_, ok := t.rows[rowKey(o, id)]
	return ok
}

// remember keeps a copy of a record read by id.
func (t *Tx) remember(o *records.Object, rec records.Values) {
	if t.LocksRows() {
		return
	}
	if t.rows == nil {
		t.rows = rowCache{}
	}
	t.rows[rowKey(o, rec.ID())] = cachedRow{o: o, rec: maps.Clone(rec)}
}

// wroteRow notes a successful write of one record: it exists, and its values are to be read again.
func (t *Tx) wroteRow(o *records.Object, id string) {
	if t.rows != nil {
		t.rows[rowKey(o, id)] = cachedRow{}
	}
}

// forgetRow drops what the transaction knew of one record.
func (t *Tx) forgetRow(o *records.Object, id string) { delete(t.rows, rowKey(o, id)) }

// forgetRows drops everything the transaction knew of its records.
func (t *Tx) forgetRows() { t.rows, t.past = nil, nil }

// forgetOnDelete drops everything on a DELETE (or a statement with a WITH clause, which may be one): a
// foreign key may cascade to rows of other tables.
func (t *Tx) forgetOnDelete(q string) {
	if t.rows == nil {
		return
	}
	q = strings.TrimLeft(q, " \t\n")
	if len(q) >= 6 && strings.EqualFold(q[:6], "DELETE") || len(q) >= 4 && strings.EqualFold(q[:4], "WITH") {
		t.rows = nil // not past: a run deleted makes it say "ran" of a record that no longer has one, which only costs a read
	}
}

// pastRuns is what one SQLite transaction knows of which workflows the records of a feed batch have
// ever run (PrefetchRuns), so that PreviousRun, asked for each enrollment, costs no statement for a
// record that never ran the workflow (every new lead). Runs come into being only through InsertRun,
// which adds to it; a rollback to a savepoint forgets it.
type pastRuns struct {
	asked map[string]bool // record ids
	ran   map[string]bool // workflow + "\x00" + record id
}

// PrefetchRuns reads, in one statement, which workflows the records with these ids have run. Only on
// SQLite (see rowCache); elsewhere it does nothing, and PreviousRun asks each time.
func (t *Tx) PrefetchRuns(ctx context.Context, recordIDs []string) error {
	if t.LocksRows() || len(recordIDs) == 0 {
		return nil
	}
	in, args := inList(1, recordIDs)
	rows, err := t.query(ctx, `SELECT DISTINCT record_id, workflow FROM runs WHERE record_id IN (`+in+`)`, args...)
	if err != nil {
		return fmt.Errorf("runs of a batch's records: %w", err)
	}
	defer rows.Close()
	p := &pastRuns{asked: make(map[string]bool, len(recordIDs)), ran: map[string]bool{}}
	for rows.Next() {
		var rec, wf string
		if err := rows.Scan(&rec, &wf); err != nil {
			return fmt.Errorf("scan runs of a batch's records: %w", err)
		}
		p.ran[wf+"\x00"+rec] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("runs of a batch's records: %w", err)
	}
	for _, id := range recordIDs {
		p.asked[id] = true
	}
	t.past = p
	return nil
}

// neverRan reports whether the transaction knows that the record never ran the workflow.
func (t *Tx) neverRan(workflow, recordID string) bool {
	return t.past != nil && t.past.asked[recordID] && !t.past.ran[workflow+"\x00"+recordID]
}

// insertedRun notes a run stored by this transaction.
func (t *Tx) insertedRun(workflow, recordID string) {
	if t.past != nil {
		t.past.ran[workflow+"\x00"+recordID] = true
	}
}
