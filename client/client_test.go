package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/client"
	"github.com/salesflow/salesflow/internal/app/apptest"
)

// server runs the real API in-process on a fresh SQLite database.
func server(t *testing.T) *httptest.Server {
	t.Helper()
	ts, _ := apptest.Server(t, "sqlite")
	return ts
}

// status returns the HTTP status of the Problem err is or wraps.
func status(t *testing.T, err error) int {
	t.Helper()
	var p *client.Problem
	require.ErrorAs(t, err, &p)
	return p.Status
}

func TestClientRecords(t *testing.T) {
	t.Parallel()
	ts := server(t)
	c := client.New(ts.URL+"/", apptest.AdminToken, ts.Client())
	ctx := t.Context()

	lead, err := c.Create(ctx, "leads", map[string]any{"email": "Ann@Acme.com", "employees": 250, "first_name": "Ann"}, "key-1")
	require.NoError(t, err)
	require.Equal(t, "ann@acme.com", lead["email"])
	require.Equal(t, json.Number("250"), lead["employees"], "numbers stay json.Number")
	id := lead["id"].(string)

	replay, err := c.Create(ctx, "leads", map[string]any{"email": "Ann@Acme.com", "employees": 250, "first_name": "Ann"}, "key-1")
	require.NoError(t, err)
	require.Equal(t, id, replay["id"], "the idempotency key replays the first answer")

	_, err = c.Create(ctx, "leads", map[string]any{"email": "ann@acme.com"}, "")
	var p *client.Problem
	require.ErrorAs(t, err, &p)
	require.Equal(t, http.StatusConflict, p.Status)
	require.Equal(t, id, p.ExistingID)
	require.Equal(t, "email", p.Errors[0].Field)

	got, err := c.Get(ctx, "leads", id)
	require.NoError(t, err)
	require.Equal(t, "Ann", got["first_name"])

	upd, err := c.Update(ctx, "leads", id, map[string]any{"title": "CTO", "first_name": nil})
	require.NoError(t, err)
	require.Equal(t, "CTO", upd["title"])
	require.Nil(t, upd["first_name"])

	tl, err := c.Timeline(ctx, "leads", id, url.Values{"limit": {"10"}})
	require.NoError(t, err)
	require.NotEmpty(t, tl.Items)

	require.NoError(t, c.Delete(ctx, "leads", id))
	_, err = c.Get(ctx, "leads", id)
	require.Equal(t, http.StatusNotFound, status(t, err))

	_, err = c.Get(ctx, "leads", "../accounts")
	require.Equal(t, http.StatusNotFound, status(t, err), "an id is one escaped path segment")
}

func TestClientValidationProblem(t *testing.T) {
	t.Parallel()
	ts := server(t)
	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	_, err := c.Create(t.Context(), "leads", map[string]any{"email": "not-an-email", "employees": "many"}, "")
	var p *client.Problem
	require.ErrorAs(t, err, &p)
	require.Equal(t, http.StatusUnprocessableEntity, p.Status)
	require.Len(t, p.Errors, 2)
	require.Equal(t, "email", p.Errors[0].Field)
	require.Equal(t, "employees", p.Errors[1].Field)
	require.Contains(t, err.Error(), "POST /api/v1/leads: 422 Unprocessable Entity")
}

func TestClientListAndBatch(t *testing.T) {
	t.Parallel()
	ts := server(t)
	c := client.New(ts.URL, apptest.AdminToken, ts.Client())
	ctx := t.Context()
	recs := []map[string]any{
		{"email": "a@acme.com"}, {"email": "b@acme.com"}, {"email": "bad"}, {"email": "c@acme.com"}, {"email": "d@acme.com"},
	}
	res, err := c.Batch(ctx, "leads", recs)
	require.NoError(t, err)
	require.Len(t, res, 5)
	require.Equal(t, "created", res[0].Status)
	require.Equal(t, "error", res[2].Status)
	require.Equal(t, "email", res[2].Errors[0].Field)

	res, err = c.Batch(ctx, "leads", recs[:1])
	require.NoError(t, err)
	require.Equal(t, "unchanged", res[0].Status)

	var seen []string
	params := url.Values{"limit": {"3"}, "sort": {"email"}}
	for {
		page, err := c.List(ctx, "leads", params)
		require.NoError(t, err)
		for _, it := range page.Items {
			seen = append(seen, it["email"].(string))
		}
		if page.NextCursor == "" {
			break
		}
		params.Set("cursor", page.NextCursor)
	}
	require.Equal(t, []string{"a@acme.com", "b@acme.com", "c@acme.com", "d@acme.com"}, seen)

	_, err = c.List(ctx, "leads", url.Values{"limit": {"9999"}})
	require.Equal(t, http.StatusBadRequest, status(t, err))

	me, err := c.Me(ctx)
	require.NoError(t, err)
	require.Equal(t, "admin", me["role"])

	doc, err := c.OpenAPI(ctx)
	require.NoError(t, err)
	require.Equal(t, "3.1.0", doc["openapi"])
}

func TestClientUnauthorized(t *testing.T) {
	t.Parallel()
	ts := server(t)
	_, err := client.New(ts.URL, "wrong", ts.Client()).List(t.Context(), "leads", nil)
	var p *client.Problem
	require.ErrorAs(t, err, &p)
	require.Equal(t, http.StatusUnauthorized, p.Status)
	require.Contains(t, p.Detail, "token")
}

func TestClientNonProblemBody(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>upstream down</html>"))
	}))
	t.Cleanup(ts.Close)
	_, err := client.New(ts.URL, "t", ts.Client()).Get(t.Context(), "leads", "x")
	var p *client.Problem
	require.ErrorAs(t, err, &p)
	require.Equal(t, http.StatusBadGateway, p.Status)
	require.Equal(t, "about:blank", p.Type)
	require.Equal(t, "Bad Gateway", p.Title)
	require.Equal(t, "<html>upstream down</html>", p.Detail)
}

func TestClientUnreachable(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.NotFoundHandler())
	ts.Close()
	_, err := client.New(ts.URL, "t", nil).List(context.Background(), "leads", nil)
	require.Error(t, err)
	var p *client.Problem
	require.False(t, errors.As(err, &p), "a transport error is not a Problem")
}
