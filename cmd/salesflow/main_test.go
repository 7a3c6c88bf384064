package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// These tests run the real binary: what a person does on a fresh machine.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "salesflow-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "salesflow")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
}

type syncBuffer struct {
	ch  chan string
	buf bytes.Buffer
}

var listening = regexp.MustCompile(`"msg":"salesflow listening".*"addr":"([^"]+)"`)

// start runs `salesflow serve` and waits (bounded, not asserted) until it reports its address.
func start(t *testing.T, args ...string) *server {
	t.Helper()
	return startWith(t, nil, args...)
}

// startWith is start with more environment variables (KEY=value).
func startWith(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(append(os.Environ(), "SALESFLOW_ADMIN_TOKEN=", "SALESFLOW_DATABASE_URL="), env...)
	pipe, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	s := &server{cmd: cmd, stderr: &syncBuffer{ch: make(chan string, 1)}}
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			s.stderr.buf.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil {
				s.stderr.ch <- m[1]
			}
		}
		close(s.stderr.ch)
	}()
	select {
	case addr, ok := <-s.stderr.ch:
		require.True(t, ok, "server exited before listening")
		s.url = "http://" + addr
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return s
}

func (s *server) do(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, out
}

func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

func TestServeDemoSurvivesKill9(t *testing.T) {
	data := t.TempDir()
	s := start(t, "--demo", "--data", data)
	code, _ := s.do(t, "GET", "/readyz", "", "")
	require.Equal(t, 200, code)
	tok, err := os.ReadFile(filepath.Join(data, "demo-admin-token"))
	require.NoError(t, err)
	admin := strings.TrimSpace(string(tok))

	code, page := s.do(t, "GET", "/api/v1/leads?limit=500", admin, "")
	require.Equal(t, 200, code)
	require.GreaterOrEqual(t, len(page["items"].([]any)), 200, "the demo has leads")

	// A second server on the same data refuses to start, saying why.
	_, stderr, err := run(t, "serve", "--data", data, "--addr", "127.0.0.1:0")
	require.Error(t, err)
	require.Contains(t, stderr, "locked by process")

	// Tokens can be made while the server runs; a rep cannot change another rep's lead.
	code, users := s.do(t, "GET", "/api/v1/users?role=rep&active=true&limit=2&sort=email", admin, "")
	require.Equal(t, 200, code)
	reps := users["items"].([]any)
	require.Len(t, reps, 2)
	rep1, rep2 := reps[0].(map[string]any), reps[1].(map[string]any)
	out, stderr, err := run(t, "token", "create", "--role", "rep", "--user", rep1["email"].(string), "--data", data)
	require.NoError(t, err, stderr)
	repTok := strings.TrimSpace(out)
	code, other := s.do(t, "POST", "/api/v1/leads", admin, fmt.Sprintf(`{"email":"owned@elsewhere.io","owner_id":%q}`, rep2["id"]))
	require.Equal(t, 201, code)
	code, _ = s.do(t, "PATCH", "/api/v1/leads/"+other["id"].(string), repTok, `{"status":"working"}`)
	require.Equal(t, 403, code)

	// A lead created right before kill -9 is there after a restart.
	code, lead := s.do(t, "POST", "/api/v1/leads", admin, `{"email":"Last.Words@Example.com","phone":"+1 415 555 2671"}`)
	require.Equal(t, 201, code)
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGKILL))
	_ = s.cmd.Wait()

	s2 := start(t, "--demo", "--data", data)
	code, got := s2.do(t, "GET", "/api/v1/leads/"+lead["id"].(string), admin, "")
	require.Equal(t, 200, code)
	require.Equal(t, "last.words@example.com", got["email"])
	require.Equal(t, "+14155552671", got["phone"])
	code, again := s2.do(t, "GET", "/api/v1/leads?limit=500", admin, "")
	require.Equal(t, 200, code)
	require.Len(t, again["items"], len(page["items"].([]any))+2, "the demo is seeded once, and nothing was lost")

	// SIGTERM shuts down gracefully.
	require.NoError(t, s2.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, s2.cmd.Wait())
	for range s2.stderr.ch { // wait for the log reader to finish
	}
	require.Contains(t, s2.stderr.buf.String(), "shutting down")
}
