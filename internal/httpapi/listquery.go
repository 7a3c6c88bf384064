package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

var listOps = map[string]store.Op{"eq": store.Eq, "ne": store.Ne, "gt": store.Gt, "gte": store.Gte, "lt": store.Lt, "lte": store.Lte}

// parseList reads list parameters: limit, cursor, sort (field or -field), q (text search), owner
// (a user id or "me") and filters "field=value" or "field[op]=value" with op one of eq, ne, gt, gte,
// lt, lte. An empty value matches records where the field is empty. Unknown parameters are errors.
func parseList(o *records.Object, v url.Values, actor auth.Actor) (store.ListQuery, *Problem) {
	q := store.ListQuery{Sort: "created_at", Desc: true}
	var errs []records.FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, records.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	var p *Problem
	if q.Limit, p = parseLimit(v.Get("limit")); p != nil {
		return q, p
	}
	if s := v.Get("sort"); s != "" {
		name := strings.TrimPrefix(s, "-")
		if f, ok := o.Field(name); !ok || f.Type == records.JSON || f.Type == records.Text {
			bad("sort", "%q is not a sortable field of %s", name, o.Name)
		}
		q.Sort, q.Desc = name, strings.HasPrefix(s, "-")
	}
	q.Search = strings.TrimSpace(v.Get("q"))
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		switch key {
		case "limit", "sort", "q", "cursor":
			continue
		}
		name, op := key, "eq"
		if i := strings.IndexByte(key, '['); i > 0 && strings.HasSuffix(key, "]") {
			name, op = key[:i], key[i+1:len(key)-1]
		}
		value := v.Get(key)
		if name == "owner" && o.Owned() {
			name = "owner_id"
			if value == "me" {
				value = actor.UserID
			}
		}
		f, ok := o.Field(name)
		sop, okOp := listOps[op]
		switch {
		case !ok:
			bad(key, "unknown parameter: not a field of %s", o.Name)
			continue
		case !okOp:
			bad(key, "unknown operator %q (eq, ne, gt, gte, lt, lte)", op)
			continue
		case f.Type == records.JSON:
			bad(key, "%s cannot be filtered", name)
			continue
		}
		val, msg := records.CoerceString(f, value)
		if f.Type == records.Phone && val != nil {
			if val, msg = normalizePhoneFilter(value); msg != "" {
				bad(key, "%s", msg)
				continue
			}
		}
		if msg != "" {
			bad(key, "%s", msg)
			continue
		}
		q.Filters = append(q.Filters, store.Filter{Field: name, Op: sop, Value: val})
	}
	if c := v.Get("cursor"); c != "" {
		pos, msg := decodeCursor(o, q, c)
		if msg != "" {
			bad("cursor", "%s", msg)
		}
		q.After = pos
	}
	if len(errs) > 0 {
		return q, problem(http.StatusBadRequest, "invalid-query", "the list parameters are invalid", errs...)
	}
	return q, nil
}

func normalizePhoneFilter(s string) (any, string) {
	p, err := records.NormalizePhone(s, "")
	if err != nil {
		return nil, err.Error()
	}
	return p, ""
}

type cursor struct {
	Sort  string `json:"s"`
	Value any    `json:"v"`
	ID    string `json:"id"`
}

func sortSpec(q store.ListQuery) string {
	if q.Desc {
		return "-" + q.Sort
	}
	return q.Sort
}

func encodeCursor(q store.ListQuery, p *store.Position) string {
	if p == nil {
		return ""
	}
	v := p.Value
	if t, ok := v.(time.Time); ok {
		v = t.UTC().Format(records.TimeLayout)
	}
	b, _ := json.Marshal(cursor{Sort: sortSpec(q), Value: v, ID: p.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(o *records.Object, q store.ListQuery, s string) (*store.Position, string) {
	const msg = "is not a cursor this server issued; pass next_cursor from the previous page unchanged"
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, msg
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID == "" {
		return nil, msg
	}
	if c.Sort != sortSpec(q) {
		return nil, fmt.Sprintf("was issued for sort=%s; keep the same sort while paging", c.Sort)
	}
	f, _ := o.Field(q.Sort)
	var val any
	switch x := c.Value.(type) {
	case nil:
	case string:
		if val, _ = records.CoerceString(f, x); val == nil && f.Type != records.String {
			return nil, msg
		}
		if f.Type == records.String || f.Type == records.Ref || f.Type == records.Email || f.Type == records.Phone {
			val = x
		}
	case float64, bool:
		val = x
	default:
		return nil, msg
	}
	return &store.Position{Value: val, ID: c.ID}, ""
}
