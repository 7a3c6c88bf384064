package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/records"
)

// Insert writes a new record. rec must hold id, created_at and updated_at.
func (t *Tx) Insert(ctx context.Context, o *records.Object, rec records.Values) error {
	cols := o.Columns()
	names := make([]string, 0, len(cols)+1)
	args := make([]any, 0, len(cols)+1)
	for _, f := range cols {
		names = append(names, f.Name)
		a, err := t.arg(f, rec[f.Name])
		if err != nil {
			return err
		}
		args = append(args, a)
	}
	custom, err := customJSON(o, rec)
	if err != nil {
		return err
	}
	names = append(names, "custom")
	args = append(args, custom)
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", o.Table, strings.Join(names, ", "), placeholders(1, len(args)))
	if _, err := t.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("insert %s: %w", o.Name, err)
	}
	t.wroteRow(o, rec.ID())
	return nil
}

// UpdateChanged writes only the fields of rec named in changed, and updated_at: a write of one field
// neither rewrites nor re-indexes the others. rec is the whole record after the change (custom fields
// share one column, so a changed custom field writes them all).
func (t *Tx) UpdateChanged(ctx context.Context, o *records.Object, rec records.Values, changed map[string]records.Change) error {
	var q strings.Builder
	args := make([]any, 0, len(changed)+3)
	custom := false
	q.WriteString("UPDATE ")
	q.WriteString(o.Table)
	q.WriteString(" SET ")
	for i := range o.Fields {
		f := &o.Fields[i] // not a copy per field: every update runs this
		if _, ok := changed[f.Name]; !ok && f.Name != "updated_at" {
			continue
		}
		if f.Custom {
			custom = true
			continue
		}
		if f.Name == "id" || f.Name == "created_at" {
			continue
		}
		a, err := t.arg(*f, rec[f.Name])
		if err != nil {
			return err
		}
		args = append(args, a)
		if len(args) > 1 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "%s = $%d", f.Name, len(args))
	}
	if custom {
		c, err := customJSON(o, rec)
		if err != nil {
			return err
		}
		args = append(args, c)
		if len(args) > 1 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "custom = $%d", len(args))
	}
	if len(args) == 0 {
		return nil
	}
	args = append(args, rec.ID())
	fmt.Fprintf(&q, " WHERE id = $%d", len(args))
	t.forgetRow(o, rec.ID())
	res, err := t.exec(ctx, q.String(), args...)
	if err != nil {
		return fmt.Errorf("update %s %s: %w", o.Name, rec.ID(), err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update %s %s: %w", o.Name, rec.ID(), records.ErrNotFound)
	}
	t.wroteRow(o, rec.ID())
	return nil
}

// Delete removes the record with id.
func (t *Tx) Delete(ctx context.Context, o *records.Object, id string) error {
	res, err := t.exec(ctx, fmt.Sprintf("DELETE FROM %s WHERE id = $1", o.Table), id)
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", o.Name, id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete %s %s: %w", o.Name, id, records.ErrNotFound)
	}
	return nil
}

// Get reads one record; records.ErrNotFound when there is none.
func (t *Tx) Get(ctx context.Context, o *records.Object, id string) (records.Values, error) {
	return t.GetBy(ctx, o, "id", id)
}

// GetBy reads the first record whose built-in column field equals value (dedupe looks up by email).
func (t *Tx) GetBy(ctx context.Context, o *records.Object, field string, value any) (records.Values, error) {
	return t.getBy(ctx, o, field, value, "")
}

// GetForUpdate reads a record and locks it until the transaction ends, so that a read-modify-write
// cannot lose a concurrent change. (SQLite's single writer already serialises writes.)
func (t *Tx) GetForUpdate(ctx context.Context, o *records.Object, field string, value any) (records.Values, error) {
	return t.getBy(ctx, o, field, value, t.d.ForUpdate)
}

func (t *Tx) getBy(ctx context.Context, o *records.Object, field string, value any, lock string) (records.Values, error) {
	if f, ok := o.Field(field); !ok || f.Custom {
		return nil, fmt.Errorf("%s has no built-in field %q", o.Name, field)
	}
	id, byID := value.(string)
	byID = byID && field == "id" && lock == ""
	if byID {
		if rec, ok := t.cached(o, id); ok {
			return rec, nil
		}
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s = $1 ORDER BY id LIMIT 1%s", selectList(o), o.Table, field, lock)
	rows, err := t.query(ctx, q, value)
	if err != nil {
		return nil, fmt.Errorf("get %s by %s: %w", o.Name, field, err)
	}
	recs, err := scanRecords(o, rows)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s with %s %v: %w", o.Name, field, value, records.ErrNotFound)
	}
	if byID {
		t.remember(o, recs[0])
	}
	return recs[0], nil
}

