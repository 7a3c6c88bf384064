package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// insertOrder puts every catalog object after the objects its refs point at. A user and a team refer
// to each other, so a plain manager user comes first (see testRoundTripFull).
var insertOrder = []string{"team", "user", "pipeline", "account", "contact", "lead", "deal", "task", "activity"}

func testMigrate(t *testing.T, st *store.Store) {
	ctx := context.Background()
	applied, err := st.Migrate(ctx)
	require.NoError(t, err)
	require.Empty(t, applied, "open must return a migrated store; a second Migrate applies nothing")
	pending, err := st.Pending(ctx)
	require.NoError(t, err)
	require.False(t, pending)
	require.NoError(t, st.Ping(ctx))
}

func testRoundTripFull(t *testing.T, st *store.Store) {
	cat := records.NewCatalog()
	require.ElementsMatch(t, insertOrder, names(cat.All()), "storetest: add new objects to insertOrder")

	manager := newUser(t, st, "manager@example.com")
	refs := map[string]string{"user": manager.ID()}
	want := map[string]records.Values{}
	for i, name := range insertOrder {
		o, _ := cat.Get(name)
		rec := fullRecord(t, o, i, refs)
		insert(t, st, o, rec)
		refs[name] = rec.ID()
		want[name] = rec
	}
	for _, name := range insertOrder {
		o, _ := cat.Get(name)
		w := want[name]
		for _, f := range o.Fields {
			require.NotNil(t, w[f.Name], "%s.%s must be set in the full record", name, f.Name)
		}
		require.Equal(t, w, get(t, st, o, w.ID()), "round trip of %s", name)

		// List reads rows through the same scan; check it on the same record.
		var listed []records.Values
		read(t, st, func(ctx context.Context, tx *store.Tx) error {
			var err error
			listed, _, err = tx.List(ctx, o, store.ListQuery{
				Filters: []store.Filter{{Field: "id", Op: store.Eq, Value: w.ID()}}, Sort: "created_at", Limit: 10,
			})
			return err
		})
		require.Equal(t, []records.Values{w}, listed, "list of %s", name)
	}
}

func names(objs []*records.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Name
	}
	return out
}

func testRoundTripSparse(t *testing.T, st *store.Store) {
	for i, o := range records.NewCatalog().All() {
		rec := sparseRecord(t, o, i)
		insert(t, st, o, rec)
		got := get(t, st, o, rec.ID())
		require.Equal(t, complete(o, rec), got, "sparse round trip of %s: unset fields read back as nil", o.Name)
	}
}

