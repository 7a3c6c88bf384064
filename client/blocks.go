package client

import (
	"context"
	"net/http"
	"net/url"
)

// Route routes a record through a ruleset; with dry it only says who would get it and why.
func (c *Client) Route(ctx context.Context, plural, id, ruleset string, dry bool) (map[string]any, error) {
	var out map[string]any
	err := c.do(ctx, http.MethodPost, c.path(plural, id, "route"), nil, map[string]any{"ruleset": ruleset, "dry_run": dry}, nil, &out)
	return out, err
}

// Assignment returns a record's routing decisions with their traces.
func (c *Client) Assignment(ctx context.Context, plural, id string) (map[string]any, error) {
	var out map[string]any
	err := c.do(ctx, http.MethodGet, c.path(plural, id, "assignment"), nil, nil, nil, &out)
	return out, err
}

// ImportCompanies adds or replaces company directory entries (at most 1000 a call).
func (c *Client) ImportCompanies(ctx context.Context, companies []map[string]any) (created, updated int, err error) {
	var out struct {
		Created int `json:"created"`
		Updated int `json:"updated"`
	}
	err = c.do(ctx, http.MethodPost, c.path("companies", "import"), nil, map[string]any{"companies": companies}, nil, &out)
	return out.Created, out.Updated, err
}

// Inbox returns an inbox: owner "me" (or "") / a user id, or a team id.
func (c *Client) Inbox(ctx context.Context, owner, team string) (map[string]any, error) {
	q := url.Values{}
	if owner != "" {
		q.Set("owner", owner)
	}
	if team != "" {
		q.Set("team", team)
	}
	var out map[string]any
	err := c.do(ctx, http.MethodGet, c.path("inbox"), q, nil, nil, &out)
	return out, err
}

// MoveTask skips, snoozes, declines or reassigns a task; body holds the move's one member (reason,
// until or owner_id).
func (c *Client) MoveTask(ctx context.Context, id, move string, body map[string]any) (map[string]any, error) {
	var out map[string]any
	err := c.do(ctx, http.MethodPost, c.path("tasks", id, move), nil, body, nil, &out)
	return out, err
}
