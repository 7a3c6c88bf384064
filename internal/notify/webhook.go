package notify

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	// maxResponseBody bounds what a receiver can make us hold in memory and
	// store in run history.
	maxResponseBody = 64 << 10
	defaultTimeout  = 10 * time.Second
	userAgent       = "Salesflow-Webhook/1"
)

// Webhook is one outbound HTTP delivery.
type Webhook struct {
	URL    string
	Method string // default POST
	Body   []byte // JSON text
	// Headers are extra request headers. The ones this package sets
	// (Content-Type, User-Agent, Idempotency-Key, X-Salesflow-*) win, so a
	// workflow cannot forge a signature or key.
	Headers map[string]string
	// Secret is the HMAC key for X-Salesflow-Signature; nil sends unsigned.
	Secret []byte
	// IdempotencyKey is sent as Idempotency-Key. The caller derives it from
	// the run and step so it stays the same across retries and the receiver
	// can drop duplicates.
	IdempotencyKey string
}

// Response is what the receiver answered, kept for run history.
type Response struct {
	Status int
	Body   []byte // at most the first 64 KiB
	Header http.Header
}

// Sender delivers webhooks through a Guard. It is safe for concurrent use.
//
// Signed requests carry X-Salesflow-Timestamp: <t> and
// X-Salesflow-Signature: t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>,
// with t in Unix seconds taken at each attempt; receivers check it with
// Verify (see its doc for the recipe in any language).
type Sender struct {
	client  *http.Client
	guard   *Guard
	timeout time.Duration
	now     func() time.Time
}

// NewSender returns a Sender whose every attempt (connect, request and
// reading the response) is bounded by timeout (<= 0 means 10s). guard may be
// nil for the default policy (public addresses only); now may be nil for
// time.Now and is injectable so signatures and Retry-After dates are testable.
//
// The Sender uses its own Transport: it ignores HTTP(S)_PROXY, because a
// proxy would dial on our behalf and bypass the Guard, and it never follows
// redirects, because a redirect could point anywhere.
func NewSender(guard *Guard, timeout time.Duration, now func() time.Time) *Sender {
	if guard == nil {
		guard = newGuard()
	}
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	if now == nil {
		now = time.Now
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           guard.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   32, // webhooks of many runs go to one host at once: keep their connections
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
	}
	client := &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return &Sender{client: client, guard: guard, timeout: timeout, now: now}
}

// CloseIdleConnections releases pooled connections, e.g. at shutdown.
func (s *Sender) CloseIdleConnections() { s.client.CloseIdleConnections() }

// Send makes one delivery attempt. A 2xx answer is success; otherwise the
// error is a *RetryError or a *PermanentError (see the package doc). The
// Response is filled whenever the receiver answered, even with an error, so
// the caller can record what it said.
func (s *Sender) Send(ctx context.Context, w Webhook) (Response, error) {
	return s.send(ctx, "webhook", w)
}

// Slack posts text to a Slack-compatible incoming webhook ({"text": …}),
// through the same Guard and with the same error types as Send. Slack ignores
// the idempotency key, but compatible services may honour it.
func (s *Sender) Slack(ctx context.Context, url, text, idempotencyKey string) error {
	if strings.TrimSpace(text) == "" {
		return &PermanentError{Err: errors.New("slack webhook: message text is empty")}
	}
	body, err := json.Marshal(struct {
		Text string `json:"text"`
	}{text})
	if err != nil {
		return &PermanentError{Err: fmt.Errorf("slack webhook: encode message: %w", err)}
	}
	_, err = s.send(ctx, "slack webhook", Webhook{URL: url, Body: body, IdempotencyKey: idempotencyKey})
	return err
}

func (s *Sender) send(ctx context.Context, kind string, w Webhook) (Response, error) {
	u, err := s.target(w.URL)
	if err != nil {
		return Response{}, &PermanentError{Err: fmt.Errorf("%s: %w", kind, err)}
	}
	method := strings.ToUpper(cmp.Or(w.Method, http.MethodPost))
	// Errors name only scheme and host: webhook paths often embed tokens
	// (Slack's do) and errors end up in run history.
	what := fmt.Sprintf("%s %s %s://%s", kind, method, u.Scheme, u.Host)

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(w.Body))
	if err != nil {
		return Response{}, &PermanentError{Err: fmt.Errorf("%s: build request: %w", what, err)}
	}
	s.setHeaders(req, w)

	resp, err := s.client.Do(req)
	if err != nil {
		return Response{}, s.transportError(what, err)
	}
	defer resp.Body.Close()
	// A failed body read does not change the outcome: the status line already
	// told us whether the receiver accepted the delivery.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	out := Response{Status: resp.StatusCode, Body: body, Header: resp.Header}
	return out, s.statusError(what, resp)
}

// target parses and vets the URL before any network traffic. Literal IPs are
// checked here as well as at connect time so the refusal is immediate.
func (s *Sender) target(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("bad URL: %w", err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("URL scheme %q not allowed: use http or https", u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("URL has no host")
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := s.guard.Check(host, ip); err != nil {
			return nil, err
		}
	}
	return u, nil
}

func (s *Sender) setHeaders(req *http.Request, w Webhook) {
	for k, v := range w.Headers {
		req.Header.Set(k, v)
	}
	t := s.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set(TimestampHeader, strconv.FormatInt(t, 10))
	req.Header.Del(SignatureHeader)
	req.Header.Del(IdempotencyHeader)
	if w.IdempotencyKey != "" {
		req.Header.Set(IdempotencyHeader, w.IdempotencyKey)
	}
	if len(w.Secret) > 0 {
		req.Header.Set(SignatureHeader, signature(w.Secret, t, w.Body))
	}
}

func (s *Sender) transportError(what string, err error) error {
	// url.Error repeats the full URL, which may hold secrets; drop it.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var refused *RefusedError
	if errors.As(err, &refused) {
		return &PermanentError{Err: fmt.Errorf("%s: %w", what, refused)}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &RetryError{Err: fmt.Errorf("%s: no answer within %s: %w", what, s.timeout, err)}
	}
	return &RetryError{Err: fmt.Errorf("%s: %w", what, err)}
}

func (s *Sender) statusError(what string, resp *http.Response) error {
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return nil
	case code >= 300 && code < 400:
		return &PermanentError{Status: code, Err: fmt.Errorf(
			"%s: answered %d redirecting to %q; redirects are not followed, configure the final URL",
			what, code, resp.Header.Get("Location"))}
	case code == http.StatusRequestTimeout, code == http.StatusTooEarly,
		code == http.StatusTooManyRequests, code >= 500:
		return &RetryError{
			Err:   fmt.Errorf("%s: answered %s", what, resp.Status),
			After: retryAfter(resp.Header.Get("Retry-After"), s.now()),
		}
	default:
		return &PermanentError{Status: code, Err: fmt.Errorf("%s: answered %s", what, resp.Status)}
	}
}
