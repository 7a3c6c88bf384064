package storetest

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// compareValues orders two non-nil canonical values of one field type.
func compareValues(t testing.TB, a, b any) int {
	t.Helper()
	switch x := a.(type) {
	case float64:
		return cmp.Compare(x, b.(float64))
	case string:
		return strings.Compare(x, b.(string))
	case time.Time:
		return x.Compare(b.(time.Time))
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	t.Fatalf("storetest: cannot compare %T", a)
	return 0
}

// matches is the filter semantics the store promises: nil compares as IS (NOT) NULL; a NULL field
// matches only ne.
func matches(t testing.TB, rec records.Values, f store.Filter) bool {
	t.Helper()
	v := rec[f.Field]
	if f.Value == nil {
		return (v == nil) != (f.Op == store.Ne)
	}
	if v == nil {
		return f.Op == store.Ne
	}
	c := compareValues(t, v, f.Value)
	switch f.Op {
	case store.Eq:
		return c == 0
	case store.Ne:
		return c != 0
	case store.Gt:
		return c > 0
	case store.Gte:
		return c >= 0
	case store.Lt:
		return c < 0
	case store.Lte:
		return c <= 0
	}
	t.Fatalf("storetest: unknown op %s", f.Op)
	return false
}

// expectedOrder is the order List must return: non-NULL values ascending with ties broken by id, then
// the NULLs by id; descending is exactly the reverse.
func expectedOrder(t testing.TB, recs []records.Values, field string, desc bool) []string {
	t.Helper()
	sorted := slices.Clone(recs)
	slices.SortFunc(sorted, func(a, b records.Values) int {
		va, vb := a[field], b[field]
		switch {
		case va == nil && vb == nil:
		case va == nil:
			return 1
		case vb == nil:
			return -1
		default:
			if c := compareValues(t, va, vb); c != 0 {
				return c
			}
		}
		return strings.Compare(a.ID(), b.ID())
	})
	if desc {
		slices.Reverse(sorted)
	}
	return ids(sorted)
}

func filtered(t testing.TB, recs []records.Values, fs []store.Filter) []records.Values {
	t.Helper()
	var out []records.Values
	for _, r := range recs {
		if !slices.ContainsFunc(fs, func(f store.Filter) bool { return !matches(t, r, f) }) {
			out = append(out, r)
		}
	}
	return out
}

// listAll follows q page by page to the end, checking that every page but the last is full and that
// only the last has no next position.
func listAll(t testing.TB, st *store.Store, o *records.Object, q store.ListQuery) []records.Values {
	t.Helper()
	var all []records.Values
	for page := 0; ; page++ {
		require.Less(t, page, 100, "pagination does not end")
		var recs []records.Values
		var next *store.Position
		read(t, st, func(ctx context.Context, tx *store.Tx) error {
			var err error
			recs, next, err = tx.List(ctx, o, q)
			return err
		})
		require.LessOrEqual(t, len(recs), q.Limit)
		all = append(all, recs...)
		if next == nil {
			return all
		}
		require.Len(t, recs, q.Limit, "a page with a next position is full")
		last := recs[len(recs)-1]
		require.Equal(t, last.ID(), next.ID)
		require.True(t, records.Equal(last[q.Sort], next.Value), "position holds the last sort value")
		q.After = next
	}
}

func testListFilters(t *testing.T, st *store.Store) {
	leads := object(t, "lead")
	owner := newUser(t, st, "owner@example.com")
	employees := []any{10.0, 50.0, 50.0, nil, 100.0, nil, 5.5, 50.0, 200.0, -1.0}
	statuses := []string{"new", "working", "qualified"}
	var all []records.Values
	for i, e := range employees {
		rec := records.Values{"status": statuses[i%3], "score": float64(i), "employees": e,
			"first_name": fmt.Sprintf("lead%d", i), "created_at": at(i * 10), "updated_at": at(i * 10)}
		if i%2 == 0 {
			rec["owner_id"] = owner.ID()
		}
		all = append(all, complete(leads, insert(t, st, leads, rec)))
	}
	cases := [][]store.Filter{
		{{Field: "status", Op: store.Eq, Value: "working"}},
		{{Field: "status", Op: store.Ne, Value: "working"}},
		{{Field: "employees", Op: store.Eq, Value: 50.0}},
		{{Field: "employees", Op: store.Ne, Value: 50.0}},
		{{Field: "employees", Op: store.Gt, Value: 50.0}},
		{{Field: "employees", Op: store.Gte, Value: 50.0}},
		{{Field: "employees", Op: store.Lt, Value: 50.0}},
		{{Field: "employees", Op: store.Lte, Value: 50.0}},
		{{Field: "employees", Op: store.Lt, Value: 0.0}},
		{{Field: "employees", Op: store.Eq, Value: nil}},
		{{Field: "employees", Op: store.Ne, Value: nil}},
		{{Field: "owner_id", Op: store.Eq, Value: nil}},
		{{Field: "owner_id", Op: store.Eq, Value: owner.ID()}},
		{{Field: "created_at", Op: store.Gt, Value: at(30)}},
		{{Field: "created_at", Op: store.Gte, Value: at(30)}},
		{{Field: "created_at", Op: store.Lt, Value: at(30)}},
		{{Field: "created_at", Op: store.Lte, Value: at(30)}},
		{{Field: "created_at", Op: store.Eq, Value: at(30)}},
		{{Field: "created_at", Op: store.Lt, Value: at(30).Add(time.Microsecond)}},
		{{Field: "created_at", Op: store.Gte, Value: at(30).Add(time.Microsecond)}},
		{
			{Field: "employees", Op: store.Gte, Value: 10.0},
			{Field: "created_at", Op: store.Lt, Value: at(80)},
			{Field: "status", Op: store.Ne, Value: "qualified"},
		},
	}
	for _, fs := range cases {
		want := filtered(t, all, fs)
		require.NotEmpty(t, want, "storetest: filter %v selects nothing; make the data exercise it", fs)
		if len(fs) == 1 && fs[0].Value != nil {
			require.Less(t, len(want), len(all), "storetest: filter %v selects everything", fs)
		}
		got := listAll(t, st, leads, store.ListQuery{Filters: fs, Sort: "created_at", Limit: 100})
		require.Equal(t, expectedOrder(t, want, "created_at", false), ids(got), "filter %v", fs)
	}

	tasks := object(t, "task")
	var taskRecs []records.Values
	for i := range 7 {
		rec := records.Values{"title": fmt.Sprintf("task %d", i), "type": "todo", "priority": "normal", "status": "open"}
		if i%3 != 0 {
			rec["due_at"] = at(100 - i)
		}
		taskRecs = append(taskRecs, complete(tasks, insert(t, st, tasks, rec)))
	}
	for _, fs := range [][]store.Filter{
		{{Field: "due_at", Op: store.Eq, Value: nil}},
		{{Field: "due_at", Op: store.Ne, Value: nil}},
		{{Field: "due_at", Op: store.Gte, Value: at(98)}},
		{{Field: "due_at", Op: store.Lt, Value: at(98)}},
		{{Field: "due_at", Op: store.Ne, Value: at(98)}},
		{{Field: "due_at", Op: store.Eq, Value: at(98)}},
	} {
		got := listAll(t, st, tasks, store.ListQuery{Filters: fs, Sort: "due_at", Limit: 2})
		require.Equal(t, expectedOrder(t, filtered(t, taskRecs, fs), "due_at", false), ids(got), "filter %v", fs)
	}

	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		_, _, err := tx.List(ctx, leads, store.ListQuery{Filters: []store.Filter{{Field: "nope", Op: store.Eq, Value: 1.0}}, Sort: "created_at", Limit: 5})
		require.Error(t, err)
		_, _, err = tx.List(ctx, leads, store.ListQuery{Sort: "nope", Limit: 5})
		require.Error(t, err)
		_, _, err = tx.List(ctx, leads, store.ListQuery{Sort: "created_at", Limit: 0})
		require.Error(t, err, "a page of no rows has no position to continue from")
		return nil
	})
}

