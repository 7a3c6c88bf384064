package web

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// kind says how the UI shows one record type: the list's columns, the facts on its page, and the enum
// its list filters on.
type kind struct {
	Type, Plural, Title string
	Columns, Facts      []string
	Filter              string
	Options             []string
	Empty               string
}

var kinds = map[string]kind{
	"leads": {Type: "lead", Plural: "leads", Title: "Leads", Filter: "status", Options: records.LeadStatuses,
		Columns: []string{"company", "status", "score", "owner_id", "source", "created_at"},
		Facts: []string{"email", "phone", "title", "company", "website", "industry", "employees", "country", "timezone", "source",
			"status", "owner_id", "routing_queue", "matched_account_id", "matched_account_confidence", "created_at"},
		Empty: "No leads match. New leads arrive through forms, the API (POST /api/v1/leads) or salesflow import."},
	"contacts": {Type: "contact", Plural: "contacts", Title: "Contacts",
		Columns: []string{"email", "title", "account_id", "owner_id", "created_at"},
		Facts:   []string{"email", "phone", "title", "account_id", "owner_id", "country", "timezone", "created_at"},
		Empty:   "No contacts match. Converting a qualified lead makes its contact."},
	"accounts": {Type: "account", Plural: "accounts", Title: "Accounts",
		Columns: []string{"domain", "industry", "employees", "country", "owner_id"},
		Facts:   []string{"domain", "website", "industry", "employees", "annual_revenue", "country", "phone", "owner_id", "created_at"},
		Empty:   "No accounts match. Accounts come from converted leads, the API or salesflow import."},
	"deals": {Type: "deal", Plural: "deals", Title: "Deals",
		Columns: []string{"stage", "amount", "account_id", "owner_id", "close_date"},
		Facts:   []string{"stage", "amount", "currency", "close_date", "account_id", "contact_id", "owner_id", "created_at"},
		Empty:   "No deals match. Converting a qualified lead opens its deal."},
}

// cell is one shown value: plain text, a link to another record, or a time shown in the viewer's zone.
type cell struct{ Text, Href, Time string }

type recordRow struct {
	ID, Name string
	Cells    []cell
}

type scoreLine struct{ Rule, Note, Points string }

type traceView struct {
	Summary, Ruleset, At string
	Candidates           []string
	ChosenID             string // whom the trace chose, to tell when the owner was changed since
}

type timelineRow struct{ At, Kind, Summary string }

type related struct {
	Title string
	Rows  []recordRow
	Kind  kind
}

type recordView struct {
	Kind         kind
	Row          recordRow
	Badge, Score string
	Facts        []fact
	Lines        []scoreLine
	Trace        *traceView
	Related      []related
	Timeline     []timelineRow
	Older        string // the timeline's next page, older items; "" at the end
	HasOwner     bool
	OwnerNow     string // set when the owner changed after the latest routing decision
}

type fact struct {
	Name  string
	Value cell
}

// names resolves referenced records to names once per page.
type names struct {
	u     *UI
	ctx   context.Context
	cache map[string]string
}

func (n *names) of(typ, id string) string {
	key := typ + "/" + id
	if v, ok := n.cache[key]; ok {
		return v
	}
	v := id
	if rec, err := n.u.svc.Get(n.ctx, typ, id); err == nil {
		v = label(rec)
	}
	n.cache[key] = v
	return v
}

// label names a record the way a person would.
func label(v records.Values) string {
	if s := strings.TrimSpace(v.String("first_name") + " " + v.String("last_name")); s != "" {
		return s
	}
	for _, k := range []string{"name", "email", "title"} {
		if s := v.String(k); s != "" {
			return s
		}
	}
	return v.ID()
}

func (n *names) cell(field string, v any) cell {
	switch x := v.(type) {
	case nil:
		return cell{}
	case time.Time:
		return cell{Time: x.UTC().Format(time.RFC3339)}
	case string:
		switch field {
		case "owner_id":
			return cell{Text: n.of("user", x)}
		case "account_id", "matched_account_id":
			return cell{Text: n.of("account", x), Href: "/accounts/" + x}
		case "contact_id":
			return cell{Text: n.of("contact", x), Href: "/contacts/" + x}
		}
		return cell{Text: x}
	case float64:
		return cell{Text: number(x)}
	}
	return cell{Text: fmt.Sprint(v)}
}

