package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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
// parseList reads the common list parameters. scope is what else selects the list (the task list's
// own parameters), so that a cursor is bound to it too.
func parseList(o *records.Object, raw, scope string, actor auth.Actor) (store.ListQuery, *Problem) {
	q := store.ListQuery{Sort: "created_at", Desc: true}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return q, fieldProblem(http.StatusBadRequest, "query", "is not a valid query string: "+err.Error())
	}
	for key, vals := range v {
		if len(vals) > 1 {
			return q, fieldProblem(http.StatusBadRequest, key, "is given more than once")
		}
	}
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
				if actor.UserID == "" {
					bad(key, "me means the token's user, and this token has none")
					continue
				}
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
		pos, msg := decodeCursor(o, q, fingerprint(o, v, scope), c)
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
	Sort   string `json:"s"`
	Value  any    `json:"v"`
	ID     string `json:"id"`
	Object string `json:"o"`
	Query  string `json:"q"` // fingerprint of the filters and search the page was made with
}

func sortSpec(q store.ListQuery) string {
	if q.Desc {
		return "-" + q.Sort
	}
	return q.Sort
}

// fingerprint identifies a list's filters and search, so a cursor cannot be replayed on another list.
func fingerprint(o *records.Object, v url.Values, scope string) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		if k != "cursor" && k != "limit" && k != "sort" { // a changed sort has its own message
			keys = append(keys, k+"="+v.Get(k))
		}
	}
	sort.Strings(keys)
	sum := sha256.Sum256([]byte(o.Name + "?" + strings.Join(keys, "&") + "#" + scope))
	return hex.EncodeToString(sum[:8])
}

func encodeCursor(o *records.Object, q store.ListQuery, v url.Values, scope string, p *store.Position) string {
	if p == nil {
		return ""
	}
	val := p.Value
	if t, ok := val.(time.Time); ok {
		val = t.UTC().Format(records.TimeLayout)
	}
	b, _ := json.Marshal(cursor{Sort: sortSpec(q), Value: val, ID: p.ID, Object: o.Name, Query: fingerprint(o, v, scope)})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor accepts only a cursor this server issued for this very list: same object, filters and
// sort, with a value of the sort field's type.
func decodeCursor(o *records.Object, q store.ListQuery, fp, s string) (*store.Position, string) {
	const msg = "is not a cursor this server issued for this list; pass next_cursor from the previous page unchanged"
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, msg
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID == "" || c.Object != o.Name || c.Query != fp {
		return nil, msg
	}
	if c.Sort != sortSpec(q) {
		return nil, fmt.Sprintf("was issued for sort=%s; keep the same sort while paging", c.Sort)
	}
	f, _ := o.Field(q.Sort)
	val, ok := cursorValue(f, c.Value)
	if !ok {
		return nil, msg
	}
	return &store.Position{Value: val, ID: c.ID}, ""
}

// cursorValue checks a cursor's value against the sort field's type.
func cursorValue(f records.Field, v any) (any, bool) {
	if v == nil {
		return nil, true
	}
	switch f.Type {
	case records.Number:
		x, ok := v.(float64)
		return x, ok
	case records.Bool:
		x, ok := v.(bool)
		return x, ok
	case records.DateTime:
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		return t.UTC(), err == nil
	}
	s, ok := v.(string)
	return s, ok
}