func testSearch(t *testing.T, st *store.Store) {
	leads := object(t, "lead")
	mk := func(first, last, email, company string) string {
		rec := records.Values{"status": "new", "score": 0.0}
		for k, v := range map[string]string{"first_name": first, "last_name": last, "email": email, "company": company} {
			if v != "" {
				rec[k] = v
			}
		}
		return insert(t, st, leads, rec).ID()
	}
	ann := mk("Ann", "O'Neil", "ann@acme.com", "")
	anna := mk("ANNA", "Smith", "", "Beta Inc")
	joanne := mk("Bob", "Joanne", "bob@beta.io", "")
	pct := mk("Cid", "", "", "100% Organic")
	mk("Dee", "", "", "1000 Things") // would match "100%" if % were a wildcard
	under := mk("Eve", "", "x_y@corp.com", "")
	notUnder := mk("Fay", "", "xay@corp.com", "")
	slash := mk("Gus", "", "", `Back\slash Ltd`)
	mk("", "", "", "") // all search fields NULL

	cases := []struct {
		q    string
		want []string
	}{
		{"ann", []string{ann, anna, joanne}},
		{"ANN", []string{ann, anna, joanne}},
		{"o'neil", []string{ann}},
		{"smith", []string{anna}},
		{"beta", []string{anna, joanne}},
		{"100%", []string{pct}},
		{"%", []string{pct}},
		{"x_y", []string{under}},
		{"_", []string{under}},
		{"xay", []string{notUnder}},
		{`k\s`, []string{slash}},
		{`\`, []string{slash}},
		{"zzz", nil},
	}
	for _, c := range cases {
		got := listAll(t, st, leads, store.ListQuery{Search: c.q, Sort: "created_at", Limit: 2})
		require.ElementsMatch(t, c.want, ids(got), "search %q", c.q)
	}
	got := listAll(t, st, leads, store.ListQuery{Search: "ann", Sort: "created_at", Limit: 10,
		Filters: []store.Filter{{Field: "last_name", Op: store.Eq, Value: "Smith"}}})
	require.Equal(t, []string{anna}, ids(got), "search and filter combine")
}

func testSortPagination(t *testing.T, st *store.Store) {
	leads := object(t, "lead")
	// Ties and NULLs on purpose, in an insertion order that differs from both sort orders.
	employees := []any{50.0, nil, 10.0, 50.0, 300.0, nil, -2.5, 50.0, nil, 10.0}
	names := []any{"mia", "ben", nil, "ava", "zoe", "ben", nil, "eli", "ava", "kai"}
	var all []records.Values
	for i := range employees {
		rec := records.Values{"status": "new", "score": float64(i % 4), "employees": employees[i], "first_name": names[i],
			"created_at": at((i * 7) % 10), "updated_at": at(0)}
		all = append(all, complete(leads, insert(t, st, leads, rec)))
	}
	tasks := object(t, "task")
	var taskRecs []records.Values
	for i := range 10 {
		rec := records.Values{"title": fmt.Sprintf("t%d", i), "type": "todo", "priority": "normal", "status": "open"}
		if i%4 != 1 {
			due := at(i % 3).Add(time.Duration(i%2) * time.Microsecond)
			if i%5 == 3 {
				due = due.Truncate(time.Second) // whose shortest text form sorts differently
			}
			rec["due_at"] = due
		}
		taskRecs = append(taskRecs, complete(tasks, insert(t, st, tasks, rec)))
	}
	cases := []struct {
		o     *records.Object
		recs  []records.Values
		field string
		limit int
	}{
		{leads, all, "employees", 3},
		{leads, all, "employees", 5},
		{leads, all, "employees", 1},
		{leads, all, "first_name", 3},
		{leads, all, "score", 3},
		{leads, all, "created_at", 3},
		{leads, all, "updated_at", 4},
		{tasks, taskRecs, "due_at", 3},
		{tasks, taskRecs, "due_at", 10},
	}
	for _, c := range cases {
		for _, desc := range []bool{false, true} {
			got := listAll(t, st, c.o, store.ListQuery{Sort: c.field, Desc: desc, Limit: c.limit})
			require.Equal(t, expectedOrder(t, c.recs, c.field, desc), ids(got),
				"%s by %s desc=%v limit %d", c.o.Plural, c.field, desc, c.limit)
		}
	}

	filter := []store.Filter{{Field: "employees", Op: store.Ne, Value: 10.0}}
	for _, desc := range []bool{false, true} {
		got := listAll(t, st, leads, store.ListQuery{Filters: filter, Sort: "employees", Desc: desc, Limit: 3})
		require.Equal(t, expectedOrder(t, filtered(t, all, filter), "employees", desc), ids(got), "filtered, desc=%v", desc)
	}
}

// customFields returns one custom field of every custom type, named cf_<type>.
func customFields() []records.Field {
	var fs []records.Field
	for _, ty := range records.CustomTypes {
		f := records.Field{Name: "cf_" + string(ty), Type: ty, Custom: true, Label: "Custom " + string(ty)}
		if ty == records.Enum {
			f.Options = []string{"red", "green", "blue"}
		}
		fs = append(fs, f)
	}
	return fs
}

func testCustomFields(t *testing.T, st *store.Store) {
	leads := object(t, "lead").WithCustom(customFields())
	numbers := []any{3.0, 2.5, nil, 3.0, -7.25, 1e6, nil, 0.0}
	var all []records.Values
	for i, n := range numbers {
		rec := records.Values{"status": "new", "score": 0.0, "cf_number": n}
		if i%4 != 2 {
			rec["cf_string"] = fmt.Sprintf("val%c", 'a'+rune((i*5)%8))
			rec["cf_text"] = fmt.Sprintf("line one\nline \"two\" %d", i)
			rec["cf_bool"] = i%2 == 0
			rec["cf_date"] = fmt.Sprintf("2026-0%d-15", 1+(i*3)%9)
			// Whole seconds on even rows: their shortest text form differs from the fixed layout.
			rec["cf_datetime"] = at((i * 3) % 8).Add(time.Duration(i) * time.Microsecond)
			if i%2 == 0 {
				rec["cf_datetime"] = at(i).Truncate(time.Second)
			}
			rec["cf_enum"] = []string{"red", "green", "blue"}[i%3]
			rec["cf_email"] = fmt.Sprintf("c%d@example.com", i)
			rec["cf_phone"] = fmt.Sprintf("+4930555%04d", i)
			rec["cf_url"] = fmt.Sprintf("https://example.com/%d", i)
		}
		inserted := complete(leads, insert(t, st, leads, rec))
		require.Equal(t, inserted, get(t, st, leads, inserted.ID()), "custom round trip %d", i)
		all = append(all, inserted)
	}
	for _, f := range customFields() {
		require.True(t, slices.ContainsFunc(all, func(r records.Values) bool { return r[f.Name] != nil }), "sample sets %s", f.Name)
	}

	// An update rewrites the custom JSON: set one value, clear another.
	upd := all[0]
	before := maps.Clone(upd)
	upd["cf_number"] = 4.5
	upd["cf_string"] = nil
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		return tx.UpdateChanged(ctx, leads, upd, records.Diff(before, upd))
	})
	require.Equal(t, upd, get(t, st, leads, upd.ID()))

	dt, whole := all[3]["cf_datetime"].(time.Time), all[4]["cf_datetime"].(time.Time)
	cases := [][]store.Filter{
		{{Field: "cf_number", Op: store.Eq, Value: 3.0}},
		{{Field: "cf_number", Op: store.Gte, Value: 2.5}},
		{{Field: "cf_number", Op: store.Lt, Value: 2.5}},
		{{Field: "cf_number", Op: store.Gt, Value: 100.0}},
		{{Field: "cf_number", Op: store.Eq, Value: nil}},
		{{Field: "cf_number", Op: store.Ne, Value: 3.0}},
		{{Field: "cf_datetime", Op: store.Gte, Value: dt}},
		{{Field: "cf_datetime", Op: store.Lt, Value: dt}},
		{{Field: "cf_datetime", Op: store.Eq, Value: dt}},
		{{Field: "cf_datetime", Op: store.Gt, Value: whole}},
		{{Field: "cf_datetime", Op: store.Lte, Value: whole}},
		{{Field: "cf_datetime", Op: store.Eq, Value: whole}},
		{{Field: "cf_date", Op: store.Gte, Value: "2026-04-15"}},
		{{Field: "cf_date", Op: store.Lt, Value: "2026-04-15"}},
		{{Field: "cf_bool", Op: store.Eq, Value: true}},
		{{Field: "cf_bool", Op: store.Eq, Value: false}},
		{{Field: "cf_string", Op: store.Eq, Value: "valf"}},
		{{Field: "cf_string", Op: store.Eq, Value: nil}},
		{{Field: "cf_enum", Op: store.Ne, Value: "red"}},
		{{Field: "cf_number", Op: store.Gte, Value: 0.0}, {Field: "cf_bool", Op: store.Eq, Value: true}},
	}
	for _, fs := range cases {
		want := filtered(t, all, fs)
		require.NotEmpty(t, want, "storetest: filter %v selects nothing", fs)
		got := listAll(t, st, leads, store.ListQuery{Filters: fs, Sort: "created_at", Limit: 3})
		require.Equal(t, expectedOrder(t, want, "created_at", false), ids(got), "custom filter %v", fs)
	}
	for _, field := range []string{"cf_number", "cf_datetime", "cf_date", "cf_string", "cf_bool"} {
		for _, desc := range []bool{false, true} {
			got := listAll(t, st, leads, store.ListQuery{Sort: field, Desc: desc, Limit: 3})
			require.Equal(t, expectedOrder(t, all, field, desc), ids(got), "custom sort by %s desc=%v", field, desc)
		}
	}
}