func testDateTimePrecision(t *testing.T, st *store.Store) {
	tasks := object(t, "task")
	berlin := time.FixedZone("CET", 3600)
	cases := []struct {
		name string
		in   time.Time
	}{
		{"micro", time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)},
		{"nanos truncated not rounded", time.Date(2026, 1, 2, 3, 4, 5, 999999999, time.UTC)},
		{"other zone", time.Date(2026, 7, 1, 23, 30, 0, 1000, berlin)},
		{"epoch", time.Unix(0, 0).UTC()},
		{"far future", time.Date(2999, 12, 31, 23, 59, 59, 999999000, time.UTC)},
	}
	for _, c := range cases {
		rec := insert(t, st, tasks, records.Values{
			"title": c.name, "type": "todo", "priority": "normal", "status": "open",
			"due_at": c.in, "created_at": c.in, "updated_at": c.in,
		})
		got := get(t, st, tasks, rec.ID())
		want := c.in.UTC().Truncate(time.Microsecond)
		for _, f := range []string{"due_at", "created_at", "updated_at"} {
			tm, ok := got[f].(time.Time)
			require.True(t, ok, "%s: %s is %T", c.name, f, got[f])
			require.Equal(t, time.UTC, tm.Location(), "%s: %s must be UTC", c.name, f)
			require.True(t, want.Equal(tm), "%s: %s = %s, want %s", c.name, f, tm.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
	}
}

func testUpdateDelete(t *testing.T, st *store.Store) {
	leads := object(t, "lead")
	owner := newUser(t, st, "owner@example.com")
	rec := insert(t, st, leads, records.Values{
		"first_name": "Ann", "email": "ann@acme.com", "status": "new", "score": 10.0, "employees": 50.0,
		"owner_id": owner.ID(), "created_at": at(0), "updated_at": at(0),
	})

	changed := complete(leads, rec)
	changed["status"] = "working"
	changed["employees"] = nil
	changed["owner_id"] = nil
	changed["last_name"] = "O'Neil"
	changed["updated_at"] = at(5)
	changed["created_at"] = at(99) // ignored: creation time never changes
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.UpdateChanged(ctx, leads, changed, records.Diff(complete(leads, rec), changed))
	})

	want := complete(leads, changed)
	want["created_at"] = at(0)
	require.Equal(t, want, get(t, st, leads, rec.ID()))

	missing := complete(leads, changed)
	missing["id"] = newID(t)
	err := st.Write(context.Background(), func(tx *store.Tx) error {
		return tx.UpdateChanged(context.Background(), leads, missing, records.Diff(complete(leads, rec), missing))
	})
	require.ErrorIs(t, err, records.ErrNotFound)
	err = st.Write(context.Background(), func(tx *store.Tx) error { return tx.Delete(context.Background(), leads, missing.ID()) })
	require.ErrorIs(t, err, records.ErrNotFound)

	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.Delete(ctx, leads, rec.ID()) })
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Get(ctx, leads, rec.ID())
		require.ErrorIs(t, err, records.ErrNotFound)
		ok, err := tx.Exists(ctx, leads, rec.ID())
		require.NoError(t, err)
		require.False(t, ok)
		ok, err = tx.Exists(ctx, object(t, "user"), owner.ID())
		require.NoError(t, err)
		require.True(t, ok)
		return nil
	})
	err = st.Write(context.Background(), func(tx *store.Tx) error { return tx.Delete(context.Background(), leads, rec.ID()) })
	require.ErrorIs(t, err, records.ErrNotFound, "deleting twice")
}

// testUpdateChanged: only the changed fields (and updated_at) are written, so a field the caller's
// copy has stale keeps what another write put there; a changed custom field writes the custom column.
func testUpdateChanged(t *testing.T, st *store.Store) {
	leads := object(t, "lead").WithCustom([]records.Field{{Name: "cf_region", Type: records.String, Custom: true}})
	rec := insert(t, st, leads, records.Values{"first_name": "Ann", "email": "changed@acme.com", "status": "new", "score": 0.0,
		"cf_region": "north", "created_at": at(0), "updated_at": at(0)})
	stale := complete(leads, rec)

	other := complete(leads, rec) // another writer changes the status
	other["status"] = "working"
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.UpdateChanged(ctx, leads, other, records.Diff(stale, other))
	})

	mine := complete(leads, stale)
	mine["title"], mine["cf_region"], mine["updated_at"] = "CTO", "south", at(7)
	diff := records.Diff(stale, mine)
	require.Len(t, diff, 2)
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateChanged(ctx, leads, mine, diff) })

	got := get(t, st, leads, rec.ID())
	require.Equal(t, "working", got["status"], "a field not in the change keeps the other write's value")
	require.Equal(t, "CTO", got["title"])
	require.Equal(t, "south", got["cf_region"])
	require.True(t, at(7).Equal(got["updated_at"].(time.Time)), "updated_at written: %v", got["updated_at"])

	missing := complete(leads, mine)
	missing["id"] = newID(t)
	err := st.Write(context.Background(), func(tx *store.Tx) error {
		return tx.UpdateChanged(context.Background(), leads, missing, diff)
	})
	require.ErrorIs(t, err, records.ErrNotFound)
}

func testGetBy(t *testing.T, st *store.Store) {
	leads := object(t, "lead")
	a := insert(t, st, leads, records.Values{"email": "a@acme.com", "status": "new", "score": 0.0})
	insert(t, st, leads, records.Values{"email": "b@acme.com", "status": "new", "score": 0.0})
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.GetBy(ctx, leads, "email", "a@acme.com")
		require.NoError(t, err)
		require.Equal(t, a.ID(), got.ID())
		_, err = tx.GetBy(ctx, leads, "email", "nobody@acme.com")
		require.ErrorIs(t, err, records.ErrNotFound)
		_, err = tx.GetBy(ctx, leads, "no_such_field", "x")
		require.Error(t, err)
		require.NotErrorIs(t, err, records.ErrNotFound)
		return nil
	})
}

