package demo_test

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/examples"
	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/demo"
	"github.com/salesflow/salesflow/internal/notify"
)

// TestDemoIntakeScoresAndRoutesInboundLeads runs the demo's lead-intake on what issue 5 checks: 24
// VP-level demo requests from 500-person companies are all scored and assigned, across more than one
// rep, each with a trace; a free-mail web-form lead scores below them.
func TestDemoIntakeScoresAndRoutesInboundLeads(t *testing.T) {
	for _, db := range apptest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			ob, err := demo.StartOutbox()
			require.NoError(t, err)
			t.Cleanup(ob.Close)
			a := apptest.OpenWith(t, db, func(c *app.Config) {
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
		})
	}
}
