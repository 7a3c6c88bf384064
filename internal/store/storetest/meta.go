package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

func appendEvents(t testing.TB, st *store.Store, evs ...store.Event) {
	t.Helper()
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		for _, e := range evs {
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// withoutSeq clears the database-assigned sequence and transaction numbers so events compare with what
// was appended.
func withoutSeq(evs []store.Event) []store.Event {
	out := slices.Clone(evs)
	for i := range out {
		out[i].Seq, out[i].TxID = 0, 0
	}
	return out
}

func testEvents(t *testing.T, st *store.Store) {
	a, b := newID(t), newID(t)
	var appended []store.Event
	for i := range 9 {
		e := store.Event{ID: newID(t), RecordType: "lead", RecordID: a, Kind: "updated",
			Changes:   map[string]records.Change{"score": {Old: float64(i), New: float64(i + 1)}},
			ActorType: "user", ActorID: "tok_1", OccurredAt: at(i)}
		switch i % 3 {
		case 1:
			e.RecordID = b
			e.ActorUserID = "user-1"
		case 2:
			e.RecordType = "deal" // same id, another type: not a's history
			e.ActorType, e.ActorID = "system", ""
		}
		appended = append(appended, e)
	}
	appendEvents(t, st, appended[:4]...) // several in one transaction
	for _, e := range appended[4:] {
		appendEvents(t, st, e)
	}
	var historyA []store.Event
	for _, e := range slices.Backward(appended) {
		if e.RecordType == "lead" && e.RecordID == a {
			historyA = append(historyA, e)
		}
	}

	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		feed, err := tx.EventsAfter(ctx, 0, 100)
		require.NoError(t, err)
		require.Equal(t, appended, withoutSeq(feed), "EventsAfter returns every event in append order")
		for i := 1; i < len(feed); i++ {
			require.Greater(t, feed[i].Seq, feed[i-1].Seq)
		}

		var paged []store.Event
		for after := int64(0); ; {
			page, err := tx.EventsAfter(ctx, after, 4)
			require.NoError(t, err)
			paged = append(paged, page...)
			if len(page) < 4 {
				break
			}
			after = page[len(page)-1].Seq
		}
		require.Equal(t, feed, paged, "EventsAfter paging")

		tail, err := tx.EventsAfter(ctx, feed[5].Seq, 100)
		require.NoError(t, err)
		require.Equal(t, feed[6:], tail)

		all, err := tx.Events(ctx, "lead", a, 0, 100)
		require.NoError(t, err)
		require.Equal(t, historyA, withoutSeq(all), "a record's history, newest first")

		var pagedA []store.Event
		for before := int64(0); ; {
			page, err := tx.Events(ctx, "lead", a, before, 2)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page), 2)
			pagedA = append(pagedA, page...)
			if len(page) < 2 {
				break
			}
			before = page[len(page)-1].Seq
		}
		require.Equal(t, all, pagedA, "history paging with beforeSeq")

		none, err := tx.Events(ctx, "lead", newID(t), 0, 10)
		require.NoError(t, err)
		require.Empty(t, none)
		return nil
	})

	// A duplicate event id is refused.
	kind, _ := violation(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.AppendEvent(ctx, appended[0]) })
	require.Equal(t, store.UniqueViolation, kind)
}

func testEventChanges(t *testing.T, st *store.Store) {
	due := time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.FixedZone("X", -5*3600))
	id := newID(t)
	e := store.Event{ID: newID(t), RecordType: "task", RecordID: id, Kind: "updated", ActorType: "run", ActorID: "run-7",
		OccurredAt: due,
		Changes: map[string]records.Change{
			"status": {Old: "open", New: "done"},
			"score":  {Old: 1.0, New: 2.5},
			"active": {Old: true, New: false},
			"due_at": {Old: nil, New: due},
			"email":  {Old: "a@b.co", New: nil},
			"stages": {Old: map[string]any{"k": []any{1.0, "x"}}, New: []any{map[string]any{"name": "Won"}}},
			"title":  {Old: `quote " and \ and ünï`, New: "x"},
		}}
	created := store.Event{ID: newID(t), RecordType: "task", RecordID: id, Kind: "created", ActorType: "system", OccurredAt: due}
	appendEvents(t, st, created, e)

	// Datetimes travel as JSON text in the store's fixed layout, the form the API shows them in.
	want := e
	want.Changes = map[string]records.Change{}
	for k, c := range e.Changes {
		want.Changes[k] = c
	}
	want.Changes["due_at"] = records.Change{Old: nil, New: "2026-05-06T12:08:09.123456Z"}
	want.OccurredAt = due.UTC().Truncate(time.Microsecond)
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		evs, err := tx.Events(ctx, "task", id, 0, 10)
		require.NoError(t, err)
		require.Len(t, evs, 2)
		require.Equal(t, want, withoutSeq(evs)[0])
		require.Equal(t, time.UTC, evs[0].OccurredAt.Location())
		require.Empty(t, evs[1].Changes, "an event without changes reads back with none")
		require.Equal(t, "created", evs[1].Kind)
		return nil
	})
}