// number writes a number for people: thousands grouped, no exponent, at most two decimals.
func number(f float64) string {
	s := strconv.FormatFloat(math.Abs(f), 'f', -1, 64)
	if _, frac, _ := strings.Cut(s, "."); len(frac) > 2 {
		s = strings.TrimRight(strings.TrimRight(strconv.FormatFloat(math.Abs(f), 'f', 2, 64), "0"), ".")
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if f < 0 {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// money adds a deal's currency to its amount.
func money(c cell, v records.Values) cell {
	if cur := v.String("currency"); c.Text != "" && cur != "" {
		c.Text += " " + cur
	}
	return c
}

func (n *names) row(k kind, v records.Values) recordRow {
	r := recordRow{ID: v.ID(), Name: label(v)}
	for _, c := range k.Columns {
		val := v[c]
		if c == "score" && v.String("score_grade") != "" {
			val = fmt.Sprint(v["score"]) + " " + v.String("score_grade")
		}
		cl := n.cell(c, val)
		if c == "amount" {
			cl = money(cl, v)
		}
		r.Cells = append(r.Cells, cl)
	}
	return r
}

// header names a field for people: owner_id is "owner", close_date "close date".
func header(field string) string { return human(strings.TrimSuffix(field, "_id")) }

func headers(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = header(f)
	}
	return out
}

// list is a record list with search and, where the type has one, an enum filter; newest first.
func (u *UI) list(k kind) page {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) {
		q := r.URL.Query()
		lq := store.ListQuery{Search: strings.TrimSpace(q.Get("q")), Sort: "created_at", Desc: true, Limit: 100}
		if s := q.Get(k.Filter); k.Filter != "" && s != "" {
			lq.Filters = append(lq.Filters, store.Filter{Field: k.Filter, Op: store.Eq, Value: s})
		}
		if q.Get("mine") == "1" && a.UserID != "" {
			lq.Filters = append(lq.Filters, store.Filter{Field: "owner_id", Op: store.Eq, Value: a.UserID})
		}
		lq.After = pageFrom(q.Get("before"))
		recs, next, err := u.svc.List(r.Context(), k.Type, lq)
		if err != nil {
			u.fail(w, r, a, err)
			return
		}
		n := &names{u: u, ctx: r.Context(), cache: map[string]string{}}
		rows := make([]recordRow, 0, len(recs))
		for _, v := range recs {
			rows = append(rows, n.row(k, v))
		}
		lp := listView{Kind: k, Heads: headers(k.Columns), Q: q.Get("q"), Filter: q.Get(k.Filter), Mine: q.Get("mine") == "1", Rows: rows,
			Filtered: q.Get("q") != "" || q.Get(k.Filter) != "" || q.Get("mine") == "1" || lq.After != nil}
		if lp.Paged = lq.After != nil; lp.Paged {
			first := url.Values{}
			for key, vs := range q {
				if key != "before" {
					first[key] = vs
				}
			}
			lp.Newest = "/" + k.Plural + "?" + first.Encode()
		}
		if next != nil {
			older := url.Values{}
			for key, vs := range q {
				older[key] = vs
			}
			at, _ := next.Value.(time.Time)
			older.Set("before", at.UTC().Format(time.RFC3339Nano)+"_"+next.ID)
			lp.Older = "/" + k.Plural + "?" + older.Encode()
		}
		u.render(w, r, http.StatusOK, k.Title, u.who(r.Context(), a), listPage(lp))
	}
}

// listView is one page of a record list with its filters.
type listView struct {
	Kind                     kind
	Heads                    []string
	Q, Filter, Older, Newest string
	Mine, Filtered, Paged    bool
	Rows                     []recordRow
}

// pageFrom reads a list page's start ("created_at_id", newest first); anything else starts at the top.
func pageFrom(before string) *store.Position {
	at, id, ok := strings.Cut(before, "_")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" {
		return nil
	}
	return &store.Position{Value: t, ID: id}
}

