// Package storetest is the conformance suite every store driver runs, so that SQLite and PostgreSQL
// keep answering the same way: the SQL is shared, but types, NULL ordering, JSON, collation and error
// reporting differ between the databases, and only a test run against each one catches a divergence.
// It is a normal package (not _test) because each driver's tests import it.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// Run runs the suite. open must return a fresh, migrated, empty store for each call and close it when
// the test ends; every subtest opens its own, so they run in parallel.
func Run(t *testing.T, open func(t *testing.T) *store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st *store.Store)
	}{
		{"Migrate", testMigrate},
		{"RoundTripFull", testRoundTripFull},
		{"RoundTripSparse", testRoundTripSparse},
		{"DateTimePrecision", testDateTimePrecision},
		{"CustomFields", testCustomFields},
		{"UpdateDelete", testUpdateDelete},
		{"UpdateChanged", testUpdateChanged},
		{"PreviousRun", testPreviousRun},
		{"PaddedLists", testPaddedLists},
		{"SaveKeepingStatus", testSaveKeepingStatus},
		{"InterruptedClaims", testInterruptedClaims},
		{"SavepointAfterAnError", testSavepointAfterAnError},
		{"RereadInTransaction", testRereadInTransaction},
		{"PrefetchRuns", testPrefetchRuns},
		{"RereadWithAnotherObject", testRereadWithAnotherObject},
		{"OnCommit", testOnCommit},
		{"Remember", testRemember},
		{"HistoryKeepsOtherSteps", testHistoryKeepsOtherSteps},
		{"AfterWrite", testAfterWrite},
		{"GetBy", testGetBy},
		{"Violations", testViolations},
		{"FailedTransaction", testFailedTransaction},
		{"ReadIsReadOnly", testReadIsReadOnly},
		{"ListFilters", testListFilters},
		{"Search", testSearch},
		{"SortPagination", testSortPagination},
		{"Events", testEvents},
		{"Feed", testFeed},
		{"EventChanges", testEventChanges},
		{"Tokens", testTokens},
		{"Idempotency", testIdempotency},
		{"FieldDefs", testFieldDefs},
		{"Settings", testSettings},
		{"Forms", testForms},
		{"Count", testCount},
		{"Definitions", testDefinitions},
		{"DefinitionStates", testDefinitionStates},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// base is the first timestamp the suite writes; its microseconds make truncation visible.
var base = time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)

// at returns base plus n minutes, so records get distinct, ordered timestamps.
func at(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }

func newID(t testing.TB) string {
	t.Helper()
	id, err := uuid.NewV7()
	require.NoError(t, err)
	return id.String()
}

func object(t testing.TB, name string) *records.Object {
	t.Helper()
	o, ok := records.NewCatalog().Get(name)
	require.True(t, ok, "catalog has no object %q", name)
	return o
}

func write(t testing.TB, st *store.Store, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, st.Write(ctx, func(tx *store.Tx) error { return fn(ctx, tx) }))
}

func read(t testing.TB, st *store.Store, fn func(ctx context.Context, tx *store.Tx) error) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, st.Read(ctx, func(tx *store.Tx) error { return fn(ctx, tx) }))
}

// insert writes rec (adding id and timestamps when missing) and returns it as stored.
func insert(t testing.TB, st *store.Store, o *records.Object, rec records.Values) records.Values {
	t.Helper()
	if rec.ID() == "" {
		rec["id"] = newID(t)
	}
	if rec["created_at"] == nil {
		rec["created_at"] = base
	}
	if rec["updated_at"] == nil {
		rec["updated_at"] = rec["created_at"]
	}
	write(t, st, func(ctx context.Context, tx *store.Tx) error { return tx.Insert(ctx, o, rec) })
	return rec
}

func get(t testing.TB, st *store.Store, o *records.Object, id string) records.Values {
	t.Helper()
	var rec records.Values
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		var err error
		rec, err = tx.Get(ctx, o, id)
		return err
	})
	return rec
}

// complete returns rec with every field of o present, nil where rec has none, which is what Get
// returns for a stored record.
func complete(o *records.Object, rec records.Values) records.Values {
	out := records.Values{}
	for _, f := range o.Fields {
		out[f.Name] = rec[f.Name]
	}
	return out
}

// sample returns a value of f's type for record number i. Strings carry quotes and non-ASCII text so
// escaping and encoding problems show; bools and enums differ from their defaults so a column that
// ignores the written value and keeps its default fails.
func sample(t testing.TB, o *records.Object, f records.Field, i int, refs map[string]string) any {
	t.Helper()
	switch f.Type {
	case records.String:
		return fmt.Sprintf("%s %s «ü» it's #%d", o.Name, f.Name, i)
	case records.Text:
		return fmt.Sprintf("%s %s\nsecond line with \"quotes\" and a \\ backslash #%d", o.Name, f.Name, i)
	case records.Number:
		return -1234.5 + float64(i)
	case records.Bool:
		return f.Default != true
	case records.Date:
		return fmt.Sprintf("2026-02-%02d", 1+i%28)
	case records.DateTime:
		return at(i).Add(time.Duration(i) * time.Microsecond)
	case records.Enum:
		return f.Options[len(f.Options)-1]
	case records.Email:
		return fmt.Sprintf("%s.%s.%d@example.com", o.Name, f.Name, i)
	case records.Phone:
		return fmt.Sprintf("+493012345%03d", i)
	case records.URL:
		return fmt.Sprintf("https://example.com/%s/%s/%d?x=1&y=%%20", o.Name, f.Name, i)
	case records.Ref:
		id, ok := refs[f.Ref]
		require.True(t, ok, "storetest: no %s inserted before %s.%s", f.Ref, o.Name, f.Name)
		return id
	case records.JSON:
		// Decoded JSON types only, as the store returns them.
		return []any{
			map[string]any{"name": "Qualify", "probability": 0.25, "won": false},
			map[string]any{"name": "Won", "probability": 1.0, "won": true, "tags": []any{"a", nil, 3.5}},
		}
	}
	t.Fatalf("storetest: no sample for type %s of %s.%s", f.Type, o.Name, f.Name)
	return nil
}

// fullRecord sets every field of o.
func fullRecord(t testing.TB, o *records.Object, i int, refs map[string]string) records.Values {
	t.Helper()
	rec := records.Values{}
	for _, f := range o.Fields {
		rec[f.Name] = sample(t, o, f, i, refs)
	}
	rec["id"] = newID(t)
	rec["created_at"] = at(i)
	rec["updated_at"] = at(i + 1)
	return rec
}

// sparseRecord sets only what the schema requires (required fields and those with a default, which
// are NOT NULL columns), leaving every other field NULL.
func sparseRecord(t testing.TB, o *records.Object, i int) records.Values {
	t.Helper()
	rec := records.Values{"id": newID(t), "created_at": at(i), "updated_at": at(i)}
	for _, f := range o.Fields {
		if (f.Required || f.Default != nil) && !f.ReadOnly {
			rec[f.Name] = sample(t, o, f, i, nil)
		}
	}
	return rec
}

// newUser inserts a minimal user, the owner most tests need.
func newUser(t testing.TB, st *store.Store, email string) records.Values {
	t.Helper()
	return insert(t, st, object(t, "user"), records.Values{
		"email": email, "name": "User " + email, "role": "rep", "timezone": "UTC", "active": true,
	})
}

// ids returns the ids of recs in order.
func ids(recs []records.Values) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID()
	}
	return out
}
