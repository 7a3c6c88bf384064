package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements by their text. The SQLite driver parses every statement it is
// given anew, and parsing was 40 % of the engine's CPU; a statement prepared once per connection is
// reused by every transaction on it. Texts vary (list filters, the columns an update changes), so it
// holds a bounded number and, when full, lets the least recently used go for a new one: texts seen
// once cannot crowd out the hot ones for good.
//
// A statement is prepared between transactions, not inside one: preparing on the pool needs a free
// connection, and the SQLite writer pool has only the one the transaction holds. A text seen for the
// first time runs unprepared and is prepared before the next transaction begins.
type stmtCache struct {
	db         *sql.DB
	positional bool // rewrite $N as ? (SQLite: see positional)
	size       int
	mu         sync.Mutex
	m          map[string]*cachedStmt
	pending    map[string]bool
	clock      uint64 // counts uses: the entry with the smallest used goes first
}

type cachedStmt struct {
	s      *sql.Stmt
	order  []int // the arguments' order for the rewritten text (positional)
	params int   // how many arguments it takes (positional; 0: the text as written)
	used   uint64
}

const (
	stmtCacheSize = 512
	stmtPending   = 64 // texts queued for preparing at once
)

func newStmtCache(db *sql.DB, positional bool) *stmtCache {
	return &stmtCache{db: db, positional: positional, size: stmtCacheSize, m: map[string]*cachedStmt{}, pending: map[string]bool{}}
}

// text is what q is sent to the database as, the order its arguments go in (nil: as given) and how
// many it takes (0: q as written, whose parameters the driver binds by name).
func (c *stmtCache) text(q string) (string, []int, int) {
	if !c.positional {
		return q, nil, 0
	}
	return positional(q)
}

// get returns the prepared statement for q, or nil (then q is queued for preparing, if there is room).
func (c *stmtCache) get(q string) *cachedStmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[q]; ok {
		c.clock++
		e.used = c.clock
		return e
	}
	if len(c.pending) < stmtPending {
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
		text, order, params := c.text(q)
		s, err := c.db.PrepareContext(ctx, text)
		if err != nil {
			continue // it runs unprepared, and reports its own error there
		}
		// Closed outside the lock: closing waits for the statement's connections, and one of them may be
		// in a transaction waiting on a row lock whose holder waits for this lock — a deadlock seen under
		// 200 concurrent routings on PostgreSQL.
		if drop := c.put(q, &cachedStmt{s: s, order: order, params: params}); drop != nil {
			_ = drop.Close()
		}
	}
}

// put caches e for q and returns the statement to close: e's own when another transaction prepared q
// meanwhile (theirs stays), or the least recently used one when the cache is full.
func (c *stmtCache) put(q string, e *cachedStmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.m[q]; dup {
		return e.s
	}
	var drop *sql.Stmt
	if len(c.m) >= c.size {
		oldest := ""
		for k, e := range c.m {
			if oldest == "" || e.used < c.m[oldest].used {
				oldest = k
			}
		}
		drop = c.m[oldest].s
		delete(c.m, oldest)
	}
	c.clock++
	e.used = c.clock
	c.m[q] = e
	return drop
}

func (c *stmtCache) close() {
	c.mu.Lock()
	old := c.m
	c.m = map[string]*cachedStmt{}
	c.mu.Unlock()
	for _, e := range old {
		_ = e.s.Close()
	}
}

// stmt returns q as the transaction's cached prepared statement (nil when it is not prepared yet) or as
// the text to run, and its arguments in the order that statement takes them.
func (t *Tx) stmt(ctx context.Context, q string, args []any) (*sql.Stmt, string, []any) {
	if t.cache == nil {
		return nil, q, args
	}
	e, text := t.cache.get(q), q
	if e == nil {
		e = &cachedStmt{}
		text, e.order, e.params = t.cache.text(q)
	}
	if e.params > 0 {
		arranged, ok := arrange(args, e.order, e.params)
		if !ok {
			return nil, q, args // run as written: the driver names the argument missing or extra
		}
		args = arranged
	}
	if e.s == nil {
		return nil, text, args
	}
	return t.tx.StmtContext(ctx, e.s), "", args
}

// exec, query and queryRow run q as a cached prepared statement of the transaction.
func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t.wrote = true
	t.forgetOnDelete(q)
	return t.runStmt(ctx, q, args...)
}

// runStmt is exec for statements that write nothing themselves (savepoints): a transaction that only
// reads, in a savepoint, wakes no one.
func (t *Tx) runStmt(ctx context.Context, q string, args ...any) (res sql.Result, err error) {
	ctx = t.context(ctx)
	s, text, arranged := t.stmt(ctx, q, args)
	if s != nil {
		res, err = s.ExecContext(ctx, arranged...)
	} else {
		res, err = t.tx.ExecContext(ctx, text, arranged...)
	}
	if err == nil {
		t.logStmt(q, args)
	}
	return res, err
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (rows *sql.Rows, err error) {
	ctx = t.context(ctx)
	s, text, arranged := t.stmt(ctx, q, args)
	if s != nil {
		rows, err = s.QueryContext(ctx, arranged...)
	} else {
		rows, err = t.tx.QueryContext(ctx, text, arranged...)
	}
	if err == nil { // the statement has run (a write's RETURNING rows are all made by its first step)
		t.logStmt(q, args)
	}
	return rows, err
}

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) row {
	rows, err := t.query(ctx, q, args...)
	return row{rows: rows, err: err}
}

// row is queryRow's answer, read as sql.Row's. It comes through query so that a write's RETURNING is
// logged once it has run, as every other write is (replay.go).
type row struct {
	rows *sql.Rows
	err  error
}

// Scan is sql.Row's: the first row into dest, sql.ErrNoRows when there is none.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	return r.rows.Close()
}

// context is the context a statement of t runs under. On SQLite's group-commit writer the caller's
// cancellation is dropped: the driver starts a goroutine per statement to watch a cancellable context
// (most of a short statement's cost there, and on the single writer every statement waits for the
// one before), and a statement there never waits for a lock that cancelling could cut short. Whether
// the caller is still there is checked before its write runs (commitGroup).
func (t *Tx) context(ctx context.Context) context.Context {
	if t.detach {
		return context.WithoutCancel(ctx)
	}
	return ctx
}
