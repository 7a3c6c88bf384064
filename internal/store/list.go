package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/records"
)

// Op is a filter comparison.
type Op string

// The filter comparisons of the list API.
const (
	Eq  Op = "eq"
	Ne  Op = "ne"
	Gt  Op = "gt"
	Gte Op = "gte"
	Lt  Op = "lt"
	Lte Op = "lte"
	// In matches any of a list ([]any); an empty list matches nothing.
	In Op = "in"
)

// Filter compares one field with a canonical value (nil with Eq/Ne means "is null"/"is not null").
type Filter struct {
	Field string
	Op    Op
	Value any
}

// ListQuery selects a page of records. Sort is a field name; the id breaks ties, so pages are stable.
type ListQuery struct {
	Filters []Filter
	Search  string // matched case-insensitively against the object's Search fields
	Sort    string
	Desc    bool
	Limit   int
	After   *Position // the last row of the previous page
}

// Position is where a page ended: the sort value and the id of its last row.
type Position struct {
	Value any
	ID    string
}

// List returns up to q.Limit records and the position after the last one when there may be more.
func (t *Tx) List(ctx context.Context, o *records.Object, q ListQuery) ([]records.Values, *Position, error) {
	if q.Limit < 1 {
		// A page needs a last row to continue from; Limit 0 would index before the first.
		return nil, nil, fmt.Errorf("list %s: limit %d, want at least 1", o.Plural, q.Limit)
	}
	sortField, ok := o.Field(q.Sort)
	if !ok {
		return nil, nil, fmt.Errorf("%s has no field %q to sort by", o.Name, q.Sort)
	}
	b := &builder{t: t}
	where, err := t.conditions(b, o, q)
	if err != nil {
		return nil, nil, err
	}
	col := t.column(sortField)
	if q.After != nil {
		where = append(where, b.keyset(col, sortField, q.Desc, q.After))
	}
	// NULLs sort last ascending and first descending on both databases.
	dir := "ASC"
	if q.Desc {
		dir = "DESC"
	}
	sql := fmt.Sprintf("SELECT %s FROM %s", selectList(o), o.Table)
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += fmt.Sprintf(" ORDER BY (%s IS NULL) %s, %s %s, id %s LIMIT %d", col, dir, col, dir, dir, q.Limit+1)
	rows, err := t.query(ctx, sql, b.args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", o.Plural, err)
	}
	recs, err := scanRecords(o, rows)
	if err != nil {
		return nil, nil, err
	}
	if len(recs) <= q.Limit {
		return recs, nil, nil
	}
	recs = recs[:q.Limit]
	last := recs[len(recs)-1]
	return recs, &Position{Value: last[q.Sort], ID: last.ID()}, nil
}

// conditions builds the WHERE terms of a query's filters and search.
func (t *Tx) conditions(b *builder, o *records.Object, q ListQuery) ([]string, error) {
	var where []string
	for _, f := range q.Filters {
		fd, ok := o.Field(f.Field)
		if !ok {
			return nil, fmt.Errorf("%s has no field %q", o.Name, f.Field)
		}
		where = append(where, b.compare(t.column(fd), fd, f.Op, f.Value))
	}
	// The search fields are read as one text, so "paul perry" finds first name Paul, last name Perry.
	if q.Search != "" {
		pat := "%" + likeEscape(strings.ToLower(strings.Join(strings.Fields(q.Search), " "))) + "%"
		text := "concat_ws(' ', " + strings.Join(o.Search, ", ") + ")" // NULLs are skipped
		where = append(where, fmt.Sprintf("%s LIKE %s ESCAPE '\\'", t.d.Lower(text), b.add(pat)))
	}
	return where, nil
}

// CountMatching counts the records of o that a query's filters and search select (its sort, limit and
// position do not matter).
func (t *Tx) CountMatching(ctx context.Context, o *records.Object, q ListQuery) (int, error) {
	b := &builder{t: t}
	where, err := t.conditions(b, o, q)
	if err != nil {
		return 0, err
	}
	sql := "SELECT COUNT(*) FROM " + o.Table
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	var n int
	if err := t.queryRow(ctx, sql, b.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", o.Plural, err)
	}
	return n, nil
}

// column returns the SQL expression for a field: its column, or a read of the custom JSON.
func (t *Tx) column(f records.Field) string {
	if f.Custom {
		return t.d.CustomExpr(f.Name, f.Type)
	}
	return f.Name
}

type builder struct {
	t    *Tx
	args []any
}

func (b *builder) add(v any) string {
	b.args = append(b.args, v)
	return fmt.Sprintf("$%d", len(b.args))
}

func (b *builder) value(f records.Field, v any) string {
	if tm, ok := v.(time.Time); ok {
		if f.Custom {
			return b.add(tm.UTC().Format(records.TimeLayout))
		}
		return b.add(b.t.d.TimeArg(tm))
	}
	return b.add(v)
}

var sqlOps = map[Op]string{Eq: "=", Ne: "<>", Gt: ">", Gte: ">=", Lt: "<", Lte: "<="}

func (b *builder) compare(col string, f records.Field, op Op, v any) string {
	if op == In {
		list, _ := v.([]any)
		if len(list) == 0 {
			return "1 = 0"
		}
		ps := make([]string, len(list))
		for i, x := range list {
			ps[i] = b.value(f, x)
		}
		return fmt.Sprintf("%s IN (%s)", col, strings.Join(ps, ", "))
	}
	if v == nil {
		if op == Ne {
			return col + " IS NOT NULL"
		}
		return col + " IS NULL"
	}
	if op == Ne {
		return fmt.Sprintf("(%s IS NULL OR %s <> %s)", col, col, b.value(f, v))
	}
	return fmt.Sprintf("%s %s %s", col, sqlOps[op], b.value(f, v))
}

// keyset continues after p in the order (col IS NULL), col, id — ascending or descending.
func (b *builder) keyset(col string, f records.Field, desc bool, p *Position) string {
	id := b.add(p.ID)
	cmp, idCmp := ">", ">"
	if desc {
		cmp, idCmp = "<", "<"
	}
	if p.Value == nil {
		if desc { // NULLs came first; the rest are the remaining NULLs, then every non-NULL
			return fmt.Sprintf("((%s IS NULL AND id %s %s) OR %s IS NOT NULL)", col, idCmp, id, col)
		}
		return fmt.Sprintf("(%s IS NULL AND id %s %s)", col, idCmp, id)
	}
	v := b.value(f, p.Value)
	tail := fmt.Sprintf("(%s IS NOT NULL AND (%s %s %s OR (%s = %s AND id %s %s)))", col, col, cmp, v, col, v, idCmp, id)
	if desc {
		return tail
	}
	return fmt.Sprintf("(%s OR %s IS NULL)", tail, col)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