// record is one record's page: key facts, its score's breakdown, why it has its owner, what hangs off
// it, and its timeline.
func (u *UI) record(k kind) page {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) {
		ctx, id := r.Context(), r.PathValue("id")
		v, err := u.svc.Get(ctx, k.Type, id)
		if err != nil {
			u.fail(w, r, a, err)
			return
		}
		n := &names{u: u, ctx: ctx, cache: map[string]string{}}
		view := recordView{Kind: k, Row: recordRow{ID: id, Name: label(v)}, Badge: v.String("status") + v.String("stage")}
		for _, f := range k.Facts {
			if c := n.cell(f, v[f]); c != (cell{}) {
				if f == "amount" {
					c = money(c, v)
				}
				view.Facts = append(view.Facts, fact{Name: header(f), Value: c})
			}
		}
		if k.Type == "lead" {
			view.Score = strings.TrimSpace(fmt.Sprint(v["score"]) + " " + v.String("score_grade"))
			view.Lines = scoreLines(v["score_breakdown"])
		}
		view.HasOwner = v.String("owner_id") != ""
		if view.Trace, err = u.trace(ctx, k.Type, id); err != nil {
			u.fail(w, r, a, err)
			return
		}
		if owner := v.String("owner_id"); view.Trace != nil && owner != view.Trace.ChosenID {
			view.OwnerNow = "nobody"
			if owner != "" {
				view.OwnerNow = n.of("user", owner)
			}
		}
		if view.Related, err = u.related(ctx, n, k.Type, id); err != nil {
			u.fail(w, r, a, err)
			return
		}
		items, next, err := u.svc.Timeline(ctx, k.Type, id, 100, r.URL.Query().Get("before"))
		if errors.Is(err, crm.ErrBadCursor) {
			http.Redirect(w, r, r.URL.Path, http.StatusSeeOther) // a stale or mangled link: start from the newest
			return
		}
		if err != nil {
			u.fail(w, r, a, err)
			return
		}
		view.Older = next
		o, _ := u.svc.Catalog().Get(k.Type)
		for _, it := range items {
			summary := it.Summary
			if ch, ok := it.Data["changes"].(map[string]records.Change); ok && it.Kind == "updated" && o != nil {
				summary = n.changes(o, ch)
			}
			view.Timeline = append(view.Timeline, timelineRow{At: it.At.UTC().Format(time.RFC3339), Kind: it.Kind, Summary: summary})
		}
		u.render(w, r, http.StatusOK, view.Row.Name, u.who(ctx, a), recordPage(view))
	}
}

// changes says what an update changed in a person's words: people and records by name, times as
// times, structured values (a score's breakdown, enrichment) as "updated" rather than their insides.
func (n *names) changes(o *records.Object, ch map[string]records.Change) string {
	keys := slices.Sorted(maps.Keys(ch))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		f, _ := o.Field(k)
		if f.Type == records.JSON || k == "updated_at" {
			if k != "updated_at" {
				parts = append(parts, human(k)+" updated")
			}
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %s → %s", header(k), n.value(f, ch[k].Old), n.value(f, ch[k].New)))
	}
	return strings.Join(parts, "; ")
}

func (n *names) value(f records.Field, v any) string {
	switch x := v.(type) {
	case nil:
		return "∅"
	case string:
		if f.Type == records.Ref && f.Ref != "" && x != "" {
			return n.of(f.Ref, x)
		}
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil && f.Type == records.DateTime {
			return t.UTC().Format("2006-01-02 15:04 UTC")
		}
		return x
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04 UTC")
	case float64:
		return number(x)
	}
	return fmt.Sprint(v)
}

func scoreLines(bd any) []scoreLine {
	m, _ := bd.(map[string]any)
	var lines []scoreLine
	for _, raw := range asAny(m["lines"]) {
		l, _ := raw.(map[string]any)
		lines = append(lines, scoreLine{Rule: fmt.Sprint(l["rule"]), Note: text(l["note"]), Points: fmt.Sprint(l["points"])})
	}
	return lines
}

// trace is the latest assignment's "why this owner".
func (u *UI) trace(ctx context.Context, typ, id string) (*traceView, error) {
	as, err := u.eng.Assignments(ctx, typ, id)
	if err != nil || len(as) == 0 {
		return nil, err
	}
	t := as[0].Trace
	tv := &traceView{Summary: text(t["summary"]), Ruleset: as[0].Ruleset, At: as[0].At.UTC().Format(time.RFC3339), ChosenID: as[0].UserID}
	for _, raw := range asAny(t["candidates"]) {
		c, _ := raw.(map[string]any)
		state := "available"
		if s := text(c["skipped"]); s != "" {
			state = "skipped: " + s
		}
		tv.Candidates = append(tv.Candidates, text(c["name"])+" — "+state)
	}
	return tv, nil
}

// related lists an account's contacts and deals, and a contact's deals.
func (u *UI) related(ctx context.Context, n *names, typ, id string) ([]related, error) {
	var want []string
	switch typ {
	case "account":
		want = []string{"contacts", "deals"}
	case "contact":
		want = []string{"deals"}
	}
	var out []related
	for _, plural := range want {
		k := kinds[plural]
		recs, _, err := u.svc.List(ctx, k.Type, store.ListQuery{Sort: "created_at", Desc: true, Limit: 50,
			Filters: []store.Filter{{Field: typ + "_id", Op: store.Eq, Value: id}}})
		if err != nil {
			return nil, fmt.Errorf("list %s of %s %s: %w", plural, typ, id, err)
		}
		k.Columns = slices.DeleteFunc(slices.Clone(k.Columns), func(c string) bool { return c == typ+"_id" }) // it is this record
		rel := related{Title: k.Title, Kind: k}
		for _, v := range recs {
			rel.Rows = append(rel.Rows, n.row(k, v))
		}
		out = append(out, rel)
	}
	return out, nil
}

func asAny(v any) []any { l, _ := v.([]any); return l }
