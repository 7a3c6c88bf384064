package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store"
)

func feedEvent(t testing.TB, id string) store.Event {
	return store.Event{ID: newID(t), RecordType: "lead", RecordID: id, Kind: "created", ActorType: "system", OccurredAt: at(1)}
}

// readFeed reads the whole feed after p, in pages of two.
func readFeed(t *testing.T, st *store.Store, p store.FeedPosition) ([]string, store.FeedPosition) {
	t.Helper()
	var ids []string
	for range 100 {
		var page []store.Event
		read(t, st, func(ctx context.Context, tx *store.Tx) error {
			var err error
			page, p, err = tx.Feed(ctx, p, 2)
			return err
		})
		for _, e := range page {
			ids = append(ids, e.RecordID)
		}
		if len(page) < 2 {
			return ids, p
		}
	}
	t.Fatal("the feed does not end")
	return nil, p
}

// readUntil reads the feed until n events have come, waiting a bounded while between reads; it asserts
// nothing about time.
func readUntil(t *testing.T, st *store.Store, p store.FeedPosition, n int) ([]string, store.FeedPosition) {
	t.Helper()
	var ids []string
	for range 400 {
		page, next := readFeed(t, st, p)
		ids, p = append(ids, page...), next
		if len(ids) >= n {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	return ids, p
}

// testFeed: the trigger feed returns every committed event exactly once, in order, and (with concurrent
// writers) never passes an event whose transaction is still open.
func testFeed(t *testing.T, st *store.Store) {
	for _, id := range []string{"e1", "e2", "e3"} {
		appendEvents(t, st, feedEvent(t, id))
	}
	ids, pos := readUntil(t, st, store.FeedPosition{}, 3)
	require.Equal(t, []string{"e1", "e2", "e3"}, ids)
	more, _ := readFeed(t, st, pos)
	require.Empty(t, more, "reading on from the end returns nothing new")

	if st.Dialect().Name != "postgres" {
		return // SQLite has one writer: seq order is commit order
	}
	// Transaction A writes an event and stays open; B writes one after it and commits first.
	releaseA := openWriter(t, st, "slow")
	appendEvents(t, st, feedEvent(t, "fast"))
	early, pos2 := readFeed(t, st, pos)
	require.Empty(t, early, "nothing passes the open transaction, not even the committed later event")
	releaseA()
	late, pos3 := readUntil(t, st, pos2, 2)
	require.Equal(t, []string{"slow", "fast"}, late, "once A ends, both arrive in order, none skipped")

	// A transaction that is not Salesflow's (another program, another schema, a forgotten psql
	// session) holds a transaction id open: the feed does not wait for it.
	foreign, err := st.DB().BeginTx(context.Background(), nil)
	require.NoError(t, err)
	defer foreign.Rollback() //nolint:errcheck // ends the foreign transaction whatever happened
	_, err = foreign.Exec("SELECT pg_current_xact_id()")
	require.NoError(t, err)
	appendEvents(t, st, feedEvent(t, "beside"))
	ids, pos4 := readUntil(t, st, pos3, 1)
	require.Equal(t, []string{"beside"}, ids, "an open transaction outside Salesflow's writers holds nothing back")
	require.NoError(t, foreign.Rollback())

	testFeedOverlappingWriters(t, st, pos4)
	testFeedOwnTransaction(t, st)
}

// openWriter starts a write transaction that appends an event and stays open until release is called,
// which commits it.
func openWriter(t *testing.T, st *store.Store, id string) (release func()) {
	t.Helper()
	hold, wrote, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- st.Write(context.Background(), func(tx *store.Tx) error {
			if err := tx.AppendEvent(context.Background(), feedEvent(t, id)); err != nil {
				return err
			}
			close(wrote)
			<-hold
			return nil
		})
	}()
	<-wrote
	return func() { close(hold); require.NoError(t, <-done) }
}

// testFeedOverlappingWriters: with two writers open, the events committed before them are read — the
// bound is the older writer's id, not below it — and theirs follow once they commit.
func testFeedOverlappingWriters(t *testing.T, st *store.Store, pos store.FeedPosition) {
	appendEvents(t, st, feedEvent(t, "before"))
	releaseA := openWriter(t, st, "a")
	releaseB := openWriter(t, st, "b")
	// readUntil, not readFeed: a transaction of a parallel test ending at the moment the bound is read
	// lowers it for that one read (it errs on the side of waiting).
	ids, pos := readUntil(t, st, pos, 1)
	require.Equal(t, []string{"before"}, ids, "what committed before two open writers is not held back by them")
	releaseB()
	ids, pos = readFeed(t, st, pos)
	require.Empty(t, ids, "b waits behind a, which is older and still open")
	releaseA()
	ids, _ = readUntil(t, st, pos, 2)
	require.Equal(t, []string{"a", "b"}, ids)
}

// testFeedOwnTransaction: a transaction that has written an event and then reads the feed (the engine's
// feed does: rescoring writes events) is not shown events of later transactions, or its cursor would
// pass its own.
func testFeedOwnTransaction(t *testing.T, st *store.Store) {
	var start store.FeedPosition
	read(t, st, func(ctx context.Context, tx *store.Tx) (err error) {
		_, start, err = tx.Feed(ctx, store.FeedPosition{}, 1000)
		return err
	})
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.AppendEvent(ctx, feedEvent(t, "own")); err != nil {
			return err
		}
		appendEvents(t, st, feedEvent(t, "later")) // another transaction, committed meanwhile
		evs, _, err := tx.Feed(ctx, start, 100)
		for _, e := range evs {
			require.NotEqual(t, "later", e.RecordID, "a later transaction's event would move the cursor past this one's")
		}
		return err
	})
	ids, _ := readUntil(t, st, start, 2)
	require.Equal(t, []string{"own", "later"}, ids)
}