func testTokens(t *testing.T, st *store.Store) {
	user := newUser(t, st, "tok@example.com")
	tokens := []store.Token{
		{ID: newID(t), Name: "ci", Role: "admin", Hash: "hash-1", CreatedAt: at(1)},
		{ID: newID(t), Name: "ann's laptop", Role: "rep", UserID: user.ID(), Hash: "hash-2", CreatedAt: at(2)},
		{ID: newID(t), Name: "zapier", Role: "manager", Hash: "hash-3", CreatedAt: at(3)},
	}
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		for _, tk := range tokens {
			if err := tx.InsertToken(ctx, tk); err != nil {
				return err
			}
		}
		return nil
	})
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		for _, want := range tokens {
			got, err := tx.TokenByHash(ctx, want.Hash, at(5))
			require.NoError(t, err)
			require.Equal(t, store.TokenAPI, got.Kind, "a token made without a kind is an API token")
			require.Equal(t, [4]string{want.ID, want.Name, want.Role, want.UserID}, [4]string{got.ID, got.Name, got.Role, got.UserID})
		}
		_, err := tx.TokenByHash(ctx, "hash-unknown", at(5))
		require.ErrorIs(t, err, records.ErrNotFound)
		return nil
	})

	revokedAt := at(5).Add(789 * time.Nanosecond)
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.RevokeToken(ctx, tokens[1].ID, revokedAt) })
	for _, id := range []string{tokens[1].ID, newID(t)} {
		err := st.Write(context.Background(), func(tx *store.Tx) error { return tx.RevokeToken(context.Background(), id, at(6)) })
		require.ErrorIs(t, err, records.ErrNotFound, "revoking a revoked or unknown token")
	}
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.TokenByHash(ctx, "hash-2", at(6))
		require.ErrorIs(t, err, records.ErrNotFound, "a revoked token no longer authenticates")
		list, err := tx.Tokens(ctx)
		require.NoError(t, err)
		rev := revokedAt.Truncate(time.Microsecond)
		want := []store.Token{tokens[2], tokens[1], tokens[0]}
		for i := range want {
			want[i].Hash, want[i].Kind = "", store.TokenAPI // the hash is never read back
		}
		want[1].RevokedAt = &rev
		require.Equal(t, want, list)
		return nil
	})

	// A browser session expires, and is pruned once ended; API tokens are never pruned.
	ends := at(10)
	session := store.Token{ID: newID(t), Name: "browser session", Role: "admin", Kind: store.TokenSession, Hash: "hash-s", CreatedAt: at(8), ExpiresAt: &ends}
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.InsertToken(ctx, session) })
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.TokenByHash(ctx, "hash-s", at(9))
		require.NoError(t, err)
		require.Equal(t, store.TokenSession, got.Kind)
		_, err = tx.TokenByHash(ctx, "hash-s", at(10))
		require.ErrorIs(t, err, records.ErrNotFound, "an expired session no longer authenticates")
		return nil
	})
	orphan := store.Token{ID: newID(t), Name: "browser session", Role: "admin", Kind: store.TokenSession, Hash: "hash-o",
		ParentID: "no-such-token", CreatedAt: at(8), ExpiresAt: &ends}
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.InsertToken(ctx, orphan) })
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.TokenByHash(ctx, "hash-o", at(9))
		require.ErrorIs(t, err, records.ErrNotFound, "a session whose token is gone has ended")
		return nil
	})
	count := func() int {
		var list []store.Token
		read(t, st, func(ctx context.Context, tx *store.Tx) (err error) { list, err = tx.Tokens(ctx); return err })
		return len(list)
	}
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.PruneSessions(ctx, at(10)) })
	require.Equal(t, 5, count(), "a session is kept until it has ended")
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.PruneSessions(ctx, at(11)) })
	require.Equal(t, 3, count(), "the ended sessions went; the revoked API token stays")

	kind, field := violation(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.InsertToken(ctx, store.Token{ID: newID(t), Role: "rep", Hash: "hash-1", CreatedAt: at(7)})
	})
	require.Equal(t, store.UniqueViolation, kind)
	require.Equal(t, "hash", field)
	kind, _ = violation(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.InsertToken(ctx, store.Token{ID: newID(t), Role: "rep", UserID: newID(t), Hash: "hash-9", CreatedAt: at(7)})
	})
	require.Equal(t, store.ForeignKeyViolation, kind)
}

