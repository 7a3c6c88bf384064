package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/enrich"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/workflow"
)

// engineConfig reads the engine's settings from the environment; a bad value is an error naming the
// variable.
func engineConfig(getenv func(string) string) (app.EngineConfig, error) {
	c := app.EngineConfig{WebhookAllowlist: getenv("SALESFLOW_WEBHOOK_ALLOWLIST"), BaseURL: getenv("SALESFLOW_BASE_URL")}
	num := func(key string, dst *int) error {
		v := getenv(key)
		if v == "" {
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("%s: %q is not a whole number ≥ 0", key, v)
		}
		*dst = n
		return nil
	}
	if err := num("SALESFLOW_WORKERS", &c.Workers); err != nil {
		return c, err
	}
	c.SMTP = notify.SMTPConfig{Host: getenv("SALESFLOW_SMTP_HOST"), Username: getenv("SALESFLOW_SMTP_USERNAME"),
		Password: getenv("SALESFLOW_SMTP_PASSWORD"), From: getenv("SALESFLOW_SMTP_FROM"), TLS: getenv("SALESFLOW_SMTP_TLS")}
	if err := num("SALESFLOW_SMTP_PORT", &c.SMTP.Port); err != nil {
		return c, err
	}
	if v := getenv("SALESFLOW_SMTP_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("SALESFLOW_SMTP_TIMEOUT: %q is not a duration like 30s", v)
		}
		c.SMTP.Timeout = d
	}
	if c.SMTP.Host != "" {
		if err := c.SMTP.Validate(); err != nil {
			return c, err
		}
	}
	slack, err := parseSlack(getenv("SALESFLOW_SLACK_WEBHOOKS"))
	if err != nil {
		return c, err
	}
	c.Slack = slack
	if c.EnrichHTTP, err = enrich.ParseHTTPConfig(getenv); err != nil {
		return c, err
	}
	if v := getenv("SALESFLOW_ENRICH_TTL"); v != "" {
		d, err := workflow.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("SALESFLOW_ENRICH_TTL: %q is not a duration like 30d or 12h", v)
		}
		c.EnrichTTL = d
	}
	return c, nil
}

// parseSlack reads "#sales=https://hooks.slack.com/…,#ops=https://…".
func parseSlack(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		ch, url, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(ch) == "" || !strings.HasPrefix(strings.TrimSpace(url), "http") {
			return nil, fmt.Errorf("SALESFLOW_SLACK_WEBHOOKS: %q is not channel=https://url", part)
		}
		out[strings.TrimSpace(ch)] = strings.TrimSpace(url)
	}
	return out, nil
}
