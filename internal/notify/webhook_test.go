package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var testNow = time.Date(2030, 3, 4, 5, 6, 7, 0, time.UTC)

// captured is one request as the receiver saw it.
type captured struct {
	header http.Header
	body   []byte
}

// recorder is an httptest receiver that keeps every request it gets.
type recorder struct {
	mu   sync.Mutex
	reqs []captured
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, captured{r.Header.Clone(), body})
	rec.mu.Unlock()
	_, _ = w.Write([]byte(`{"ok":true}`))
}

func (rec *recorder) requests() []captured {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]captured(nil), rec.reqs...)
}

// loopbackSender may reach httptest servers, which listen on 127.0.0.1.
func loopbackSender(t *testing.T, timeout time.Duration) *Sender {
	t.Helper()
	g, err := NewGuard("127.0.0.1/32")
	require.NoError(t, err)
	s := NewSender(g, timeout, func() time.Time { return testNow })
	t.Cleanup(s.CloseIdleConnections)
	return s
}

func TestSendSignsAndKeepsIdempotencyKey(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	s := loopbackSender(t, 5*time.Second)

	w := Webhook{
		URL:            srv.URL + "/hooks/deal",
		Body:           []byte(`{"deal":"won"}`),
		Headers:        map[string]string{"X-Tenant": "acme", IdempotencyHeader: "forged", SignatureHeader: "forged"},
		Secret:         []byte("s3cret"),
		IdempotencyKey: "run-42/step-3",
	}
	for range 2 {
		resp, err := s.Send(t.Context(), w)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.Status)
		require.JSONEq(t, `{"ok":true}`, string(resp.Body))
	}

	reqs := rec.requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		require.Equal(t, "run-42/step-3", r.header.Get(IdempotencyHeader))
		require.Equal(t, "application/json", r.header.Get("Content-Type"))
		require.Equal(t, "Salesflow-Webhook/1", r.header.Get("User-Agent"))
		require.Equal(t, "acme", r.header.Get("X-Tenant"))
		require.Equal(t, strconv.FormatInt(testNow.Unix(), 10), r.header.Get(TimestampHeader))
		require.Equal(t, w.Body, r.body)
		require.NoError(t, Verify("s3cret", r.header.Get(SignatureHeader), r.body, testNow, time.Minute))
		require.Error(t, Verify("other", r.header.Get(SignatureHeader), r.body, testNow, time.Minute))
	}
	require.Equal(t, reqs[0].header.Get(IdempotencyHeader), reqs[1].header.Get(IdempotencyHeader))
}

func TestSendUnsignedWithoutSecret(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)

	_, err := loopbackSender(t, 5*time.Second).Send(t.Context(), Webhook{URL: srv.URL, Method: "put", Body: []byte(`{}`)})
	require.NoError(t, err)
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	require.Empty(t, reqs[0].header.Get(SignatureHeader))
	require.Empty(t, reqs[0].header.Get(IdempotencyHeader))
}

func TestSendClassifiesAnswers(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ra := r.URL.Query().Get("ra"); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		if loc := r.URL.Query().Get("loc"); loc != "" {
			w.Header().Set("Location", loc)
		}
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		w.WriteHeader(code)
		_, _ = w.Write([]byte("answer"))
	}))
	t.Cleanup(srv.Close)
	s := loopbackSender(t, 5*time.Second)
	httpDate := testNow.Add(90 * time.Second).Format(http.TimeFormat)

	for _, tc := range []struct {
		code      int
		ra, loc   string
		retry     bool
		permanent bool
		after     time.Duration
	}{
		{code: 200},
		{code: 204},
		{code: 503, retry: true},
		{code: 500, retry: true},
		{code: 408, retry: true},
		{code: 425, retry: true},
		{code: 429, ra: "7", retry: true, after: 7 * time.Second},
		{code: 503, ra: httpDate, retry: true, after: 90 * time.Second},
		{code: 429, ra: "86400", retry: true, after: time.Hour},
		{code: 400, permanent: true},
		{code: 404, permanent: true},
		{code: 302, loc: "/elsewhere", permanent: true},
	} {
		t.Run(fmt.Sprintf("%d %s%s", tc.code, tc.ra, tc.loc), func(t *testing.T) {
			t.Parallel()
			q := url.Values{"code": {strconv.Itoa(tc.code)}, "ra": {tc.ra}, "loc": {tc.loc}}
			resp, err := s.Send(t.Context(), Webhook{URL: srv.URL + "/?" + q.Encode(), Body: []byte(`{}`)})
			require.Equal(t, tc.code, resp.Status, "the response is returned even with an error")
			switch {
			case tc.retry:
				var re *RetryError
				require.ErrorAs(t, err, &re)
				require.Equal(t, tc.after, re.After)
			case tc.permanent:
				var pe *PermanentError
				require.ErrorAs(t, err, &pe)
				require.Equal(t, tc.code, pe.Status)
				require.Contains(t, pe.Error(), tc.loc)
			default:
				require.NoError(t, err)
			}
			if tc.code != http.StatusNoContent {
				require.Equal(t, "answer", string(resp.Body))
			}
		})
	}
}

func TestSendTimeoutIsRetryable(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close

	_, err := loopbackSender(t, 50*time.Millisecond).Send(t.Context(), Webhook{URL: srv.URL, Body: []byte(`{}`)})
	var re *RetryError
	require.ErrorAs(t, err, &re)
	require.Contains(t, err.Error(), "no answer within")
}

func TestSendConnectionRefusedIsRetryable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())

	_, err = loopbackSender(t, 5*time.Second).Send(t.Context(), Webhook{URL: "http://" + addr, Body: []byte(`{}`)})
	var re *RetryError
	require.ErrorAs(t, err, &re)
}

func TestSendRejectsBadURLs(t *testing.T) {
	t.Parallel()
	s := NewSender(nil, time.Second, nil)
	for _, u := range []string{"ftp://example.com/x", "file:///etc/passwd", "http://", "://nope", "example.com/no-scheme"} {
		_, err := s.Send(context.Background(), Webhook{URL: u})
		var pe *PermanentError
		require.ErrorAs(t, err, &pe, u)
		require.Zero(t, pe.Status, u)
	}
}

func TestErrorsHideURLPath(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	_, err := loopbackSender(t, 5*time.Second).Send(t.Context(), Webhook{URL: srv.URL + "/services/T000/SECRET-TOKEN"})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "SECRET-TOKEN")
	require.Contains(t, err.Error(), srv.URL)
}

func TestSlack(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gone" {
			http.Error(w, "no_service", http.StatusNotFound)
			return
		}
		var m map[string]string
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		m["key"] = r.Header.Get(IdempotencyHeader)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	s := loopbackSender(t, 5*time.Second)

	require.NoError(t, s.Slack(t.Context(), srv.URL+"/hook", `Deal "Acme" won`, "run-1/step-1"))
	mu.Lock()
	require.Equal(t, []map[string]string{{"text": `Deal "Acme" won`, "key": "run-1/step-1"}}, got)
	mu.Unlock()

	var pe *PermanentError
	require.ErrorAs(t, s.Slack(t.Context(), srv.URL+"/gone", "hi", "k"), &pe)
	require.Equal(t, http.StatusNotFound, pe.Status)
	require.ErrorAs(t, s.Slack(t.Context(), srv.URL+"/hook", "  ", "k"), &pe)
}
