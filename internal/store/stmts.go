package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements by their text. The SQLite driver parses every statement it is
// given anew, and parsing was 40 % of the engine's CPU; a statement prepared once per connection is
// reused by every transaction on it. Texts built per request (list filters) would grow it without
// end, so it holds a bounded number and runs the rest unprepared.
//
// A statement is prepared between transactions, not inside one: preparing on the pool needs a free
// connection, and the SQLite writer pool has only the one the transaction holds. A text seen for the
// first time runs unprepared and is prepared before the next transaction begins.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
}

const stmtCacheSize = 512

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the prepared statement for q, or nil (then q is queued for preparing, if there is room).
func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[q]; ok {
		return s
	}
	if len(c.m)+len(c.pending) < stmtCacheSize {
		c.pending[q] = true
	}
	return nil
}

// prepare prepares the queued texts; the caller holds no connection of the pool.
func (c *stmtCache) prepare(ctx context.Context) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	var qs []string
	for q := range c.pending {
		qs = append(qs, q)
	}
	c.pending = map[string]bool{}
	c.mu.Unlock()
	for _, q := range qs {
		s, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue // it runs unprepared, and reports its own error there
		}
		c.mu.Lock()
		_, dup := c.m[q] // another transaction prepared it meanwhile: keep theirs
		if !dup {
			c.m[q] = s
		}
		c.mu.Unlock()
		if dup {
			// Closed outside the lock: closing waits for the statement's connections, and one of them may
			// be in a transaction waiting on a row lock whose holder waits for this lock — a deadlock
			// seen under 200 concurrent routings on PostgreSQL.
			_ = s.Close()
		}
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	old := c.m
	c.m = map[string]*sql.Stmt{}
	c.mu.Unlock()
	for _, s := range old {
		_ = s.Close()
	}
}

func (t *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.cache == nil {
		return nil
	}
	if s := t.cache.get(q); s != nil {
		return t.tx.StmtContext(ctx, s)
	}
	return nil
}

// exec, query and queryRow run q as a cached prepared statement of the transaction.
func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.wrote = true
	if s := t.stmt(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := t.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if s := t.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}