// violation runs fn in a write transaction, which must fail, and classifies its error.
func violation(t *testing.T, st *store.Store, fn func(ctx context.Context, tx *store.Tx) error) (store.ViolationKind, string) {
	t.Helper()
	var kind store.ViolationKind
	var field string
	err := st.Write(context.Background(), func(tx *store.Tx) error {
		err := fn(context.Background(), tx)
		kind, field = tx.Violation(err)
		return err
	})
	require.Error(t, err)
	return kind, field
}

func testViolations(t *testing.T, st *store.Store) {
	users, leads, accounts := object(t, "user"), object(t, "lead"), object(t, "account")
	owner := newUser(t, st, "taken@example.com")
	insert(t, st, leads, records.Values{"email": "dup@acme.com", "status": "new", "score": 0.0})
	insert(t, st, accounts, records.Values{"name": "Acme", "domain": "acme.com"})
	// NULLs never collide: the unique indexes on leads.email and accounts.domain are partial.
	insert(t, st, leads, records.Values{"status": "new", "score": 0.0})
	insert(t, st, leads, records.Values{"status": "new", "score": 0.0})
	insert(t, st, accounts, records.Values{"name": "No domain 1"})
	insert(t, st, accounts, records.Values{"name": "No domain 2"})
	lead := insert(t, st, leads, records.Values{"email": "owned@acme.com", "status": "new", "score": 0.0, "owner_id": owner.ID()})

	fresh := func(o *records.Object, v records.Values) records.Values {
		v["id"], v["created_at"], v["updated_at"] = newID(t), base, base
		return complete(o, v)
	}
	cases := []struct {
		name  string
		fn    func(ctx context.Context, tx *store.Tx) error
		kind  store.ViolationKind
		field string
	}{
		{"users.email", func(ctx context.Context, tx *store.Tx) error {
			return tx.Insert(ctx, users, fresh(users, records.Values{"email": "taken@example.com", "name": "X", "role": "rep", "timezone": "UTC", "active": true}))
		}, store.UniqueViolation, "email"},
		{"leads.email", func(ctx context.Context, tx *store.Tx) error {
			return tx.Insert(ctx, leads, fresh(leads, records.Values{"email": "dup@acme.com", "status": "new", "score": 0.0}))
		}, store.UniqueViolation, "email"},
		{"leads.email on update", func(ctx context.Context, tx *store.Tx) error {
			l := complete(leads, lead)
			l["email"] = "dup@acme.com"
			return tx.UpdateChanged(ctx, leads, l, records.Diff(complete(leads, lead), l))
		}, store.UniqueViolation, "email"},
		{"accounts.domain", func(ctx context.Context, tx *store.Tx) error {
			return tx.Insert(ctx, accounts, fresh(accounts, records.Values{"name": "Acme 2", "domain": "acme.com"}))
		}, store.UniqueViolation, "domain"},
		{"lead owner missing", func(ctx context.Context, tx *store.Tx) error {
			return tx.Insert(ctx, leads, fresh(leads, records.Values{"status": "new", "score": 0.0, "owner_id": newID(t)}))
		}, store.ForeignKeyViolation, ""},
		{"delete referenced user", func(ctx context.Context, tx *store.Tx) error {
			return tx.Delete(ctx, users, owner.ID())
		}, store.ForeignKeyViolation, ""},
		{"plain error", func(context.Context, *store.Tx) error {
			return errors.New("UNIQUE is just a word here")
		}, store.NoViolation, ""},
		{"not found", func(ctx context.Context, tx *store.Tx) error {
			return tx.Delete(ctx, users, newID(t))
		}, store.NoViolation, ""},
	}
	for _, c := range cases {
		kind, field := violation(t, st, c.fn)
		require.Equal(t, c.kind, kind, c.name)
		require.Equal(t, c.field, field, c.name)
	}

	// Nothing of the failed writes stayed, and the store still takes writes.
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		n, err := tx.Count(ctx, leads)
		require.NoError(t, err)
		require.Equal(t, 4, n)
		got, err := tx.Get(ctx, leads, lead.ID())
		require.NoError(t, err)
		require.Equal(t, "owned@acme.com", got["email"])
		return nil
	})
	newUser(t, st, "after@example.com")
}

