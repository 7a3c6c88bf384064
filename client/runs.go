package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Run is one enrollment of a record in a workflow version.
type Run struct {
	ID         string         `json:"id"`
	Workflow   string         `json:"workflow"`
	Version    int            `json:"version"`
	RecordType string         `json:"record_type"`
	RecordID   string         `json:"record_id"`
	Status     string         `json:"status"`
	Cursor     string         `json:"cursor"`
	State      map[string]any `json:"state"`
	WaitKind   string         `json:"wait_kind"`
	WaitUntil  *time.Time     `json:"wait_until"`
	Depth      int            `json:"depth"`
	Error      string         `json:"error"`
	EndReason  string         `json:"end_reason"`
	StartedAt  time.Time      `json:"started_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	EndedAt    *time.Time     `json:"ended_at"`
}

// RunStep is one entry of a run's history.
type RunStep struct {
	Seq        int            `json:"seq"`
	Version    int            `json:"version"`
	StepID     string         `json:"step_id"`
	Addr       string         `json:"addr"`
	Type       string         `json:"type"`
	Status     string         `json:"status"`
	Input      map[string]any `json:"input"`
	Output     map[string]any `json:"output"`
	Decision   map[string]any `json:"decision"`
	Attempts   int            `json:"attempts"`
	Error      string         `json:"error"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt *time.Time     `json:"finished_at"`
}

// RunDetail is a run with its history and the decision that enrolled it.
type RunDetail struct {
	Run
	Steps      []RunStep      `json:"steps"`
	Enrollment map[string]any `json:"enrollment"`
}

// RunFilter narrows Runs; empty fields do not filter.
type RunFilter struct {
	Workflow, Record, Status, Cursor string
	Limit                            int
}

// Runs lists runs, newest first; the second result is the cursor of the next page ("" on the last).
func (c *Client) Runs(ctx context.Context, f RunFilter) ([]Run, string, error) {
	q := url.Values{}
	for k, v := range map[string]string{"workflow": f.Workflow, "record": f.Record, "status": f.Status, "cursor": f.Cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var out struct {
		Items      []Run  `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	err := c.do(ctx, http.MethodGet, c.path("runs"), q, nil, nil, &out)
	return out.Items, out.NextCursor, err
}

// Run reads one run with its history.
func (c *Client) Run(ctx context.Context, id string) (RunDetail, error) {
	var out RunDetail
	err := c.do(ctx, http.MethodGet, c.path("runs", id), nil, nil, nil, &out)
	return out, err
}

// RetryRun restarts a failed run at its failed step, on its own version ("original") or the
// current one ("current").
func (c *Client) RetryRun(ctx context.Context, id, on string) (Run, error) {
	var out Run
	err := c.do(ctx, http.MethodPost, c.path("runs", id, "retry"), nil, map[string]any{"on": on}, nil, &out)
	return out, err
}

// RetryRuns restarts every failed run of a workflow and says how many, and why others could not.
func (c *Client) RetryRuns(ctx context.Context, workflow, on string) (int, []string, error) {
	var out struct {
		Retried  int      `json:"retried"`
		Problems []string `json:"problems"`
	}
	err := c.do(ctx, http.MethodPost, c.path("runs", "retry"), nil, map[string]any{"workflow": workflow, "on": on, "status": "failed"}, nil, &out)
	return out.Retried, out.Problems, err
}

// Enroll enrolls a record in a workflow by hand: enrolled, the run, or the reason it did not.
func (c *Client) Enroll(ctx context.Context, workflow, recordID string) (map[string]any, error) {
	var out map[string]any
	err := c.do(ctx, http.MethodPost, c.path("workflows", workflow, "enroll"), nil, map[string]any{"record_id": recordID}, nil, &out)
	return out, err
}

// WaitingStep counts a workflow version's active runs at one step.
type WaitingStep struct {
	Version   int    `json:"version"`
	StepID    string `json:"step_id"`
	Addr      string `json:"addr"`
	Type      string `json:"type"`
	Runs      int    `json:"runs"`
	InCurrent bool   `json:"in_current"`
}

// Waiting previews where a workflow's active runs sit, before an apply chooses what becomes of them.
func (c *Client) Waiting(ctx context.Context, workflow string) ([]WaitingStep, error) {
	var out struct {
		Items []WaitingStep `json:"items"`
	}
	err := c.do(ctx, http.MethodGet, c.path("workflows", workflow, "waiting"), nil, nil, nil, &out)
	return out.Items, err
}

// Explain answers why a record did or did not enroll in a workflow.
func (c *Client) Explain(ctx context.Context, recordType, id, workflow string) (map[string]any, error) {
	var out map[string]any
	err := c.do(ctx, http.MethodGet, c.path("records", recordType, id, "enrollment"), url.Values{"workflow": {workflow}}, nil, nil, &out)
	return out, err
}

// CompleteTask completes an open task with an outcome.
func (c *Client) CompleteTask(ctx context.Context, id, outcome string) (map[string]any, error) {
	var out map[string]any
	err := c.do(ctx, http.MethodPost, c.path("tasks", id, "complete"), nil, map[string]any{"outcome": outcome}, nil, &out)
	return out, err
}

// PostEvent posts a custom event about a record.
func (c *Client) PostEvent(ctx context.Context, name, recordType, recordID string, payload map[string]any) error {
	body := map[string]any{"name": name, "record_type": recordType, "record_id": recordID}
	if payload != nil {
		body["payload"] = payload
	}
	return c.do(ctx, http.MethodPost, c.path("events"), nil, body, nil, nil)
}
