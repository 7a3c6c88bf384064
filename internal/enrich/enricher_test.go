package enrich

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeProvider answers from a map by domain and counts its calls.
type fakeProvider struct {
	name    string
	answers map[string]Fields
	err     error
	calls   int
}

func (p *fakeProvider) Name() string { return p.name }

func (p *fakeProvider) Lookup(_ context.Context, q Query) (Fields, error) {
	p.calls++
	if p.err != nil {
		return nil, p.err
	}
	return p.answers[q.Domain], nil
}

// clock is an injectable Now.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func TestEnricherCachesWithTTL(t *testing.T) {
	t.Parallel()
	dir := &fakeProvider{name: "directory", answers: map[string]Fields{"acme.com": {"company": "Acme"}}}
	c := &clock{t0}
	e := &Enricher{Providers: []Provider{dir}, Cache: &MemoryCache{}, TTL: time.Hour, Now: c.Now}
	ctx, q := context.Background(), NewQuery("ann@acme.com", "", "")

	found, err := e.Lookup(ctx, q, nil)
	require.NoError(t, err)
	require.Equal(t, []Found{{Provider: "directory", Fields: Fields{"company": "Acme"}, At: t0}}, found)

	c.t = t0.Add(59 * time.Minute)
	found, err = e.Lookup(ctx, q, nil)
	require.NoError(t, err)
	require.Equal(t, []Found{{Provider: "directory", Fields: Fields{"company": "Acme"}, At: t0, Cached: true}}, found)
	require.Equal(t, 1, dir.calls)

	c.t = t0.Add(time.Hour)
	dir.answers["acme.com"] = Fields{"company": "Acme Inc."}
	found, err = e.Lookup(ctx, q, nil)
	require.NoError(t, err)
	require.Equal(t, []Found{{Provider: "directory", Fields: Fields{"company": "Acme Inc."}, At: c.t}}, found, "expired: asked again")
	require.Equal(t, 2, dir.calls)
}

func TestEnricherCachesNothingKnown(t *testing.T) {
	t.Parallel()
	dir := &fakeProvider{name: "directory"}
	e := &Enricher{Providers: []Provider{dir}, Cache: &MemoryCache{}, TTL: time.Hour, Now: (&clock{t0}).Now}
	q := NewQuery("ann@unknown.com", "", "")
	for range 2 {
		found, err := e.Lookup(context.Background(), q, nil)
		require.NoError(t, err)
		require.Len(t, found, 1)
		require.Empty(t, found[0].Fields)
		require.NotNil(t, found[0].Fields)
	}
	require.Equal(t, 1, dir.calls, "the negative answer was cached")
}

func TestEnricherKeysAndOnly(t *testing.T) {
	t.Parallel()
	dir := &fakeProvider{name: "directory"}
	cache := &MemoryCache{}
	e := &Enricher{Providers: []Provider{FreeMail{}, dir}, Cache: cache, TTL: time.Hour, Now: (&clock{t0}).Now}
	found, err := e.Lookup(context.Background(), NewQuery("Ann@Gmail.com", "", ""), nil)
	require.NoError(t, err)
	require.Equal(t, []Found{
		{Provider: "free_mail", Fields: Fields{"free_mail": true}, At: t0},
		{Provider: "directory", Fields: Fields{}, At: t0},
	}, found, "provider order")
	f, _, ok, _ := cache.Get(context.Background(), "free_mail", "gmail.com")
	require.True(t, ok, "free_mail is cached by the address's domain")
	require.Equal(t, Fields{"free_mail": true}, f)
	_, _, ok, _ = cache.Get(context.Background(), "directory", "")
	require.False(t, ok, "no domain, no cache entry")

	found, err = e.Lookup(context.Background(), NewQuery("bob@gmail.com", "", ""), []string{"free_mail", "http"})
	require.NoError(t, err)
	require.Equal(t, []Found{{Provider: "free_mail", Fields: Fields{"free_mail": true}, At: t0, Cached: true}}, found,
		"only the named providers; http is not configured and skipped")
	require.Equal(t, 1, dir.calls)
}

func TestEnricherKeepsOtherAnswersOnError(t *testing.T) {
	t.Parallel()
	down := &fakeProvider{name: "http", err: retryable(errors.New("503 Service Unavailable"))}
	dir := &fakeProvider{name: "directory", answers: map[string]Fields{"acme.com": {"company": "Acme"}}}
	e := &Enricher{Providers: []Provider{down, dir}, Now: (&clock{t0}).Now}
	found, err := e.Lookup(context.Background(), NewQuery("ann@acme.com", "", ""), nil)
	require.Equal(t, []Found{{Provider: "directory", Fields: Fields{"company": "Acme"}, At: t0}}, found)
	require.EqualError(t, err, "enrich: http: 503 Service Unavailable")
	pe, ok := errors.AsType[*ProviderError](err)
	require.True(t, ok)
	require.Equal(t, "http", pe.Provider)
	require.True(t, Retryable(err))
}

func TestEnricherWithoutCache(t *testing.T) {
	t.Parallel()
	dir := &fakeProvider{name: "directory"}
	e := &Enricher{Providers: []Provider{dir}, Cache: &MemoryCache{}} // TTL 0: caching off
	for range 2 {
		_, err := e.Lookup(context.Background(), NewQuery("ann@acme.com", "", ""), nil)
		require.NoError(t, err)
	}
	require.Equal(t, 2, dir.calls)
}

func TestEnricherStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	dir := &fakeProvider{name: "directory"}
	e := &Enricher{Providers: []Provider{dir}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	found, err := e.Lookup(ctx, NewQuery("ann@acme.com", "", ""), nil)
	require.Empty(t, found)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, dir.calls)
}

// brokenCache fails reads or writes.
type brokenCache struct{ failGet bool }

func (c brokenCache) Get(context.Context, string, string) (Fields, time.Time, bool, error) {
	if c.failGet {
		return nil, time.Time{}, false, errors.New("cache table missing")
	}
	return nil, time.Time{}, false, nil
}

func (c brokenCache) Put(context.Context, string, string, Fields, time.Time) error {
	return errors.New("disk full")
}

func TestEnricherCacheFailures(t *testing.T) {
	t.Parallel()
	dir := &fakeProvider{name: "directory", answers: map[string]Fields{"acme.com": {"company": "Acme"}}}
	q := NewQuery("ann@acme.com", "", "")

	e := &Enricher{Providers: []Provider{dir}, Cache: brokenCache{failGet: true}, TTL: time.Hour, Now: (&clock{t0}).Now}
	found, err := e.Lookup(context.Background(), q, nil)
	require.Empty(t, found)
	require.EqualError(t, err, "enrich: directory: read cache: cache table missing")

	e.Cache = brokenCache{}
	found, err = e.Lookup(context.Background(), q, nil)
	require.Equal(t, []Found{{Provider: "directory", Fields: Fields{"company": "Acme"}, At: t0}}, found, "the answer is kept")
	require.EqualError(t, err, "enrich: directory: write cache: disk full")
}