func testIdempotency(t *testing.T, st *store.Store) {
	ctx := context.Background()
	first := store.Stored{RequestHash: "req-1", Status: 201, Body: []byte(`{"id":"x","name":"Ünï \"q\""}`)}
	other := store.Stored{RequestHash: "req-2", Status: 422, Body: []byte(`{"errors":[]}`)}
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.IdempotentResponse(ctx, "user:1", "key-1")
		require.ErrorIs(t, err, records.ErrNotFound)
		return nil
	})
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.SaveIdempotentResponse(ctx, "user:1", "key-1", first, at(1))
	})
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.SaveIdempotentResponse(ctx, "user:2", "key-1", other, at(1)) // same key, other scope
	})
	kind, _ := violation(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.SaveIdempotentResponse(ctx, "user:1", "key-1", other, at(2))
	})
	require.Equal(t, store.UniqueViolation, kind, "a second save of the same (scope, key)")
	require.NoError(t, st.Read(ctx, func(tx *store.Tx) error {
		got, err := tx.IdempotentResponse(ctx, "user:1", "key-1")
		require.NoError(t, err)
		require.Equal(t, first, got, "the first response stays")
		got, err = tx.IdempotentResponse(ctx, "user:2", "key-1")
		require.NoError(t, err)
		require.Equal(t, other, got)
		return nil
	}))
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.SaveIdempotentResponse(ctx, "user:1", "key-late", first, at(10))
	})
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		n, err := tx.ExpireIdempotencyKeys(ctx, at(5))
		require.EqualValues(t, 2, n, "the two keys used before the cutoff")
		return err
	})
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.IdempotentResponse(ctx, "user:1", "key-1")
		require.ErrorIs(t, err, records.ErrNotFound)
		_, err = tx.IdempotentResponse(ctx, "user:1", "key-late")
		return err
	})
}

func testFieldDefs(t *testing.T, st *store.Store) {
	defs := []store.FieldDef{
		{ID: newID(t), Object: "lead", Name: "cf_region", Type: "string", Label: "Region", CreatedAt: at(1)},
		{ID: newID(t), Object: "lead", Name: "cf_tier", Type: "enum", Label: "Tier", Required: true,
			Options: []string{"gold", "silver"}, CreatedAt: at(2)},
		{ID: newID(t), Object: "deal", Name: "cf_margin", Type: "number", Label: "Margin", CreatedAt: at(0)},
	}
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		for _, d := range defs {
			if err := tx.InsertFieldDef(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	list := func(object string) []store.FieldDef {
		t.Helper()
		var out []store.FieldDef
		read(t, st, func(ctx context.Context, tx *store.Tx) error {
			var err error
			out, err = tx.FieldDefs(ctx, object)
			return err
		})
		return out
	}
	require.Equal(t, defs[:2], list("lead"))
	require.Equal(t, []store.FieldDef{defs[2], defs[0], defs[1]}, list(""))
	require.Empty(t, list("account"))
	require.Equal(t, records.Field{Name: "cf_tier", Type: records.Enum, Label: "Tier", Required: true,
		Options: []string{"gold", "silver"}, Custom: true}, defs[1].Field())

	dup := defs[0]
	dup.ID = newID(t)
	kind, _ := violation(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.InsertFieldDef(ctx, dup) })
	require.Equal(t, store.UniqueViolation, kind)

	// Deleting a definition removes its values, so a new field of the same name and another type
	// never meets them.
	lead := object(t, "lead")
	withRegion := lead.WithCustom([]records.Field{{Name: "cf_region", Type: records.String, Custom: true}})
	rec := insert(t, st, withRegion, records.Values{"email": "purge@x.io", "status": "new", "score": 0.0, "cf_region": "EMEA"})
	require.Equal(t, "EMEA", get(t, st, withRegion, rec.ID())["cf_region"])
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.DeleteFieldDef(ctx, lead, "cf_region") })
	require.Equal(t, defs[1:2], list("lead"))
	require.Nil(t, get(t, st, withRegion, rec.ID())["cf_region"], "the deleted field's values are gone")
	asNumber := lead.WithCustom([]records.Field{{Name: "cf_region", Type: records.Number, Custom: true}})
	require.Nil(t, get(t, st, asNumber, rec.ID())["cf_region"])
	err := st.Write(context.Background(), func(tx *store.Tx) error {
		return tx.DeleteFieldDef(context.Background(), lead, "cf_region")
	})
	require.ErrorIs(t, err, records.ErrNotFound)
}