// Exists reports whether a record of o with id exists.
func (t *Tx) Exists(ctx context.Context, o *records.Object, id string) (bool, error) {
	if t.known(o, id) {
		return true, nil
	}
	var one int
	err := t.queryRow(ctx, fmt.Sprintf("SELECT 1 FROM %s WHERE id = $1", o.Table), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func selectList(o *records.Object) string {
	cols := o.Columns()
	names := make([]string, 0, len(cols)+1)
	for _, f := range cols {
		names = append(names, f.Name)
	}
	return strings.Join(append(names, "custom"), ", ")
}

// inList returns the placeholders ($from onwards) and arguments of an IN list of keys, padded with its
// last key to the next power of two. A list's length is part of the statement's text, and each text is
// prepared and cached on its own: padded, every batch size from 1 to 1,024 shares one of 11 texts instead of
// needing its own, prepared anew the first time it is seen. A repeated key changes nothing in an IN list;
// it would in a VALUES list (an upsert may not touch a row twice), so this is for IN lists only. An empty
// list gives NULL, which matches nothing.
func inList[K any](from int, keys []K) (string, []any) {
	if len(keys) == 0 {
		return "NULL", nil
	}
	n := 1
	for n < len(keys) {
		n *= 2
	}
	args := make([]any, n)
	for i := range args {
		args[i] = keys[min(i, len(keys)-1)]
	}
	return placeholders(from, n), args
}

func placeholders(from, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = "$" + strconv.Itoa(from+i)
	}
	return strings.Join(p, ", ")
}

func scanRecords(o *records.Object, rows *sql.Rows) ([]records.Values, error) {
	defer rows.Close()
	cols := o.Columns()
	var out []records.Values
	for rows.Next() {
		raw := make([]any, len(cols)+1)
		ptrs := make([]any, len(raw))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("scan %s: %w", o.Name, err)
		}
		rec := records.Values{}
		for i, f := range cols {
			v, err := fromDB(f, raw[i])
			if err != nil {
				return nil, fmt.Errorf("read %s.%s: %w", o.Name, f.Name, err)
			}
			rec[f.Name] = v
		}
		if err := readCustom(o, raw[len(cols)], rec); err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

// arg converts a canonical value to a query argument for field f's column.
func (t *Tx) arg(f records.Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch f.Type {
	case records.DateTime:
		tm, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("field %s: want a time, have %T", f.Name, v)
		}
		return t.d.TimeArg(tm), nil
	case records.JSON:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		return string(b), nil
	}
	return v, nil
}

// fromDB converts what either driver returns for a column to field f's canonical type.
func fromDB(f records.Field, v any) (any, error) {
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	if v == nil {
		return nil, nil
	}
	switch f.Type {
	case records.DateTime:
		switch x := v.(type) {
		case time.Time:
			return x.UTC(), nil
		case string:
			tm, err := time.Parse(time.RFC3339Nano, x)
			return tm.UTC(), err
		}
	case records.Number:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case string:
			return strconv.ParseFloat(x, 64)
		}
	case records.Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		}
	case records.JSON:
		if s, ok := v.(string); ok {
			var out any
			err := json.Unmarshal([]byte(s), &out)
			return out, err
		}
		return v, nil
	default:
		if s, ok := v.(string); ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("unexpected %T for %s", v, f.Type)
}

func customJSON(o *records.Object, rec records.Values) (string, error) {
	m := map[string]any{}
	for _, f := range o.Fields {
		if !f.Custom || rec[f.Name] == nil {
			continue
		}
		v := rec[f.Name]
		if tm, ok := v.(time.Time); ok {
			v = tm.UTC().Format(records.TimeLayout)
		}
		m[f.Name] = v
	}
	b, err := json.Marshal(m)
	return string(b), err
}

func readCustom(o *records.Object, raw any, rec records.Values) error {
	m := map[string]any{}
	switch x := raw.(type) {
	case []byte:
		if err := json.Unmarshal(x, &m); err != nil {
			return fmt.Errorf("read %s custom fields: %w", o.Name, err)
		}
	case string:
		if err := json.Unmarshal([]byte(x), &m); err != nil {
			return fmt.Errorf("read %s custom fields: %w", o.Name, err)
		}
	case map[string]any:
		m = x
	}
	for _, f := range o.Fields {
		if !f.Custom {
			continue
		}
		v, err := fromDB(f, m[f.Name])
		if err != nil {
			return fmt.Errorf("read %s.%s: %w", o.Name, f.Name, err)
		}
		rec[f.Name] = v
	}
	return nil
}

// Backdate sets when a record was created, and the time of its created event, to at: for history
// brought in from elsewhere (the demo's leads arrived weeks ago), so that measures from creation
// (speed to lead) read true.
func (t *Tx) Backdate(ctx context.Context, o *records.Object, id string, at time.Time) error {
	t.forgetRow(o, id)
	if _, err := t.exec(ctx, fmt.Sprintf("UPDATE %s SET created_at = $1 WHERE id = $2", o.Table), t.d.TimeArg(at), id); err != nil {
		return fmt.Errorf("backdate %s %s: %w", o.Name, id, err)
	}
	if _, err := t.exec(ctx, `UPDATE events SET occurred_at = $1 WHERE record_type = $2 AND record_id = $3 AND kind = 'created'`, t.d.TimeArg(at), o.Name, id); err != nil {
		return fmt.Errorf("backdate the created event of %s %s: %w", o.Name, id, err)
	}
	return nil
}
