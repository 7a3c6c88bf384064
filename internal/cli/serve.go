package cli

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/salesflow/salesflow/examples"
	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/demo"
	"github.com/salesflow/salesflow/internal/notify"
)

func newServe(g *globals) *cobra.Command {
	var addr string
	var withDemo bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the API server on SQLite (default) or PostgreSQL, applying pending migrations first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config()
			if err != nil {
				return err
			}
			cfg.Addr, cfg.Demo = addr, withDemo
			if cfg.Engine.BaseURL == "" { // links in reminders and alerts must be whole: this server's own address
				cfg.Engine.BaseURL = serverURL("", addr)
			}
			if !withDemo && cfg.AdminToken == "" {
				// A data directory that once ran the demo keeps its admin token working.
				if b, err := os.ReadFile(filepath.Join(cfg.DataDir, "demo-admin-token")); err == nil && len(strings.TrimSpace(string(b))) > 0 {
					cfg.AdminToken = strings.TrimSpace(string(b))
					fmt.Fprintf(g.env.Stderr, "using the demo admin token from %s\n", filepath.Join(cfg.DataDir, "demo-admin-token"))
				}
			}
			if withDemo && cfg.AdminToken == "" {
				if cfg.AdminToken, err = demoAdminToken(cfg.DataDir); err != nil {
					return err
				}
				fmt.Fprintf(g.env.Stderr, "demo: admin token %s (saved in %s; set SALESFLOW_ADMIN_TOKEN to choose your own)\n",
					cfg.AdminToken, filepath.Join(cfg.DataDir, "demo-admin-token"))
			}
			if err := startPprof(cmd.Context(), g.env.Getenv("SALESFLOW_PPROF"), cfg.Logger); err != nil {
				return err
			}
			tuneGC(g.env.Getenv, cfg.Logger)
			return serve(cmd.Context(), cfg)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", envOr(g.env, "SALESFLOW_ADDR", "127.0.0.1:8080"), "listen address (env SALESFLOW_ADDR)")
	cmd.Flags().BoolVar(&withDemo, "demo", false, "seed a demo organisation on first start")
	return cmd
}

func serve(ctx context.Context, cfg app.Config) error {
	if cfg.Demo {
		ob, err := demoOutbox(&cfg)
		if err != nil {
			return err
		}
		if ob != nil {
			defer ob.Close()
		}
	}
	a, err := app.Open(ctx, cfg, true)
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Demo {
		sum, err := demo.Seed(ctx, a.Service)
		if err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
		if sum.Seeded {
			cfg.Logger.Info("demo data seeded", "users", sum.Users, "accounts", sum.Accounts, "leads", sum.Leads,
				"contacts", sum.Contacts, "deals", sum.Deals, "activities", sum.Activities, "tasks", sum.Tasks)
		}
		applied, err := demo.ApplyExamples(ctx, a.Definitions, examples.Files, cfg.Logger)
		if err != nil {
			return err
		}
		cfg.Logger.Info("demo: example definitions applied", "definitions", applied)
	}
	return a.Serve(ctx, nil)
}

// demoAdminToken returns the demo's admin token, made once and kept in the data directory so that it
// survives restarts.
func demoAdminToken(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "demo-admin-token")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return "", fmt.Errorf("create data directory: %w", err)
	}
	secret, _ := auth.NewToken()
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("save demo admin token: %w", err)
	}
	return secret, nil
}

// slackChannels finds the Slack channels the examples post to.
var slackChannels = regexp.MustCompile(`channel: slack, to: "(#[a-z0-9_-]+)"`)

// demoOutbox catches the demo's email and Slack messages in a local outbox when none are configured,
// so that the examples' email and Slack steps complete (through real SMTP and HTTP) instead of failing
// for want of settings. The outbox's address is logged.
func demoOutbox(cfg *app.Config) (*demo.Outbox, error) {
	needMail := cfg.Engine.SMTP.Host == ""
	var channels []string
	for _, name := range []string{"lead-intake.yaml", "first-call.yaml", "demo-booked.yaml", "sdr-to-ae-handoff.yaml"} {
		b, _ := fs.ReadFile(examples.Files, name)
		for _, m := range slackChannels.FindAllStringSubmatch(string(b), -1) {
			if _, ok := cfg.Engine.Slack[m[1]]; !ok {
				channels = append(channels, m[1])
			}
		}
	}
	if !needMail && len(channels) == 0 {
		return nil, nil
	}
	ob, err := demo.StartOutbox()
	if err != nil {
		return nil, err
	}
	if needMail {
		cfg.Engine.SMTP = notify.SMTPConfig{Host: ob.SMTPHost, Port: ob.SMTPPort, TLS: "none", From: "salesflow@" + demo.Domain}
	}
	if cfg.Engine.Slack == nil {
		cfg.Engine.Slack = map[string]string{}
	}
	for _, ch := range channels {
		cfg.Engine.Slack[ch] = ob.SlackURL(ch)
	}
	cfg.Engine.WebhookAllowlist = strings.Trim(cfg.Engine.WebhookAllowlist+",127.0.0.1/32", ",")
	cfg.Logger.Info("demo: email and Slack messages go to a local outbox (nothing reaches a real inbox); list them with GET", "outbox", ob.URL)
	return ob, nil
}
