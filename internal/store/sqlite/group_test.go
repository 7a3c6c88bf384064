package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/store/sqlite"
)

// TestWriterPragmas: the writer keeps the sub-journals of group commit's savepoints in memory
// (temp_store=MEMORY, 2) rather than in temporary files, and checkpoints itself only at a WAL of
// writerCheckpointPages (30,000) pages rather than SQLite's 1,000: that checkpoint holds every write
// while it syncs two files, and the checkpointer beside it copies the pages meanwhile.
func TestWriterPragmas(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := openStore(t)
	for pragma, want := range map[string]int{"temp_store": 2, "wal_autocheckpoint": 30_000} {
		var got int
		require.NoError(t, st.Write(ctx, func(tx *store.Tx) error {
			return tx.SQL().QueryRowContext(ctx, `PRAGMA `+pragma).Scan(&got)
		}))
		require.Equal(t, want, got, pragma)
	}
}

// TestGroupCommitKeepsWritesApart: concurrent writes share commits, yet each stands or falls alone —
// one that fails, hits a unique key or panics leaves no trace and takes no other write with it.
func TestGroupCommitKeepsWritesApart(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := openStore(t)
	require.NoError(t, st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `CREATE TABLE g (k TEXT PRIMARY KEY); INSERT INTO g (k) VALUES ('taken')`)
		return err
	}))
	insert := func(tx *store.Tx, k string) error {
		_, err := tx.SQL().ExecContext(ctx, `INSERT INTO g (k) VALUES (?)`, k)
		return err
	}
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 200)
	panics := make([]any, 200)
	for i := range 200 {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = st.Write(ctx, func(tx *store.Tx) error {
				if err := insert(tx, fmt.Sprint(i)); err != nil {
					return err
				}
				switch {
				case i%10 == 3:
					return boom // after its insert: the insert must be undone
				case i%10 == 5:
					return insert(tx, "taken") // a unique key already held
				case i == 77:
					panic("bug")
				}
				return nil
			})
		})
	}
	wg.Wait()

	want := []string{"taken"}
	for i := range 200 {
		if stands(t, i, errs[i], panics[i], boom, 77) {
			want = append(want, fmt.Sprint(i))
		}
	}
	var got []string
	require.NoError(t, st.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.SQL().QueryContext(ctx, `SELECT k FROM g`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			got = append(got, k)
		}
		return rows.Err()
	}))
	require.ElementsMatch(t, want, got, "exactly the writes that succeeded are committed")

	gone, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	err := st.Write(gone, func(*store.Tx) error { ran = true; return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, ran, "a write whose caller has gone is not run")
}

// TestCheckpointsBesideTheWriter: the checkpointer copies what the writer wrote into the database file
// on its own, well before the writer's own checkpoint at 30,000 WAL pages would: 200 small writes grow
// the file.
func TestCheckpointsBesideTheWriter(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "salesflow.db")
	st, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	require.NoError(t, st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `CREATE TABLE big (v TEXT)`)
		return err
	}))
	size := func() int64 {
		fi, err := os.Stat(path)
		require.NoError(t, err)
		return fi.Size()
	}
	before := size()
	for range 200 {
		require.NoError(t, st.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.SQL().ExecContext(ctx, `INSERT INTO big (v) VALUES (?)`, strings.Repeat("x", 4000))
			return err
		}))
	}
	require.Eventually(t, func() bool { return size() > before+400_000 }, 20*time.Second, 50*time.Millisecond,
		"the pages reach the database file")
}

// TestAStartedWriteRunsToItsEnd: the writer runs a write's statements without its caller's
// cancellation (the driver would start a goroutine per statement to watch it); whether the caller is
// still there is checked before the write starts. A caller that gives up midway gets its write
// committed whole, never half of it.
func TestAStartedWriteRunsToItsEnd(t *testing.T) {
	t.Parallel()
	st := openMigrated(t)
	ctx, cancel := context.WithCancel(t.Context())
	require.NoError(t, st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(ctx, "a", "1", time.Now()); err != nil {
			return err
		}
		cancel() // the caller gives up between two statements
		return tx.SetSetting(ctx, "b", "2", time.Now())
	}))
	require.Error(t, st.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, "c", "3", time.Now()) }),
		"a write whose caller has gone before it starts does not run")
	require.NoError(t, st.Read(t.Context(), func(tx *store.Tx) error {
		for k, want := range map[string]string{"a": "1", "b": "2", "c": ""} {
			got, err := tx.Setting(t.Context(), k)
			if err != nil {
				return err
			}
			require.Equal(t, want, got, "setting %s", k)
		}
		return nil
	}))
}

