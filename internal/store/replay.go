package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// replayLog makes the savepoints of a group commit's transaction (commitGroup) cost nothing until one is
// rolled back. For each savepoint SQLite copies every page a write then changes, once, to a journal in
// memory; the group gave each write a savepoint, and the engine each new run's first segment and each
// segment after an outside call another. Those copies and their statements were about a tenth of the
// single writer's time (docs/performance.md). Instead, the transaction logs each statement that may
// change the database once it has run (one that failed changed nothing), and Tx.Savepoint only notes
// where the log stands. Rolling back to such a savepoint rolls the whole transaction back, begins it
// anew and runs the log again up to that point: the same statements from the same state, on the only
// writer, give the same database. The replay takes real savepoints where the open ones stand, and the
// transaction keeps real savepoints from then on; commitGroup gives the next groups real ones for a
// while, so that a run of failing writes costs one replay a group, not one a write.
//
// One real savepoint for the whole group to return to cost nearly as much: SQLite truncates its journal
// at the end of every statement that keeps one of its own (a multi-row insert), walking it from the
// start, and with the group's savepoint open that journal grows all the group long.
//
// A statement run straight on SQL() is not in the log: the first call of SQL() makes the transaction's
// savepoints real the same way, before that statement runs.
type replayLog struct {
	stmts []loggedStmt
	marks []replayMark // the open savepoints, oldest first
	// begin starts the transaction anew, once this one is rolled back.
	begin func(context.Context) (*sql.Tx, error)
}

type loggedStmt struct {
	q    string
	args []any
}

type replayMark struct {
	name string
	n    int // statements in the log when it was taken
}

// reads reports whether q only reads (it need not be logged): a SELECT. Anything else is logged, and
// running again a statement that turned out to read nothing only costs its time.
func reads(q string) bool {
	q = strings.TrimLeft(q, " \t\n(")
	return len(q) >= 6 && strings.EqualFold(q[:6], "SELECT")
}

// logStmt adds a statement that ran to the log.
func (t *Tx) logStmt(q string, args []any) {
	if t.replay == nil || reads(q) {
		return
	}
	kept := make([]any, len(args))
	for i, a := range args {
		if b, ok := a.([]byte); ok {
			a = bytes.Clone(b) // the caller may reuse its buffer
		}
		kept[i] = a
	}
	t.replay.stmts = append(t.replay.stmts, loggedStmt{q: q, args: kept})
}

// noteSavepoint is Savepoint with a log: it notes where the log stands.
func (l *replayLog) noteSavepoint(name string) {
	l.marks = append(l.marks, replayMark{name: name, n: len(l.stmts)})
}

// newest is the index of the newest open savepoint called name, or -1.
func (l *replayLog) newest(name string) int {
	for i := len(l.marks) - 1; i >= 0; i-- {
		if l.marks[i].name == name {
			return i
		}
	}
	return -1
}

// release is Release with a log: the savepoint and those after it are forgotten; what they hold stays.
func (l *replayLog) release(name string) error {
	i := l.newest(name)
	if i < 0 {
		return fmt.Errorf("release savepoint %s: no such savepoint", name)
	}
	l.marks = l.marks[:i]
	return nil
}

// rollBackTo is RollbackTo with a log: what came after the savepoint leaves the log, and the database
// is rebuilt without it (replay). The savepoint stays open, a real one now.
func (t *Tx) rollBackTo(ctx context.Context, name string) error {
	l := t.replay
	i := l.newest(name)
	if i < 0 {
		return fmt.Errorf("roll back to %s: no such savepoint", name)
	}
	if l.marks[i].n == len(l.stmts) { // nothing written since: nothing to undo (a write that read and failed)
		if err := t.stillInTransaction(ctx); err != nil {
			return err
		}
		l.marks = l.marks[:i+1]
		return nil
	}
	l.stmts, l.marks = l.stmts[:l.marks[i].n], l.marks[:i+1]
	return t.realSavepoints(ctx)
}

// stillInTransaction tells whether SQLite still holds the transaction. On some errors (a full disk, an
// I/O error) it rolls the whole transaction back by itself, and a write that failed so logged nothing.
// BEGIN fails inside a transaction, changing nothing; outside one it begins one, ended at once. Once it
// has found the transaction gone, the transaction is broken (t.broken), and commitGroup fails the group.
func (t *Tx) stillInTransaction(ctx context.Context) error {
	if t.broken != nil {
		return t.broken
	}
	_, err := t.tx.ExecContext(t.context(ctx), "BEGIN")
	switch {
	case err == nil:
		// End what BEGIN began (else a later check finds a transaction), and fail the whole group: its
		// writes before this one are gone.
		_, _ = t.tx.ExecContext(t.context(ctx), "ROLLBACK")
		err = errors.New("SQLite rolled the transaction back (a full disk or an I/O error?)")
	case strings.Contains(err.Error(), "within a transaction"):
		return nil
	}
	t.broken = fmt.Errorf("roll back: %w", err)
	return t.broken
}

// realSavepoints rolls the transaction back, begins it anew and runs the log again, taking a real
// savepoint where each open one stands; the transaction then has no log, and its savepoints are real.
func (t *Tx) realSavepoints(ctx context.Context) error {
	l := t.replay
	t.replay = nil
	t.forgetRows()
	if err := t.tx.Rollback(); err != nil {
		return fmt.Errorf("roll back to replay: %w", err)
	}
	ctx = context.WithoutCancel(ctx) // the group's transaction outlives its writes' callers (commitGroup)
	tx, err := l.begin(ctx)
	if err != nil {
		return fmt.Errorf("begin to replay: %w", err)
	}
	t.tx = tx
	t.replays++
	m := 0
	savepointsAt := func(n int) error { // the open savepoints taken when the log held n statements
		for ; m < len(l.marks) && l.marks[m].n <= n; m++ {
			if _, err := t.runStmt(ctx, "SAVEPOINT "+l.marks[m].name); err != nil {
				return fmt.Errorf("savepoint %s: %w", l.marks[m].name, err)
			}
		}
		return nil
	}
	for i, s := range l.stmts {
		if err := savepointsAt(i); err != nil {
			return err
		}
		if _, err := t.runStmt(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("run a write again after a rollback (%.60s): %w", s.q, err)
		}
	}
	return savepointsAt(len(l.stmts))
}