func testFailedTransaction(t *testing.T, st *store.Store) {
	leads := object(t, "lead")
	boom := errors.New("boom")
	id := newID(t)
	write1 := func(ctx context.Context, tx *store.Tx) error {
		if err := tx.Insert(ctx, leads, complete(leads, records.Values{
			"id": id, "status": "new", "score": 0.0, "created_at": base, "updated_at": base,
		})); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, store.Event{ID: newID(t), RecordType: "lead", RecordID: id, Kind: "created",
			ActorType: "system", OccurredAt: base})
	}
	err := st.Write(context.Background(), func(tx *store.Tx) error {
		if err := write1(context.Background(), tx); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)

	require.Panics(t, func() {
		_ = st.Write(context.Background(), func(tx *store.Tx) error {
			if err := write1(context.Background(), tx); err != nil {
				return err
			}
			panic("half-way")
		})
	})

	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Get(ctx, leads, id)
		require.ErrorIs(t, err, records.ErrNotFound)
		evs, err := tx.Events(ctx, "lead", id, 0, 10)
		require.NoError(t, err)
		require.Empty(t, evs)
		evs, err = tx.EventsAfter(ctx, 0, 10)
		require.NoError(t, err)
		require.Empty(t, evs)
		return nil
	})

	// The same write succeeds afterwards: the failed ones released their connection and locks.
	write(t, st, write1)
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		evs, err := tx.Events(ctx, "lead", id, 0, 10)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		return nil
	})
}

func testReadIsReadOnly(t *testing.T, st *store.Store) {
	leads := object(t, "lead")
	err := st.Read(context.Background(), func(tx *store.Tx) error {
		return tx.Insert(context.Background(), leads, complete(leads, records.Values{
			"id": newID(t), "status": "new", "score": 0.0, "created_at": base, "updated_at": base,
		}))
	})
	require.Error(t, err, "a read transaction must refuse writes")
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		n, err := tx.Count(ctx, leads)
		require.NoError(t, err)
		require.Zero(t, n)
		return nil
	})
}

// testSavepointAfterAnError: a statement that fails inside a savepoint (a unique violation; on
// PostgreSQL it aborts the transaction) is undone by RollbackTo, and the transaction goes on and
// commits what came before and after. Twice: savepoints are prepared statements once seen, and the
// second round runs them prepared.
func testSavepointAfterAnError(t *testing.T, st *store.Store) {
	leads := object(t, "lead")
	insert(t, st, leads, records.Values{"email": "sp-dup@acme.com", "status": "new", "score": 0.0})
	for round := range 2 {
		before, after := records.Values{}, records.Values{}
		for _, v := range []records.Values{before, after} {
			v["id"], v["created_at"], v["updated_at"], v["status"], v["score"] = newID(t), base, base, "new", 0.0
		}
		write(t, st, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.Insert(ctx, leads, complete(leads, before)); err != nil {
				return err
			}
			if err := tx.Savepoint(ctx, "sp"); err != nil {
				return err
			}
			dup := records.Values{"id": newID(t), "created_at": base, "updated_at": base, "email": "sp-dup@acme.com", "status": "new", "score": 0.0}
			err := tx.Insert(ctx, leads, complete(leads, dup))
			require.Error(t, err, "round %d", round)
			if err := tx.RollbackTo(ctx, "sp"); err != nil {
				return err
			}
			if err := tx.Release(ctx, "sp"); err != nil {
				return err
			}
			return tx.Insert(ctx, leads, complete(leads, after))
		})
		read(t, st, func(ctx context.Context, tx *store.Tx) error {
			for _, v := range []records.Values{before, after} {
				ok, err := tx.Exists(ctx, leads, v.String("id"))
				require.NoError(t, err)
				require.True(t, ok, "round %d", round)
			}
			return nil
		})
	}
}