// TestGroupCommitReplaysAroundAFailedWrite: the same, with writes made through the store's own methods,
// whose savepoints are a log's (replay.go): a write that fails after writing, a unique key held, a panic
// and an inner savepoint rolled back all leave exactly what real savepoints would, and the ids the jobs
// were given are the ones they keep.
func TestGroupCommitReplaysAroundAFailedWrite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := openMigrated(t)
	now := time.Now().UTC()
	event := func(tx *store.Tx, id string) error {
		return tx.AppendEvent(ctx, store.Event{ID: id, RecordType: "lead", RecordID: "r", Kind: "created", ActorType: "system", OccurredAt: now})
	}
	require.NoError(t, st.Write(ctx, func(tx *store.Tx) error { return event(tx, "taken") }))
	boom := errors.New("boom")
	const n = 300
	var wg sync.WaitGroup
	errs, panics, jobIDs := make([]error, n), make([]any, n), make([]int64, n)
	for i := range n {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = st.Write(ctx, func(tx *store.Tx) error {
				if err := event(tx, fmt.Sprint("ev-", i)); err != nil {
					return err
				}
				j, err := tx.ScheduleJob(ctx, store.Job{Key: fmt.Sprint("job-", i), Kind: "run", DueAt: now.Add(time.Hour)}, now)
				if err != nil {
					return err
				}
				jobIDs[i] = j.ID
				switch {
				case i%10 == 3:
					return boom // after its writes: they must be undone
				case i%10 == 5:
					return event(tx, "taken") // a unique key already held
				case i%10 == 7: // an inner savepoint rolled back, and the write goes on
					if err := tx.Savepoint(ctx, "inner"); err != nil {
						return err
					}
					if err := event(tx, fmt.Sprint("inner-", i)); err != nil {
						return err
					}
					if err := tx.RollbackTo(ctx, "inner"); err != nil {
						return err
					}
					return tx.Release(ctx, "inner")
				case i == 71:
					panic("bug")
				}
				return nil
			})
		})
	}
	wg.Wait()

	for i := range n {
		var want []string
		if stands(t, i, errs[i], panics[i], boom, 71) {
			want = []string{fmt.Sprint("ev-", i)}
		}
		require.NoError(t, st.Read(ctx, func(tx *store.Tx) error {
			for _, id := range []string{fmt.Sprint("ev-", i), fmt.Sprint("inner-", i)} {
				var found int
				require.NoError(t, tx.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE id = ?`, id).Scan(&found))
				require.Equal(t, slices.Contains(want, id), found == 1, "event %s", id)
			}
			j, ok, err := tx.JobByKey(ctx, fmt.Sprint("job-", i))
			require.Equal(t, want != nil, ok, "job %d", i)
			if ok {
				require.Equal(t, jobIDs[i], j.ID, "the id the write was given")
			}
			return err
		}))
	}
	stats, _ := st.WriterStats()
	require.Positive(t, stats.Replays, "some groups replayed their log (else this tested real savepoints only)")
}

// TestAFullDiskLosesNoAcknowledgedWrite: when the disk fills inside a write's own savepoint (as the
// engine takes them), SQLite rolls the whole group's transaction back by itself. Every write it held
// must then be told it failed; none told it succeeded may be missing, and none may half stand.
func TestAFullDiskLosesNoAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := openMigrated(t)
	require.NoError(t, st.Write(ctx, func(tx *store.Tx) error { // the writer's connection: a disk 40 pages from full
		var pages int
		if err := tx.SQL().QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
			return err
		}
		_, err := tx.SQL().ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+40))
		return err
	}))
	now := time.Now().UTC()
	event := func(tx *store.Tx, id string, payload map[string]any) error {
		return tx.AppendEvent(ctx, store.Event{ID: id, RecordType: "lead", RecordID: "r", Kind: "event", ActorType: "system",
			OccurredAt: now, Payload: payload})
	}
	big := map[string]any{"blob": strings.Repeat("x", 400_000)}
	const n = 60
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		if i == n/2 {
			wg.Wait() // the first half commits before the disk fills: those must stay
		}
		wg.Go(func() {
			errs[i] = st.Write(ctx, func(tx *store.Tx) error {
				if i >= n/2 && i%10 == 9 { // first thing in the write: its rollbacks find nothing of it to undo
					if err := tx.Savepoint(ctx, "inner"); err != nil {
						return err
					}
					if err := event(tx, fmt.Sprint("big-", i), big); err != nil {
						return errors.Join(err, tx.RollbackTo(ctx, "inner"))
					}
					if err := tx.Release(ctx, "inner"); err != nil {
						return err
					}
				}
				return event(tx, fmt.Sprint("small-", i), nil)
			})
		})
	}
	wg.Wait()
	acknowledged := 0
	for i := range n {
		if i >= n/2 && i%10 == 9 {
			require.Error(t, errs[i], "write %d: the disk is full", i)
		}
		require.NoError(t, st.Read(ctx, func(tx *store.Tx) error {
			var found int
			require.NoError(t, tx.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE id IN (?, ?)`,
				fmt.Sprint("small-", i), fmt.Sprint("big-", i)).Scan(&found))
			if errs[i] == nil {
				acknowledged++
				require.Equal(t, 1, found, "write %d was told it committed", i)
			} else {
				require.Zero(t, found, "write %d failed and left nothing", i)
			}
			return nil
		}))
	}
	require.GreaterOrEqual(t, acknowledged, n/2)
}

// stands checks write i's outcome against how the group tests make it end (i%10 == 3: an error after
// its writes; 5: a unique key already held; panicAt: a panic) and tells whether it is to stand.
func stands(t *testing.T, i int, err error, panicked any, boom error, panicAt int) bool {
	switch {
	case i%10 == 3:
		require.ErrorIs(t, err, boom)
	case i%10 == 5:
		require.Error(t, err, "write %d", i)
	case i == panicAt:
		require.Equal(t, "bug", panicked, "the panic reaches its own caller")
	default:
		require.NoError(t, err, "write %d", i)
		require.Nil(t, panicked)
		return true
	}
	return false
}

// openMigrated opens a new, migrated store in t's temporary directory, closed when t ends.
func openMigrated(t *testing.T) *store.Store {
	t.Helper()
	st := openStore(t)
	_, err := st.Migrate(t.Context())
	require.NoError(t, err)
	return st
}

// openStore opens a new store, not migrated, in t's temporary directory, closed when t ends.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "salesflow.db"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	return st
}
