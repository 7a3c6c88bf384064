// Package client is a small Go client for the Salesflow REST API (/api/v1). The CLI's import and export
// commands and the API tests use it, so it stays close to the wire: records are plain JSON objects
// (map[string]any) rather than generated structs, because custom fields make every object open-ended.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Client talks to one Salesflow server with one API token. It is safe for concurrent use.
type Client struct {
	base  string
	token string
	hc    *http.Client
}

// New returns a client for the server at baseURL (for example "http://127.0.0.1:8080"; a path prefix
// is kept, for servers behind a reverse proxy). hc may be nil, which means http.DefaultClient; pass
// one with a Timeout for command-line use, since a hung server would otherwise hang the caller.
func New(baseURL, token string, hc *http.Client) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), token: token, hc: hc}
}

// FieldError names one invalid field of a request and says what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problem is an RFC 9457 problem document: the error for every non-2xx answer. A body that is not a
// problem document (a proxy's HTML error page, say) becomes a Problem of type "about:blank" with the
// status text as title and the start of the body as detail, which is what RFC 9457 says a bare status
// means; callers can then test Status alone, whatever answered.
type Problem struct {
	Type       string       `json:"type"`
	Title      string       `json:"title"`
	Status     int          `json:"status"`
	Detail     string       `json:"detail,omitempty"`
	Instance   string       `json:"instance,omitempty"`
	Errors     []FieldError `json:"errors,omitempty"`
	ExistingID string       `json:"existing_id,omitempty"`
	// Diagnostics holds every lint error and warning when definitions were rejected (422).
	Diagnostics []Diagnostic `json:"diagnostics,omitempty"`
}

func (p *Problem) Error() string {
	msg := p.Detail
	if msg == "" {
		parts := make([]string, len(p.Errors))
		for i, fe := range p.Errors {
			parts[i] = fe.Field + ": " + fe.Message
		}
		msg = strings.Join(parts, "; ")
	}
	head := fmt.Sprintf("%d %s", p.Status, p.Title)
	if msg == "" {
		return head
	}
	return head + ": " + msg
}

// Page is one page of a list. NextCursor is empty on the last page; pass it as the cursor parameter,
// with the same sort, to read the next one.
type Page struct {
	Items      []map[string]any `json:"items"`
	NextCursor string           `json:"next_cursor"`
}

