package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/notify"
)

// hookReceiver is the outside system: it answers 503 to its first calls, then 200 after a while (so
// that a kill finds calls in flight), and keeps every delivery with its idempotency key.
type hookReceiver struct {
	mu       sync.Mutex
	failures int
	byLead   map[string][]string // lead email → idempotency keys of its deliveries
	bad      []string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	if err := notify.Verify("crash-secret", r.Header.Get(notify.SignatureHeader), body, time.Now(), time.Hour); err != nil {
		h.bad = append(h.bad, err.Error())
	}
	email := strings.TrimSuffix(strings.TrimPrefix(string(body), `{"email":"`), `"}`)
	h.byLead[email] = append(h.byLead[email], r.Header.Get("Idempotency-Key"))
	fail := h.failures > 0
	if fail {
		h.failures--
	}
	h.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	select {
	case <-time.After(400 * time.Millisecond):
	case <-r.Context().Done(): // the server was killed during the call
	}
	w.WriteHeader(http.StatusOK)
}

const crashFlow = `kind: workflow
name: crash-intake
owner: ops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - action: set
    with: { status: working }
  - id: push
    action: webhook
    with: { url: "%s/hook", body: '{"email":"{{ lead.email }}"}', secret_env: CRASH_HOOK_SECRET }
  - delay: { duration: 2s }
  - action: log_activity
    with: { type: note, subject: "intake done" }
  - action: set
    with: { title: done }
`

// TestKill9MidStreamLosesNothingAndRepeatsNothing drives leads into a workflow with a webhook and a
// delay, kills the server with SIGKILL three times while it works, and checks that every accepted
// lead's run finished, every internal effect happened once, and every webhook was delivered with one
// idempotency key. The receiver takes 400 ms to answer, so kills land during calls; every delivery the
// receiver got is in the run's history (a 503 as `retrying`, a call cut short as `interrupted`).
func TestKill9MidStreamLosesNothingAndRepeatsNothing(t *testing.T) {
	rc := &hookReceiver{failures: 8, byLead: map[string][]string{}}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	data := t.TempDir()
	const token = "crash-test-admin"
	env := []string{"SALESFLOW_ADMIN_TOKEN=" + token, "SALESFLOW_WEBHOOK_ALLOWLIST=127.0.0.1/32", "CRASH_HOOK_SECRET=crash-secret"}
	s := startWith(t, env, "--data", data)
	flow := filepath.Join(t.TempDir(), "flow.yaml")
	require.NoError(t, os.WriteFile(flow, []byte(fmt.Sprintf(crashFlow, hook.URL)), 0o600))
	code, _ := s.do(t, "POST", "/api/v1/users", token, `{"email":"ops@example.com","name":"Ops","role":"admin"}`)
	require.Equal(t, 201, code)
	out, stderr, err := run(t, "apply", "-f", flow, "--server", s.url, "--token", token)
	require.NoError(t, err, stderr)
	require.Contains(t, out, "workflow/crash-intake: version 1 (created)")

	var accepted []string
	for round := range 4 {
		for i := range 15 {
			email := fmt.Sprintf("lead%d-%d@crash.example", round, i)
			code, _ := s.do(t, "POST", "/api/v1/leads", token, fmt.Sprintf(`{"email":%q}`, email))
			require.Equal(t, 201, code)
			accepted = append(accepted, email)
		}
		if round == 3 {
			break
		}
		time.Sleep(time.Duration(300*(round+1)) * time.Millisecond) // let some runs get going, some wait
		require.NoError(t, s.cmd.Process.Signal(syscall.SIGKILL))
		_ = s.cmd.Wait()
		s = startWith(t, env, "--data", data)
	}

	deadline := time.Now().Add(90 * time.Second)
	var completed int
	for time.Now().Before(deadline) {
		_, page := s.do(t, "GET", "/api/v1/runs?workflow=crash-intake&status=completed&limit=500", token, "")
		if completed = len(page["items"].([]any)); completed == len(accepted) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	require.Equal(t, len(accepted), completed, "every accepted lead's run finished")
	_, all := s.do(t, "GET", "/api/v1/runs?workflow=crash-intake&limit=500", token, "")
	require.Len(t, all["items"], len(accepted), "one run per lead")

	runOf := map[string]string{} // lead id → run id
	for _, it := range all["items"].([]any) {
		r := it.(map[string]any)
		runOf[r["record_id"].(string)] = r["id"].(string)
	}
	pushEntries := map[string]int{} // lead email → history entries of its webhook step
	for _, email := range accepted {
		_, page := s.do(t, "GET", "/api/v1/leads?email="+email, token, "")
		require.Len(t, page["items"], 1)
		lead := page["items"].([]any)[0].(map[string]any)
		require.Equal(t, "done", lead["title"], email)
		_, notes := s.do(t, "GET", "/api/v1/activities?record_id="+lead["id"].(string)+"&type=note", token, "")
		require.Len(t, notes["items"], 1, "the note of %s is logged once", email)
		_, run := s.do(t, "GET", "/api/v1/runs/"+runOf[lead["id"].(string)], token, "")
		for _, st := range run["steps"].([]any) {
			if st.(map[string]any)["step_id"] == "push" {
				pushEntries[email]++
			}
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for email, keys := range rc.byLead { // a delivery the history does not explain (a 503, a cut-short call) is a silent repeat
		require.LessOrEqual(t, len(keys), pushEntries[email], "%s: %d deliveries, %d history entries of the webhook step", email, len(keys), pushEntries[email])
	}
	require.Empty(t, rc.bad, "every delivery is signed")
	require.Zero(t, rc.failures, "the 503s were retried through")
	require.Len(t, rc.byLead, len(accepted), "every lead's webhook arrived")
	for email, keys := range rc.byLead {
		for _, k := range keys {
			require.Equal(t, keys[0], k, "%s: one idempotency key across %d deliveries", email, len(keys))
		}
		require.NotEmpty(t, keys[0])
	}
}
