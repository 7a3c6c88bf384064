// Package sqlite opens the store on an embedded SQLite file (modernc.org/sqlite, no cgo): one writer
// connection with immediate transactions, so writes never fail with SQLITE_BUSY, and a pool of readers.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect returns the SQLite dialect.
func Dialect() store.Dialect {
	sub, _ := fs.Sub(migrations, "migrations")
	return store.Dialect{
		Name:       "sqlite",
		Goose:      goose.DialectSQLite3,
		Migrations: sub,
		Positional: true,
		TimeArg:    func(t time.Time) any { return t.UTC().Format(records.TimeLayout) },
		CustomExpr: func(name string, _ records.Type) string { return fmt.Sprintf("json_extract(custom, '$.%s')", name) },
		Lower:      func(e string) string { return "sf_lower(" + e + ")" },
		Feed: func(p store.FeedPosition, _ int64) (string, []any) { // one writer: seq order is commit order
			return "seq > $1 ORDER BY seq", []any{p.Seq}
		},
		DropCustom: func(table, name string) string {
			return fmt.Sprintf("UPDATE %s SET custom = json_remove(custom, '$.%s') WHERE json_type(custom, '$.%s') IS NOT NULL", table, name, name)
		},
		Classify: classify,
	}
}

var (
	uniqueCol  = regexp.MustCompile(`UNIQUE constraint failed: \w+\.(\w+)`)
	foreignKey = regexp.MustCompile(`FOREIGN KEY constraint failed`)
)

func classify(err error) (store.ViolationKind, string) {
	if err == nil {
		return store.NoViolation, ""
	}
	msg := err.Error()
	if m := uniqueCol.FindStringSubmatch(msg); m != nil {
		return store.UniqueViolation, m[1]
	}
	if foreignKey.MatchString(msg) {
		return store.ForeignKeyViolation, ""
	}
	return store.NoViolation, ""
}

type connMode int

const (
	writer connMode = iota
	reader
	checkpointer
)

func dsn(path string, mode connMode) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	switch mode {
	case reader:
		q.Add("_pragma", "query_only(1)")
	case writer:
		q.Set("_txlock", "immediate")
		// Group commit gives each write a savepoint, and SQLite keeps the pages a savepoint may have to
		// restore in a sub-journal, a temporary file once it passes 64 KiB: in memory it costs no
		// system calls (it was an eighth of the server's CPU under load). It is discarded at commit.
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerCheckpointPages))
	}
	return "file:" + path + "?" + q.Encode()
}

// registerFunctions adds sf_lower, a Unicode-aware lower(): SQLite's own folds ASCII only, and search
// must find "Émile" for "émile" as PostgreSQL does. The driver keeps functions process-wide, so this
// runs once.
var registerFunctions = sync.OnceValue(func() error {
	return sqlite.RegisterDeterministicScalarFunction("sf_lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		}
		return args[0], nil
	})
})

// Open opens (creating if needed) the SQLite database at path. It does not migrate.
func Open(ctx context.Context, path string) (*store.Store, error) {
	if err := registerFunctions(); err != nil {
		return nil, fmt.Errorf("register SQLite functions: %w", err)
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite %s: the path may not contain ? or #", path)
	}
	w, err := sql.Open("sqlite", dsn(path, writer))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	// The writer sets WAL mode before any reader opens the file.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, reader))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite readers %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	// Keep them all: database/sql keeps two idle by default and closes the rest after each use, and a
	// new connection parses the whole schema and loses its prepared statements (under load, a fifth of
	// a check's cost before a webhook).
	r.SetMaxIdleConns(4)
	c, err := sql.Open("sqlite", dsn(path, checkpointer))
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open sqlite checkpointer %s: %w", path, err)
	}
	c.SetMaxOpenConns(1)
	st := store.New(w, r, Dialect())
	stop := checkpoints(c, path+"-wal")
	st.OnClose(func() error { stop(); return c.Close() })
	return st, nil
}

// checkpointEvery is how often the checkpointer copies the WAL into the database file. Each copy first
// syncs the WAL, and a commit that writes to the WAL meanwhile can wait for that sync (on ext4, for the
// journal commit it starts): the more the WAL grew since the last copy, the longer. Timing every group
// commit at 200 leads a second showed commits of 6–39 ms on the checkpointer's beat, against 0.1–0.3 ms
// otherwise; POST → webhook p99 was 13–15 ms copying every 250 ms, 9.3 every 100 ms, 6.9–7.3 every
// 50 ms, and 69–73 every second, at the same throughput (docs/performance.md). While nothing is written
// the checkpointer only looks at the WAL file's size and time, so an idle server wakes for little.
const checkpointEvery = 50 * time.Millisecond

// writerCheckpointPages is the WAL size, in pages, at which the writer checkpoints itself (SQLite's
// default is 1,000). That checkpoint holds every write: even with all but the last few frames already
// copied by the checkpointer, it syncs the WAL and the database file (5–25 ms on a virtual disk), and
// the first commit after it syncs the WAL's header again. At 1,000 pages it came four times a second at
// 200 leads a second and was the slowest 5 % of leads; at 30,000, every few seconds (POST → webhook p95
// 8–10 → 3–3.5 ms, p99 11–15 → 6–8 ms; docs/performance.md). The cost is disk: under such a load the
// WAL file grows to about 120 MiB, which SQLite then reuses from its start and removes at a clean stop.
// A lighter load never grows it that far: in a pause between writes the checkpointer's copy is
// complete, and the next write starts the WAL again.
const writerCheckpointPages = 30_000

// checkpoints copies committed pages from the WAL into the database on its own connection, PASSIVE:
// it never waits for the writer or for readers, and the writer waits for it only while a commit
// overlaps its sync of the WAL (see checkpointEvery). The writer still
// checkpoints itself when the WAL passes writerCheckpointPages, which is what lets the WAL start again
// from its beginning under constant load; but by then nearly every frame has been copied here, so that
// checkpoint, which holds the writer, has little left to copy. A tick when the WAL file (wal) has not
// changed since a copy that took everything skips the statement. It returns the function that stops
// it.
func checkpoints(c *sql.DB, wal string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		var last os.FileInfo // the WAL file as the last copy found it
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fi, err := os.Stat(wal) // before the copy: a write after it is copied at the next tick
				if err == nil && last != nil && fi.Size() == last.Size() && fi.ModTime().Equal(last.ModTime()) {
					continue
				}
				last = nil
				var busy, frames, copied int
				err = c.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
				if err == nil && copied == frames {
					last = fi // all copied; else (readers still on older frames) the next tick tries again
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// ErrLocked says another process holds the database.
var ErrLocked = errors.New("database in use by another salesflow process")
