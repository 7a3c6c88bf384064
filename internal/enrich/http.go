package enrich

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// maxAnswer bounds the answer read into memory; a company record is a few kilobytes.
const maxAnswer = 1 << 20

// HTTP asks a JSON web service (Clearbit-like) about a lead, one GET per lookup, and maps fields of
// its answer to lead fields.
type HTTP struct {
	url         string
	header      string // canonical header name, "" for none
	headerValue string
	fields      map[string]string
	timeout     time.Duration
	limiter     *rate.Limiter
	client      *http.Client
}

// NewHTTP checks cfg and returns the provider. Zero Timeout, RatePerSecond and Burst take the
// defaults (5s, 5 per second, 1).
func NewHTTP(cfg HTTPConfig) (*HTTP, error) {
	if err := checkURLTemplate(cfg.URL); err != nil {
		return nil, fmt.Errorf("http enrichment URL: %w", err)
	}
	h := &HTTP{url: cfg.URL, fields: make(map[string]string, len(cfg.Map)), timeout: cfg.Timeout, client: cfg.Client}
	if cfg.Header != "" {
		var err error
		if h.header, h.headerValue, err = splitHeader(cfg.Header); err != nil {
			return nil, fmt.Errorf("http enrichment header: %w", err)
		}
	}
	if len(cfg.Map) == 0 {
		return nil, errors.New("http enrichment: the field map is empty, so no answer could fill anything")
	}
	for field, path := range cfg.Map {
		if err := checkMapEntry(field, path); err != nil {
			return nil, fmt.Errorf("http enrichment field map: %w", err)
		}
		h.fields[field] = path
	}
	if cfg.Timeout < 0 || cfg.RatePerSecond < 0 || cfg.Burst < 0 {
		return nil, errors.New("http enrichment: timeout, rate and burst cannot be negative")
	}
	if h.timeout == 0 {
		h.timeout = defaultTimeout
	}
	perSecond, burst := cfg.RatePerSecond, cfg.Burst
	if perSecond == 0 {
		perSecond = defaultRate
	}
	h.limiter = rate.NewLimiter(rate.Limit(perSecond), max(burst, 1))
	if h.client == nil {
		h.client = &http.Client{}
	}
	return h, nil
}

// Name is "http".
func (h *HTTP) Name() string { return "http" }

// CacheKey keys an answer by the values the URL uses and by the configuration itself (URL and field
// map): answers are cached as mapped, so a changed map must not be served answers mapped the old way.
func (h *HTTP) CacheKey(q Query) string {
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\n", h.url)
	for _, f := range slices.Sorted(maps.Keys(h.fields)) {
		fmt.Fprintf(sum, "%s=%s\n", f, h.fields[f])
	}
	var vals []string
	for p, v := range map[string]string{"{domain}": q.Domain, "{email}": q.Email, "{company}": strings.ToLower(q.Company)} {
		if strings.Contains(h.url, p) {
			vals = append(vals, p+v)
		}
	}
	slices.Sort(vals)
	return hex.EncodeToString(sum.Sum(nil))[:12] + ":" + strings.Join(vals, "|")
}

// Fields lists the lead fields the provider fills, for checking them against the lead's fields.
func (h *HTTP) Fields() []string { return slices.Sorted(maps.Keys(h.fields)) }

// Lookup GETs the URL for q and maps the JSON answer. 404 means nothing known. Other failures: 429 is
// a *RateLimitedError; 5xx, timeouts and connection errors are Retryable; any other 4xx or an answer
// that is not JSON is permanent. A query lacking a value the URL needs (no domain for a free-mail
// lead) is nothing known, without a request. ctx's own cancellation comes back as ctx's error, and
// that includes a deadline shorter than the wait for the rate limit.
func (h *HTTP) Lookup(ctx context.Context, q Query) (Fields, error) {
	target, ok := h.expand(q)
	if !ok {
		return nil, nil
	}
	if err := h.limiter.Wait(ctx); err != nil {
		if ctx.Err() == nil { // rate says the wait would outlast ctx's deadline; that is the deadline's doing
			err = fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
		}
		return nil, fmt.Errorf("http enrichment: waiting for the rate limit: %w", err)
	}
	body, err := h.get(ctx, target)
	if err != nil || body == nil {
		return nil, err
	}
	var answer any
	if err := json.Unmarshal(body, &answer); err != nil {
		return nil, fmt.Errorf("http enrichment: GET %s: the answer is not JSON: %w", redact(target), err)
	}
	f := Fields{}
	for field, path := range h.fields {
		if v, ok := convertValue(field, jsonPath(answer, path)); ok {
			f[field] = v
		}
	}
	if len(f) == 0 {
		return nil, nil
	}
	return f, nil
}

// expand fills the URL template; ok is false when a placeholder it uses has no value.
func (h *HTTP) expand(q Query) (string, bool) {
	pairs := []string{"{domain}", q.Domain, "{email}", q.Email, "{company}", q.Company}
	for i := 0; i < len(pairs); i += 2 {
		if strings.Contains(h.url, pairs[i]) && pairs[i+1] == "" {
			return "", false
		}
		pairs[i+1] = url.QueryEscape(pairs[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(h.url), true
}

// get performs the request and classifies the status; a nil body with a nil error is a 404.
func (h *HTTP) get(ctx context.Context, target string) ([]byte, error) {
	rctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("http enrichment: GET %s: %w", redact(target), err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "salesflow-enrich")
	if h.header != "" {
		req.Header.Set(h.header, h.headerValue)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, h.failed(ctx, target, err)
	}
	defer func() { _ = resp.Body.Close() }()
	switch code := resp.StatusCode; {
	case code == http.StatusNotFound:
		return nil, nil
	case code == http.StatusTooManyRequests:
		return nil, fmt.Errorf("http enrichment: GET %s: %w", redact(target), &RateLimitedError{RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())})
	case code >= 500:
		return nil, retryable(fmt.Errorf("http enrichment: GET %s: %s", redact(target), resp.Status))
	case code < 200 || code > 299:
		// 401/403 (a bad credential) and 400 (a bad template) fail the same way until a person acts.
		return nil, fmt.Errorf("http enrichment: GET %s: %s%s", redact(target), resp.Status, snippet(resp.Body))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, h.failed(ctx, target, err)
	}
	if len(body) > maxAnswer {
		return nil, fmt.Errorf("http enrichment: GET %s: the answer is larger than %d bytes", redact(target), maxAnswer)
	}
	return body, nil
}

// failed wraps a transport error: the caller's cancellation as it is, anything else (our own timeout,
// a refused or dropped connection) as retryable. url.Error is unwrapped because its message quotes
// the whole URL, query string (and any key in it) included.
func (h *HTTP) failed(ctx context.Context, target string, err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	err = fmt.Errorf("http enrichment: GET %s: %w", redact(target), err)
	if ctx.Err() != nil {
		return err
	}
	return retryable(err)
}

// redact shortens a URL for messages to scheme, host and path: the query string may carry a key.
func redact(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date; 0 when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(s, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now).Round(time.Second)
	}
	return 0
}

// snippet is the start of an error answer, which often says what is wrong (": invalid api key").
func snippet(body io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(body, 200))
	s := strings.Join(strings.Fields(string(b)), " ")
	if s == "" {
		return ""
	}
	return ": " + s
}
