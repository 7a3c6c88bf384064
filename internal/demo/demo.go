// Package demo seeds a believable demo organisation — teams of SDRs, AEs and CSMs, accounts with
// contacts, leads in every state, deals across two pipelines, a history of activities and an inbox of
// tasks — so that `salesflow serve --demo` shows something worth clicking on. Everything is written
// through the crm service, so each record is validated, normalised and gets its `created` event like
// any other write, and in one transaction, so a crash mid-seed leaves nothing behind. The content is
// deterministic (a fixed PCG seed); only the times move with the clock.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// Summary says what Seed wrote.
type Summary struct {
	Seeded bool // false when the database was not empty and nothing was written
	// How many records of each object Seed created.
	Users, Teams, Accounts, Contacts, Leads, Deals, Activities, Tasks int
	Companies                                                         int // entries in the enrichment directory
}

// Domain is the demo company's own mail domain: its users' addresses end in it.
const Domain = "northwind-demo.com"

// Seed writes a believable demo organisation when the database has no users yet; otherwise it does
// nothing (Seeded false). A database that has teams or pipelines but no users counts as set up too:
// the demo's team and pipeline names would clash with them, and its data would be a surprise there.
func Seed(ctx context.Context, svc *crm.Service) (Summary, error) {
	var sum Summary
	err := svc.Store().Write(ctx, func(tx *store.Tx) error {
		empty, err := isEmpty(ctx, svc, tx)
		if err != nil || !empty {
			return err
		}
		s := &seeder{
			ctx: ctx, tx: tx, svc: svc,
			actor:  auth.Actor{Kind: auth.KindSystem, ID: "demo", Role: auth.Admin},
			rng:    rand.New(rand.NewPCG(20260131, 42)),
			now:    svc.Now().UTC().Truncate(time.Second),
			emails: map[string]bool{},
			bases:  map[string]bool{},
			phones: map[string]bool{},
			zones:  map[string]*time.Location{},
		}
		if err := s.run(); err != nil {
			return err
		}
		sum = s.sum
		sum.Seeded = true
		return nil
	})
	if err != nil {
		return Summary{}, fmt.Errorf("demo seed: %w", err)
	}
	return sum, nil
}

func isEmpty(ctx context.Context, svc *crm.Service, tx *store.Tx) (bool, error) {
	for _, name := range []string{"user", "team", "pipeline"} {
		o, _ := svc.Catalog().Get(name)
		n, err := tx.Count(ctx, o)
		if err != nil {
			return false, fmt.Errorf("count %s: %w", o.Plural, err)
		}
		if n > 0 {
			return false, nil
		}
	}
	return true, nil
}

// seeder carries the transaction, the random source and what has been written so far.
type seeder struct {
	ctx   context.Context
	tx    *store.Tx
	svc   *crm.Service
	actor auth.Actor
	rng   *rand.Rand
	now   time.Time
	sum   Summary

	emails map[string]bool // every address handed out, so that none repeats
	bases  map[string]bool // company name stems in use, so that domains stay unique
	made   []company       // every company invented, for the enrichment directory
	phones map[string]bool
	zones  map[string]*time.Location

	newBusiness, renewals *pipeline
	users                 []*user
	accounts              []*account
	leads                 []*lead
	deals                 []*deal
}