// BatchResult is the outcome of one record of a Batch, in the order sent. Status is created, updated,
// unchanged or error; Errors says why for error.
type BatchResult struct {
	Index  int          `json:"index"`
	Status string       `json:"status"`
	ID     string       `json:"id,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
}

// Create creates a record of the collection plural ("leads"). A non-empty idempotencyKey makes a retry
// after a lost response safe: the server replays the first answer instead of creating a second record.
func (c *Client) Create(ctx context.Context, plural string, rec map[string]any, idempotencyKey string) (map[string]any, error) {
	var out map[string]any
	h := http.Header{}
	if idempotencyKey != "" {
		h.Set("Idempotency-Key", idempotencyKey)
	}
	err := c.do(ctx, http.MethodPost, c.path(plural), nil, rec, h, &out)
	return out, err
}

// Get reads one record.
func (c *Client) Get(ctx context.Context, plural, id string) (map[string]any, error) {
	var out map[string]any
	err := c.do(ctx, http.MethodGet, c.path(plural, id), nil, nil, nil, &out)
	return out, err
}

// Update changes the fields in patch (a nil value clears a field) and returns the whole record.
func (c *Client) Update(ctx context.Context, plural, id string, patch map[string]any) (map[string]any, error) {
	var out map[string]any
	err := c.do(ctx, http.MethodPatch, c.path(plural, id), nil, patch, nil, &out)
	return out, err
}

// Delete removes a record.
func (c *Client) Delete(ctx context.Context, plural, id string) error {
	return c.do(ctx, http.MethodDelete, c.path(plural, id), nil, nil, nil, nil)
}

// List reads one page; params holds limit, cursor, sort, q and field filters as the API documents them.
func (c *Client) List(ctx context.Context, plural string, params url.Values) (Page, error) {
	var p Page
	err := c.do(ctx, http.MethodGet, c.path(plural), params, nil, nil, &p)
	return p, err
}

// Batch upserts up to 1000 records by their natural key (email; an account's domain, website or name).
// Each record succeeds or fails on its own, so a nil error means the batch was processed, not that every
// record landed: look at each result's Status.
func (c *Client) Batch(ctx context.Context, plural string, recs []map[string]any) ([]BatchResult, error) {
	var out struct {
		Results []BatchResult `json:"results"`
	}
	if recs == nil {
		recs = []map[string]any{} // the server wants an array, not null
	}
	if err := c.do(ctx, http.MethodPost, c.path(plural, "batch"), nil, map[string]any{"records": recs}, nil, &out); err != nil {
		return nil, err
	}
	if len(out.Results) != len(recs) {
		return out.Results, fmt.Errorf("batch %s: sent %d records, the server answered %d results", plural, len(recs), len(out.Results))
	}
	return out.Results, nil
}

// Timeline reads one page of a record's history (events, activities, tasks), newest first.
func (c *Client) Timeline(ctx context.Context, plural, id string, params url.Values) (Page, error) {
	var p Page
	err := c.do(ctx, http.MethodGet, c.path(plural, id, "timeline"), params, nil, nil, &p)
	return p, err
}

// Me returns who the token belongs to (kind, id, user_id, role). A cheap call that tells a caller up front
// whether the server is reachable and the token good, before it starts work it would have to abandon.
func (c *Client) Me(ctx context.Context) (map[string]any, error) {
	var out map[string]any
	err := c.do(ctx, http.MethodGet, "/api/v1/me", nil, nil, nil, &out)
	return out, err
}

// OpenAPI reads the server's OpenAPI document. It describes every object with its custom fields as they
// are now, which is how the importer learns field names and types without hard-coding them.
func (c *Client) OpenAPI(ctx context.Context) (map[string]any, error) {
	var doc map[string]any
	err := c.do(ctx, http.MethodGet, "/api/v1/openapi.json", nil, nil, nil, &doc)
	return doc, err
}

// path joins escaped segments under /api/v1, so that an id can never smuggle in a "/" or "?".
func (c *Client) path(segments ...string) string {
	var b strings.Builder
	b.WriteString("/api/v1")
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// do sends one request and decodes a 2xx JSON answer into out (when not nil) with numbers kept as
// json.Number: counts and amounts must survive a round trip exactly, and float64 would round integers
// above 2^53.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body any, h http.Header, out any) error {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: encode body: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s %s: %w", method, path, readProblem(resp))
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, resp.Body) // drained bodies let the connection be reused
		return nil
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode %d answer: %w", method, path, resp.StatusCode, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

// maxErrorBody bounds how much of an error answer is read: a misconfigured proxy may send megabytes.
const maxErrorBody = 64 << 10

func readProblem(resp *http.Response) *Problem {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, resp.Body)
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "application/problem+json" || mt == "application/json" {
		var p Problem
		if err := json.Unmarshal(b, &p); err == nil && (p.Title != "" || p.Detail != "" || len(p.Errors) > 0) {
			if p.Status == 0 {
				p.Status = resp.StatusCode
			}
			if p.Title == "" {
				p.Title = http.StatusText(resp.StatusCode)
			}
			return &p
		}
	}
	detail := strings.ToValidUTF8(strings.TrimSpace(string(b)), "")
	if r := []rune(detail); len(r) > 200 {
		detail = string(r[:200]) + "…"
	}
	return &Problem{Type: "about:blank", Title: http.StatusText(resp.StatusCode), Status: resp.StatusCode, Detail: detail}
}
