package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// FilesMediaType is the Content-Type of a multi-file apply.
const FilesMediaType = "application/vnd.salesflow.files+json"

// File is one definitions file of an apply: its path, which diagnostics name, and its text.
type File struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// Diagnostic is one lint problem, located in its file.
type Diagnostic struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"` // error or warning
	Message  string `json:"message"`
}

// String is the lint line: file:line:col: severity: message.
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", d.File, d.Line, d.Col, d.Severity, d.Message)
}

// Applied is what an apply or a rollback did to one definition. Status is created, updated,
// unchanged, restored (an archived definition applied again) or rolled_back.
type Applied struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Version int    `json:"version"`
	Status  string `json:"status"`
	// Waiting says what became of runs waiting on older versions of a changed workflow: policy, and
	// counts moved, stayed, cancelled.
	Waiting map[string]any `json:"waiting,omitempty"`
}

// ApplyOptions are the choices of one apply.
type ApplyOptions struct {
	Draft bool // definitions seen for the first time are stored as drafts
	// Waiting is what happens to runs waiting on older versions of a changed workflow: finish
	// (default: they stay on their version), move (to the new version at the same step id), cancel.
	Waiting string
}

// ApplyResult is the answer to an apply: one result per definition, and the lint warnings.
type ApplyResult struct {
	Results  []Applied    `json:"results"`
	Warnings []Diagnostic `json:"warnings"`
}

// Definition is a stored definition with its current version and state. Versions is filled by
// Definition (one), not by Definitions (the list).
type Definition struct {
	Kind        string              `json:"kind"`
	Name        string              `json:"name"`
	Version     int                 `json:"version"`
	State       string              `json:"state"`
	Owner       string              `json:"owner"`
	ReviewEvery string              `json:"review_every"`
	Object      string              `json:"object"`
	PausedBy    string              `json:"paused_by"`
	CreatedAt   time.Time           `json:"created_at"`
	UpdatedAt   time.Time           `json:"updated_at"`
	Versions    []DefinitionVersion `json:"versions,omitempty"`
}

// DefinitionVersion is one immutable version; Source is set when one version is read.
type DefinitionVersion struct {
	Version   int       `json:"version"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Source    string    `json:"source,omitempty"`
}

// Apply lints and applies the files in one transaction: all of them or, when any has an error,
// none (a *Problem with status 422 whose Diagnostics say where).
func (c *Client) Apply(ctx context.Context, files []File) (ApplyResult, error) {
	return c.apply(ctx, files, nil)
}

// ApplyDraft is Apply with new definitions stored as drafts (not live until resumed).
func (c *Client) ApplyDraft(ctx context.Context, files []File) (ApplyResult, error) {
	return c.apply(ctx, files, url.Values{"draft": {"true"}})
}

// ApplyWith is Apply with options.
func (c *Client) ApplyWith(ctx context.Context, files []File, o ApplyOptions) (ApplyResult, error) {
	q := url.Values{}
	if o.Draft {
		q.Set("draft", "true")
	}
	if o.Waiting != "" {
		q.Set("waiting", o.Waiting)
	}
	return c.apply(ctx, files, q)
}

func (c *Client) apply(ctx context.Context, files []File, q url.Values) (ApplyResult, error) {
	var out ApplyResult
	if files == nil {
		files = []File{}
	}
	h := http.Header{"Content-Type": {FilesMediaType}}
	err := c.do(ctx, http.MethodPost, c.path("definitions"), q, map[string]any{"files": files}, h, &out)
	return out, err
}

// Definitions lists definitions, of one kind or (kind "") of all.
func (c *Client) Definitions(ctx context.Context, kind string) ([]Definition, error) {
	var out struct {
		Items []Definition `json:"items"`
	}
	var q url.Values
	if kind != "" {
		q = url.Values{"kind": {kind}}
	}
	err := c.do(ctx, http.MethodGet, c.path("definitions"), q, nil, nil, &out)
	return out.Items, err
}

// Definition reads one definition with the list of its versions.
func (c *Client) Definition(ctx context.Context, kind, name string) (Definition, error) {
	var out Definition
	err := c.do(ctx, http.MethodGet, c.path("definitions", kind, name), nil, nil, nil, &out)
	return out, err
}

// DefinitionVersion reads one version with its source.
func (c *Client) DefinitionVersion(ctx context.Context, kind, name string, version int) (DefinitionVersion, error) {
	var out DefinitionVersion
	err := c.do(ctx, http.MethodGet, c.path("definitions", kind, name, "versions", strconv.Itoa(version)), nil, nil, nil, &out)
	return out, err
}

// DefinitionDiff is a unified diff between two versions.
type DefinitionDiff struct {
	From int    `json:"from"`
	To   int    `json:"to"`
	Diff string `json:"diff"`
}

// Diff compares two versions; 0 for to means the current version, 0 for from the one before to.
func (c *Client) Diff(ctx context.Context, kind, name string, from, to int) (DefinitionDiff, error) {
	var out DefinitionDiff
	q := url.Values{}
	if from > 0 {
		q.Set("from", strconv.Itoa(from))
	}
	if to > 0 {
		q.Set("to", strconv.Itoa(to))
	}
	err := c.do(ctx, http.MethodGet, c.path("definitions", kind, name, "diff"), q, nil, nil, &out)
	return out, err
}

// Rollback makes a new version with version's text (linted again first).
func (c *Client) Rollback(ctx context.Context, kind, name string, version int) (Applied, error) {
	var out Applied
	err := c.do(ctx, http.MethodPost, c.path("definitions", kind, name, "rollback"), nil, map[string]int{"version": version}, nil, &out)
	return out, err
}

// SetState pauses, resumes or archives a definition (verb "pause", "resume" or "archive") and
// returns it as it is afterwards.
func (c *Client) SetState(ctx context.Context, kind, name, verb string) (Definition, error) {
	var out Definition
	err := c.do(ctx, http.MethodPost, c.path("definitions", kind, name, verb), nil, nil, nil, &out)
	return out, err
}

// PauseAll is the kill switch: it pauses every active workflow and says how many.
func (c *Client) PauseAll(ctx context.Context) (int, error) {
	var out struct {
		Paused int `json:"paused"`
	}
	err := c.do(ctx, http.MethodPost, c.path("definitions", "pause-all"), nil, nil, nil, &out)
	return out.Paused, err
}

// ResumeAll resumes the workflows the kill switch paused and says how many.
func (c *Client) ResumeAll(ctx context.Context) (int, error) {
	var out struct {
		Resumed int `json:"resumed"`
	}
	err := c.do(ctx, http.MethodPost, c.path("definitions", "resume-all"), nil, nil, nil, &out)
	return out.Resumed, err
}
