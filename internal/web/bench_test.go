package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/examples"
	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/demo"
	"github.com/salesflow/salesflow/internal/store"
)

// BenchmarkPages renders each page of the UI on the demo's data, signed in as the SDR manager; ns/op is
// the server's time for one page (the client is in-process, over loopback). docs/performance.md has
// the figures.
//
//	go test -run '^$' -bench Pages -benchtime 200x ./internal/web/
func BenchmarkPages(b *testing.B) {
	a := apptest.Open(b, "sqlite")
	ctx := b.Context()
	_, err := demo.Seed(ctx, a.Service)
	require.NoError(b, err)
	_, err = a.Engine.Drain(ctx) // the engine starts after the seed, as in serve --demo
	require.NoError(b, err)
	_, err = demo.ApplyExamples(ctx, a.Definitions, examples.Files, slog.New(slog.DiscardHandler))
	require.NoError(b, err)
	admin := auth.Actor{Kind: auth.KindAdminToken, ID: "bench", Role: auth.Admin}
	for i := range 20 {
		_, err := a.Service.Create(ctx, admin, "lead", map[string]any{"email": fmt.Sprintf("vp%d@bigco%d.com", i, i), "first_name": "Val",
			"title": "VP of Sales", "company": fmt.Sprintf("Bigco %d", i), "employees": 500.0, "source": "demo_request"})
		require.NoError(b, err)
	}
	for range 3 {
		_, err = a.Engine.Drain(ctx)
		require.NoError(b, err)
	}
	ts := httptest.NewServer(a.Handler())
	b.Cleanup(ts.Close)
	_, mgr, err := a.Service.CreateToken(ctx, admin, "manager", "marcus.bell@"+demo.Domain, "bench")
	require.NoError(b, err)
	c := browserClient(b)
	signIn(b, c, ts.URL, mgr)

	first := func(path string, re string) string {
		_, body, _ := get(b, c, ts.URL+path)
		m := regexp.MustCompile(re).FindStringSubmatch(body)
		require.NotNil(b, m, "no %s in %s", re, path)
		return m[1]
	}
	runs, err := a.Engine.Runs(ctx, store.RunFilter{Limit: 1})
	require.NoError(b, err)
	require.NotEmpty(b, runs)
	pages := [][2]string{{"dashboard", "/"}, {"inbox", "/inbox"}, {"leads", "/leads"}, {"leads-search", "/leads?q=acme"},
		{"lead", "/leads/" + first("/leads", `href="/leads/([^"]+)"`)}, {"accounts", "/accounts"},
		{"account", "/accounts/" + first("/accounts", `href="/accounts/([^"]+)"`)}, {"deals", "/deals"}, {"workflows", "/workflows"},
		{"workflow", "/workflows/inbound-lead-intake"}, {"runs", "/runs"}, {"run", "/runs/" + runs[0].ID},
		{"routing", "/routing/inbound-sales"}, {"scoring", "/scoring/inbound-fit"}}
	for _, p := range pages {
		code, _, _ := get(b, c, ts.URL+p[1])
		require.Equal(b, http.StatusOK, code, p[1])
	}
	for _, p := range pages {
		b.Run(p[0], func(b *testing.B) {
			for b.Loop() {
				res, err := c.Get(ts.URL + p[1])
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		})
	}
}
