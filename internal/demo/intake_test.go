package demo_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/examples"
	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/demo"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/store"
)

// TestDemoIntakeScoresAndRoutesInboundLeads runs the demo's lead-intake on what issue 5 checks: 24
// VP-level demo requests from 500-person companies are all scored and assigned, across more than one
// rep, each with a trace; a free-mail web-form lead scores below them. The demo routes by working
// hours, so it runs at fixed instants: Europe's morning, both sides of the Atlantic at work, America's
// afternoon, night everywhere, and a weekend.
func TestDemoIntakeScoresAndRoutesInboundLeads(t *testing.T) {
	instants := map[string]time.Time{
		"europe-morning": time.Date(2026, 11, 26, 10, 28, 0, 0, time.UTC),
		"overlap":        time.Date(2026, 11, 24, 14, 30, 0, 0, time.UTC),
		"us-afternoon":   time.Date(2026, 11, 24, 19, 0, 0, 0, time.UTC),
		"night":          time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC),
		"weekend":        time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC),
		"summer-morning": time.Date(2026, 6, 9, 7, 45, 0, 0, time.UTC),
	}
	for _, db := range apptest.Databases {
		for name, at := range instants {
			t.Run(db+"/"+name, func(t *testing.T) { intakeAt(t, db, at) })
		}
	}
}

func intakeAt(t *testing.T, db string, at time.Time) {
	t.Parallel()
	ob, err := demo.StartOutbox()
	require.NoError(t, err)
	t.Cleanup(ob.Close)
	a := apptest.OpenWith(t, db, func(c *app.Config) {
		c.Now = func() time.Time { return at }
		c.Engine.Slack = map[string]string{"#marketing-nurture": ob.SlackURL("#marketing-nurture")}
		c.Engine.WebhookAllowlist = "127.0.0.1/32"
		c.Engine.SMTP = notify.SMTPConfig{Host: ob.SMTPHost, Port: ob.SMTPPort, TLS: "none", From: "salesflow@" + demo.Domain}
	})
	ctx := t.Context()
	_, err = demo.Seed(ctx, a.Service)
	require.NoError(t, err)
	_, err = a.Engine.Drain(ctx) // the engine starts after the seed
	require.NoError(t, err)
	applied, err := demo.ApplyExamples(ctx, a.Definitions, examples.Files, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.Contains(t, applied, "workflow/inbound-lead-intake")

	admin := auth.Actor{Kind: auth.KindAdminToken, ID: "test", Role: auth.Admin}
	var ids []string
	for i := range 24 {
		r, err := a.Service.Create(ctx, admin, "lead", map[string]any{"email": fmt.Sprintf("vp%d@bigco%d.com", i, i), "first_name": "Val",
			"title": "VP of Sales", "company": fmt.Sprintf("Bigco %d", i), "employees": 500.0, "source": "demo_request"})
		require.NoError(t, err)
		ids = append(ids, r.Record.ID())
	}
	free, err := a.Service.Create(ctx, admin, "lead", map[string]any{"email": "someone@gmail.com", "source": "web_form"})
	require.NoError(t, err)
	_, err = a.Engine.Drain(ctx)
	require.NoError(t, err)

	owners := map[string]int{}
	for _, id := range ids {
		l, err := a.Service.Get(ctx, "lead", id)
		require.NoError(t, err)
		require.Equal(t, 35.0, l["score"], "VP (20) at 200+ employees (15)")
		require.NotEmpty(t, l["score_breakdown"])
		require.NotNil(t, l["owner_id"], "lead %s was not assigned", id)
		owners[l.String("owner_id")]++
		as, err := a.Engine.Assignments(ctx, "lead", id)
		require.NoError(t, err)
		require.Len(t, as, 1)
		require.Contains(t, as[0].Trace["summary"], "Chose ")
	}
	require.Greater(t, len(owners), 1, "spread over more than one rep: %v", owners)
	f, err := a.Service.Get(ctx, "lead", free.Record.ID())
	require.NoError(t, err)
	require.Less(t, f["score"].(float64), 35.0)
	require.Equal(t, "nurturing", f["status"])
	msgs := ob.Messages()
	require.NotEmpty(t, msgs)
	require.Equal(t, []string{"#marketing-nurture"}, msgs[0].To, "the nurture notice reached the outbox over HTTP")
	require.Contains(t, msgs[0].Text, "someone@gmail.com")
}

// TestDemoIntakeSkipAndDeclineSendNoEmail: a first call the rep skips sends the lead to nurture, and
// one they decline tells their manager; neither emails the prospect "sorry we missed you".
func TestDemoIntakeSkipAndDeclineSendNoEmail(t *testing.T) {
	at := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	ob, err := demo.StartOutbox()
	require.NoError(t, err)
	t.Cleanup(ob.Close)
	a := apptest.OpenWith(t, "sqlite", func(c *app.Config) {
		c.Now = func() time.Time { return at }
		c.Engine.Slack = map[string]string{"#marketing-nurture": ob.SlackURL("#marketing-nurture")}
		c.Engine.SMTP = notify.SMTPConfig{Host: ob.SMTPHost, Port: ob.SMTPPort, TLS: "none", From: "salesflow@" + demo.Domain}
	})
	ctx := t.Context()
	_, err = demo.Seed(ctx, a.Service)
	require.NoError(t, err)
	_, err = a.Engine.Drain(ctx)
	require.NoError(t, err)
	_, err = demo.ApplyExamples(ctx, a.Definitions, examples.Files, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	admin := auth.Actor{Kind: auth.KindAdminToken, ID: "test", Role: auth.Admin}
	moves := map[string]crm.TaskChange{"skip": {Action: "skip"}, "decline": {Action: "decline", Reason: "an existing customer's deal"}}
	leads := map[string]string{}
	for move := range moves {
		r, err := a.Service.Create(ctx, admin, "lead", map[string]any{"email": move + "@bigco.com", "first_name": "Val",
			"title": "VP of Sales", "company": "Bigco", "employees": 500.0, "source": "demo_request"})
		require.NoError(t, err)
		leads[move] = r.Record.ID()
	}
	_, err = a.Engine.Drain(ctx)
	require.NoError(t, err)
	for move, change := range moves {
		tasks, _, err := a.Service.List(ctx, "task", store.ListQuery{Sort: "created_at", Limit: 5,
			Filters: []store.Filter{{Field: "record_id", Op: store.Eq, Value: leads[move]}}})
		require.NoError(t, err)
		require.Len(t, tasks, 1, "the first call")
		_, err = a.Service.ChangeTask(ctx, admin, tasks[0].ID(), change)
		require.NoError(t, err)
	}
	_, err = a.Engine.Drain(ctx)
	require.NoError(t, err)
	skipped, err := a.Service.Get(ctx, "lead", leads["skip"])
	require.NoError(t, err)
	require.Equal(t, "nurturing", skipped["status"])
	var toManager int
	for _, m := range ob.Messages() {
		for _, to := range m.To {
			require.NotContains(t, to, "bigco.com", "no email to the prospect: %s", m.Subject)
			if strings.Contains(m.Text, "declined the first call to decline@bigco.com") {
				toManager++
			}
		}
	}
	require.Equal(t, 1, toManager, "the manager hears of the declined call")
	runs, err := a.Engine.Runs(ctx, store.RunFilter{RecordID: leads["decline"], Workflow: "inbound-lead-intake"})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	require.Equal(t, "completed", runs[0].Status)
}
