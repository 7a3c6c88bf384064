package enrich

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testServer serves handler and returns an HTTP provider for it with cfg's path (a default one with
// {domain}), map, timeout and rate (a high rate unless set, so that only the rate-limit test waits).
func testServer(t *testing.T, cfg HTTPConfig, handler http.HandlerFunc) (*HTTP, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	if cfg.URL == "" {
		cfg.URL = "/v1/companies?domain={domain}&key=secret-key"
	}
	cfg.URL = srv.URL + cfg.URL
	if cfg.Map == nil {
		cfg.Map = map[string]string{"company": "name"}
	}
	if cfg.RatePerSecond == 0 {
		cfg.RatePerSecond, cfg.Burst = 1000, 10
	}
	cfg.Client = srv.Client()
	h, err := NewHTTP(cfg)
	require.NoError(t, err)
	return h, &calls
}

func acme() Query { return NewQuery("ann@acme.com", "A&B Co", "") }

func TestHTTPMapsNestedPaths(t *testing.T) {
	t.Parallel()
	var got *http.Request
	h, _ := testServer(t, HTTPConfig{
		Header: "X-Api-Key: k123",
		Map: map[string]string{"company": "company.name", "industry": "company.category", "employees": "company.metrics.employees",
			"country": "company.geo.country", "website": "site", "title": "company.tags.0", "timezone": "company.geo.tz",
			"annual_revenue": "company.metrics.revenue", "source": "company.public"},
	}, func(w http.ResponseWriter, r *http.Request) {
		got = r
		_, _ = w.Write([]byte(`{"company": {"name": " Acme ", "category": "Software", "metrics": {"employees": 250, "revenue": "1,500,000"},
			"geo": {"country": "de", "tz": null}, "tags": ["b2b", "saas"], "public": true}, "site": "https://acme.com"}`))
	})
	require.Equal(t, "http", h.Name())
	f, err := h.Lookup(context.Background(), acme())
	require.NoError(t, err)
	require.Equal(t, Fields{"company": "Acme", "industry": "Software", "employees": 250.0, "country": "DE", "website": "https://acme.com",
		"title": "b2b", "annual_revenue": 1500000.0, "source": "true"}, f, "null timezone left out")
	require.Equal(t, "/v1/companies", got.URL.Path)
	require.Equal(t, "acme.com", got.URL.Query().Get("domain"))
	require.Equal(t, "k123", got.Header.Get("X-Api-Key"))
	require.Equal(t, "application/json", got.Header.Get("Accept"))
}

func TestHTTPEscapesTemplateValues(t *testing.T) {
	t.Parallel()
	var got *http.Request
	h, _ := testServer(t, HTTPConfig{URL: "/find?company={company}&email={email}"}, func(w http.ResponseWriter, r *http.Request) {
		got = r
		_, _ = w.Write([]byte(`{"name": "A&B"}`))
	})
	_, err := h.Lookup(context.Background(), NewQuery("ann+crm@acme.com", "A&B Co", ""))
	require.NoError(t, err)
	require.Equal(t, "A&B Co", got.URL.Query().Get("company"))
	require.Equal(t, "ann+crm@acme.com", got.URL.Query().Get("email"))
}

func TestHTTPNothingKnown(t *testing.T) {
	t.Parallel()
	h, calls := testServer(t, HTTPConfig{}, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("domain") == "empty.com" {
			_, _ = w.Write([]byte(`{"other": 1}`))
			return
		}
		http.NotFound(w, r)
	})
	f, err := h.Lookup(context.Background(), acme())
	require.NoError(t, err, "404 is an answer: nothing known")
	require.Nil(t, f)
	f, err = h.Lookup(context.Background(), Query{Domain: "empty.com"})
	require.NoError(t, err)
	require.Nil(t, f, "no mapped field in the answer")
	f, err = h.Lookup(context.Background(), NewQuery("ann@gmail.com", "", ""))
	require.NoError(t, err)
	require.Nil(t, f, "no domain for the template: nothing to ask")
	require.Equal(t, int32(2), calls.Load())
}

func TestHTTPSlowAnswerIsRetryable(t *testing.T) {
	t.Parallel()
	h, _ := testServer(t, HTTPConfig{Timeout: 50 * time.Millisecond}, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	_, err := h.Lookup(context.Background(), acme())
	require.Error(t, err)
	require.True(t, Retryable(err), "%v", err)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotContains(t, err.Error(), "secret-key", "the query string may hold a key")
}

func TestHTTPServerErrorThenRecovery(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	h, _ := testServer(t, HTTPConfig{}, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(`{"name": "Acme"}`))
	})
	_, err := h.Lookup(context.Background(), acme())
	require.True(t, Retryable(err), "%v", err)
	require.ErrorContains(t, err, "500 Internal Server Error")
	require.NotContains(t, err.Error(), "secret-key")

	f, err := h.Lookup(context.Background(), acme())
	require.NoError(t, err)
	require.Equal(t, Fields{"company": "Acme"}, f)
}

func TestHTTPRateLimitedByServer(t *testing.T) {
	t.Parallel()
	h, _ := testServer(t, HTTPConfig{}, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	_, err := h.Lookup(context.Background(), acme())
	rl, ok := errors.AsType[*RateLimitedError](err)
	require.True(t, ok, "%v", err)
	require.Equal(t, 2*time.Second, rl.RetryAfter)
	require.True(t, Retryable(err))
}

func TestHTTPPermanentErrors(t *testing.T) {
	t.Parallel()
	h, _ := testServer(t, HTTPConfig{}, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("domain") == "html.com" {
			_, _ = w.Write([]byte(`<html>`))
			return
		}
		http.Error(w, "invalid api key", http.StatusUnauthorized)
	})
	_, err := h.Lookup(context.Background(), acme())
	require.False(t, Retryable(err))
	require.ErrorContains(t, err, "401 Unauthorized: invalid api key")
	_, err = h.Lookup(context.Background(), Query{Domain: "html.com"})
	require.False(t, Retryable(err))
	require.ErrorContains(t, err, "the answer is not JSON")
}

func TestHTTPClientRateLimit(t *testing.T) {
	t.Parallel()
	h, calls := testServer(t, HTTPConfig{RatePerSecond: 0.001, Burst: 1}, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"name": "Acme"}`))
	})
	_, err := h.Lookup(context.Background(), acme())
	require.NoError(t, err, "the burst allows the first request")

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = h.Lookup(cancelled, acme())
	require.ErrorIs(t, err, context.Canceled)

	short, cancel2 := context.WithTimeout(context.Background(), time.Minute) // the next token is ~17 minutes away
	defer cancel2()
	_, err = h.Lookup(short, acme())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, Retryable(err), "the caller's deadline, not the provider's failure")

	require.Equal(t, int32(1), calls.Load(), "waiting requests never reach the server")
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	require.Equal(t, 2*time.Second, retryAfter("2", now))
	require.Equal(t, 90*time.Second, retryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now))
	require.Zero(t, retryAfter("", now))
	require.Zero(t, retryAfter("soon", now))
	require.Zero(t, retryAfter("-3", now))
}