func (s *seeder) run() error {
	steps := []func() error{s.seedPipelines, s.seedPeople, s.seedAccounts, s.seedLeads, s.seedDeals,
		s.seedLeadHistory, s.seedDealHistory, s.seedTasks, s.seedDepartures, s.seedDirectory}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// create writes one record through the service; what names the record in an error.
func (s *seeder) create(object, what string, in map[string]any) (records.Values, error) {
	r, err := s.svc.CreateTx(s.ctx, s.tx, s.actor, object, in)
	if err != nil {
		return nil, fmt.Errorf("create %s %s: %w", object, what, err)
	}
	return r.Record, nil
}

// object is a built-in object's description.
func (s *seeder) object(name string) *records.Object {
	o, _ := s.svc.Catalog().Get(name)
	return o
}

func (s *seeder) update(object, id string, patch map[string]any) error {
	if _, err := s.svc.UpdateTx(s.ctx, s.tx, s.actor, object, id, patch); err != nil {
		return fmt.Errorf("update %s %s: %w", object, id, err)
	}
	return nil
}

// Random helpers.

// isolated runs fn with a random source of its own, split off the main one by two draws. Histories
// and due dates depend on the clock (a meeting booked for later has not happened yet, a working day
// may start tomorrow), so their number of draws varies; isolating each record keeps every later
// record identical whatever the time of day.
func (s *seeder) isolated(fn func() error) error {
	parent := s.rng
	s.rng = rand.New(rand.NewPCG(parent.Uint64(), parent.Uint64()))
	defer func() { s.rng = parent }()
	return fn()
}

type weighted[T any] struct {
	v T
	w int
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func pickW[T any](r *rand.Rand, xs []weighted[T]) T {
	total := 0
	for _, x := range xs {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range xs {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return xs[len(xs)-1].v
}

// between returns a uniform integer in [lo, hi].
func (s *seeder) between(lo, hi int) int { return lo + s.rng.IntN(hi-lo+1) }

func (s *seeder) chance(p float64) bool { return s.rng.Float64() < p }

// Time helpers: datetimes go in as RFC 3339 strings and dates as YYYY-MM-DD, as a JSON client sends them.

func stamp(t time.Time) string { return t.UTC().Format(records.TimeLayout) }

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func (s *seeder) location(tz string) *time.Location {
	if loc, ok := s.zones[tz]; ok {
		return loc
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	s.zones[tz] = loc
	return loc
}

// workTime moves t forward into working hours in tz (weekdays, 08:00–18:00), so that reps call and
// email during their day while forms arrive around the clock. A time outside them moves to a random
// moment of the next working day (of the same day, when it is early morning).
func (s *seeder) workTime(t time.Time, tz string) time.Time {
	lt := t.In(s.location(tz))
	during := func(d time.Time) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, d.Location()).Add(time.Duration(s.between(0, 599)) * time.Minute)
	}
	switch {
	case lt.Hour() < 8:
		lt = during(lt)
	case lt.Hour() >= 18:
		lt = during(lt.AddDate(0, 0, 1))
	}
	for lt.Weekday() == time.Saturday || lt.Weekday() == time.Sunday {
		lt = during(lt.AddDate(0, 0, 1))
	}
	return lt.UTC().Truncate(time.Minute)
}

// localDay returns a working-hours time (09:00–17:45) on the day days from today in tz, moved off
// weekends: forwards for future days, backwards for past ones.
func (s *seeder) localDay(tz string, days int) time.Time {
	lt := s.now.In(s.location(tz)).AddDate(0, 0, days)
	step := 1
	if days < 0 {
		step = -1
	}
	for days != 0 && (lt.Weekday() == time.Saturday || lt.Weekday() == time.Sunday) {
		lt = lt.AddDate(0, 0, step)
	}
	at := time.Date(lt.Year(), lt.Month(), lt.Day(), 9, 0, 0, 0, lt.Location())
	return at.Add(time.Duration(s.between(0, 35)) * 15 * time.Minute).UTC()
}

// ago returns a time between lo and hi days before now.
func (s *seeder) ago(lo, hi float64) time.Time {
	d := lo + s.rng.Float64()*(hi-lo)
	return s.now.Add(-time.Duration(d * float64(24*time.Hour))).Truncate(time.Minute)
}

// after returns a working moment in tz some hours after t and before now; when the working day
// would be in the future it halves the time left instead, so that a history stays in order.
func (s *seeder) after(t time.Time, minHours, maxHours float64, tz string) time.Time {
	h := minHours + s.rng.Float64()*(maxHours-minHours)
	next := s.workTime(t.Add(time.Duration(h*float64(time.Hour))), tz)
	if limit := s.now.Add(-5 * time.Minute); next.After(limit) {
		next = t.Add(limit.Sub(t) / 2).Truncate(time.Minute)
	}
	return next
}

// email returns the first free address among first.last, flast, first.last2, … at domain.
func (s *seeder) email(first, last, domain string) string {
	f, l := slug(first), slug(last)
	candidates := []string{f + "." + l, f[:1] + l, f + l}
	for _, c := range candidates {
		if a := c + "@" + domain; !s.emails[a] {
			s.emails[a] = true
			return a
		}
	}
	for i := 2; ; i++ {
		if a := fmt.Sprintf("%s.%s%d@%s", f, l, i, domain); !s.emails[a] {
			s.emails[a] = true
			return a
		}
	}
}

// slug lower-cases s and keeps only ASCII letters and digits ("de Vries" → "devries", "O'Connor" → "oconnor").
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// phone returns a fictional number of country, as a person would type it, not handed out before
// (while the country's range lasts).
func (s *seeder) phone(country string) string {
	n := phoneDigits[country]
	var p string
	for range 50 {
		p = pick(s.rng, phonePrefixes[country]) + fmt.Sprintf("%0*d", n, s.rng.IntN(pow10(n)))
		if !s.phones[p] {
			break
		}
	}
	s.phones[p] = true
	return p
}

func pow10(n int) int {
	x := 1
	for range n {
		x *= 10
	}
	return x
}

func (s *seeder) person(country string) (first, last string) {
	p := namesFor(country)
	return pick(s.rng, p.first), pick(s.rng, p.last)
}