func testSettings(t *testing.T, st *store.Store) {
	get := func(key string) string {
		t.Helper()
		var v string
		read(t, st, func(ctx context.Context, tx *store.Tx) error {
			var err error
			v, err = tx.Setting(ctx, key)
			return err
		})
		return v
	}
	set := func(key, value string, n int) {
		t.Helper()
		write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.SetSetting(ctx, key, value, at(n)) })
	}
	require.Equal(t, "", get("org.name"))
	set("org.name", "Acme", 1)
	set("org.timezone", "Europe/Berlin", 1)
	require.Equal(t, "Acme", get("org.name"))
	set("org.name", `Ünïcode "Acme" GmbH`, 2)
	require.Equal(t, `Ünïcode "Acme" GmbH`, get("org.name"))
	require.Equal(t, "Europe/Berlin", get("org.timezone"))
}

func testForms(t *testing.T, st *store.Store) {
	forms := []store.Form{
		{ID: newID(t), Name: "contact-us", Secret: "s3cret-1", Source: "web_form", CreatedAt: at(1).Add(time.Nanosecond)},
		{ID: newID(t), Name: "beta-signup", Secret: "s3cret-2", Source: "landing_page", CreatedAt: at(2)},
	}
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		for _, f := range forms {
			if err := tx.InsertForm(ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
	forms[0].CreatedAt = forms[0].CreatedAt.Truncate(time.Microsecond)
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.FormByName(ctx, "contact-us")
		require.NoError(t, err)
		require.Equal(t, forms[0], got)
		_, err = tx.FormByName(ctx, "nope")
		require.ErrorIs(t, err, records.ErrNotFound)
		list, err := tx.Forms(ctx)
		require.NoError(t, err)
		want := []store.Form{forms[1], forms[0]}
		for i := range want {
			want[i].Secret = ""
		}
		require.Equal(t, want, list, "forms by name, without secrets")
		return nil
	})
	kind, field := violation(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.InsertForm(ctx, store.Form{ID: newID(t), Name: "contact-us", Secret: "x", Source: "web_form", CreatedAt: at(3)})
	})
	require.Equal(t, store.UniqueViolation, kind)
	require.Equal(t, "name", field)
}

func testCount(t *testing.T, st *store.Store) {
	leads, accounts := object(t, "lead"), object(t, "account")
	count := func(o *records.Object) int {
		t.Helper()
		var n int
		read(t, st, func(ctx context.Context, tx *store.Tx) error {
			var err error
			n, err = tx.Count(ctx, o)
			return err
		})
		return n
	}
	require.Zero(t, count(leads))
	var last records.Values
	for range 3 {
		last = insert(t, st, leads, records.Values{"status": "new", "score": 0.0})
	}
	insert(t, st, accounts, records.Values{"name": "Acme"})
	require.Equal(t, 3, count(leads))
	require.Equal(t, 1, count(accounts))
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.Delete(ctx, leads, last.ID()) })
	require.Equal(t, 2, count(leads))
}
