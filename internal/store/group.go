package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// maxGroup bounds how many writes share one commit, so that none waits behind too many others.
const maxGroup = 64

// groupCommit lets concurrent writes on SQLite's single writer share a commit. Each write runs inside
// a savepoint of one transaction, so a write that fails is undone alone; the commit makes them all
// durable at once, and no caller returns before it. Writing the pages of many small transactions to the
// WAL once, rather than once each, is most of what a commit costs here.
type groupCommit struct {
	mu    sync.Mutex
	queue []*writeReq
	busy  bool // a leader is committing; the next one is promoted from the queue
	// What WriterStats reports: the time spent running groups, and how many groups, writes and replays.
	busyNanos, groups, writes, replays atomic.Uint64
	// carefulUntil (unix nanoseconds): groups until then take real savepoints, a group having had to
	// replay its log (replay.go): a run of failing writes costs one replay a group at most, not one a write.
	carefulUntil atomic.Int64
}

// carefulFor is how long groups take real savepoints after one replayed its log.
const carefulFor = time.Second

// WriterStats is what SQLite's single writer has done since the store opened.
type WriterStats struct {
	Busy   time.Duration // running groups of writes, commits included
	Groups uint64        // transactions committed (or rolled back) for groups
	Writes uint64        // writes in them
	// Replays counts the times a group's log of writes was run again, a write in it having failed after
	// it wrote (replay.go).
	Replays uint64
}

// WriterStats reports the single writer's work, and false on PostgreSQL (writers commit in parallel).
// Busy growing by nearly a second a second means the writer is saturated: writes queue behind it.
func (s *Store) WriterStats() (WriterStats, bool) {
	if s.group == nil {
		return WriterStats{}, false
	}
	g := s.group
	return WriterStats{Busy: time.Duration(g.busyNanos.Load()), Groups: g.groups.Load(), Writes: g.writes.Load(),
		Replays: g.replays.Load()}, true
}

type writeReq struct {
	ctx      context.Context
	fn       func(*Tx) error
	done     chan struct{} // closed when the write is committed or has failed
	lead     chan struct{} // closed when this request is to commit the next group
	err      error
	panicked any
}

// groupWrite queues fn and waits for its commit. The first request finding nobody committing leads:
// it takes the queue (itself first), commits it as one transaction, and hands the lead to the oldest
// request that arrived meanwhile.
func (s *Store) groupWrite(ctx context.Context, fn func(*Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{})}
	g := s.group
	g.mu.Lock()
	g.queue = append(g.queue, req)
	leader := !g.busy
	g.busy = true
	g.mu.Unlock()
	if !leader {
		select {
		case <-req.done:
			return req.result()
		case <-req.lead:
		}
	}
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()
	start := time.Now()
	s.commitGroup(batch)
	g.busyNanos.Add(uint64(time.Since(start)))
	g.groups.Add(1)
	g.writes.Add(uint64(len(batch)))
	g.mu.Lock()
	if len(g.queue) > 0 {
		close(g.queue[0].lead)
	} else {
		g.busy = false
	}
	g.mu.Unlock()
	<-req.done
	return req.result()
}

func (r *writeReq) result() error {
	if r.panicked != nil {
		panic(r.panicked)
	}
	return r.err
}

// commitGroup runs a group's writes in one transaction, each in a savepoint when there are several,
// and commits. A write whose caller has gone (its context ended) is not run. The savepoints are the
// log's (replay.go) unless a group replayed its log less than carefulFor ago.
func (s *Store) commitGroup(batch []*writeReq) {
	defer func() {
		for _, r := range batch {
			close(r.done)
		}
	}()
	fail := func(err error) {
		for _, r := range batch {
			if r.err == nil && r.panicked == nil {
				r.err = err
			}
		}
	}
	ctx := context.Background() // the group outlives any one caller's context
	s.wc.prepare(ctx)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	t := &Tx{tx: tx, d: s.d, cache: s.wc, detach: true}
	several, ok := len(batch) > 1, 0
	if time.Now().UnixNano() >= s.group.carefulUntil.Load() { // alone too: the engine's own savepoints are noted
		t.replay = &replayLog{begin: func(ctx context.Context) (*sql.Tx, error) { return s.w.BeginTx(ctx, nil) }}
	}
	defer func() {
		if t.replays > 0 {
			s.group.replays.Add(uint64(t.replays))
			s.group.carefulUntil.Store(time.Now().Add(carefulFor).UnixNano())
		}
	}()
	var changes Changes
	for _, r := range batch {
		if r.err = r.ctx.Err(); r.err != nil {
			continue
		}
		if several {
			if err := t.Savepoint(ctx, "w"); err != nil {
				_ = t.tx.Rollback()
				fail(err)
				return
			}
		}
		t.changes = Changes{}
		r.err, r.panicked = call(r.fn, t)
		if t.broken != nil {
			_ = t.tx.Rollback()
			fail(t.broken)
			return
		}
		if r.err == nil && r.panicked == nil {
			ok++
			changes = changes.or(t.changes)
			if several {
				if err := t.Release(ctx, "w"); err != nil {
					_ = t.tx.Rollback()
					fail(err)
					return
				}
			}
			continue
		}
		if !several {
			_ = t.tx.Rollback()
			return
		}
		if err := undo(ctx, t); err != nil {
			// The transaction itself is broken (an I/O error, a full disk): nothing in it stands.
			_ = t.tx.Rollback()
			fail(fmt.Errorf("roll back to savepoint after %v: %w", r.err, err))
			return
		}
	}
	if ok == 0 {
		_ = t.tx.Rollback()
		return
	}
	if err := t.tx.Commit(); err != nil { // t.tx: a replay begins the transaction anew
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	t.committed()
	// One writer at a time: only a commit that made events or due jobs gives the engine work.
	if changes.any() && s.afterWrite != nil {
		s.afterWrite(changes)
	}
}

// undo rolls a failed write back to its savepoint.
func undo(ctx context.Context, t *Tx) error {
	if err := t.RollbackTo(ctx, "w"); err != nil {
		return err
	}
	return t.Release(ctx, "w")
}

// call calls fn, turning a panic into a value to re-raise in the caller's goroutine.
func call(fn func(*Tx) error, t *Tx) (err error, panicked any) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	return fn(t), nil
}
