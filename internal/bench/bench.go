// Package bench drives a running Salesflow server over HTTP with an intake-like workflow — six steps,
// one of them a webhook to a receiver this process runs — and measures leads per second and the
// latency from each lead's POST to its webhook's arrival. `salesflow bench` runs it; the numbers go in
// docs/performance.md.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/salesflow/salesflow/client"
)

// Options configure one run.
type Options struct {
	Server, Token string
	Leads         int           // how many leads to post
	Concurrency   int           // posters at once (closed loop) when Rate is 0
	Rate          float64       // leads per second (open loop); 0 means as fast as Concurrency allows
	Receiver      string        // host:port the webhook receiver listens on (127.0.0.1:0)
	PID           int           // the server's process id, to sample its memory (0: do not)
	Timeout       time.Duration // how long to wait for the last webhook
}

// Result is what a run measured.
type Result struct {
	Leads       int           `json:"leads"`
	Delivered   int           `json:"delivered"`
	Elapsed     time.Duration `json:"elapsed"`
	LeadsPerSec float64       `json:"leads_per_sec"`
	P50         time.Duration `json:"p50"`
	P95         time.Duration `json:"p95"`
	P99         time.Duration `json:"p99"`
	Max         time.Duration `json:"max"`
	MaxRSSMiB   float64       `json:"max_rss_mib"`
	ServerCPU   time.Duration `json:"server_cpu"` // user and system time of --pid while the leads went through
	// WriterBusy is how long SQLite's single writer ran groups of writes meanwhile (0 on PostgreSQL), of
	// Window: against the clock, how near the server was to its limit.
	WriterBusy time.Duration `json:"writer_busy"`
	Window     time.Duration `json:"window"`
	PostErrors int64         `json:"post_errors"`
}

func (r Result) String() string {
	s := fmt.Sprintf("%d leads, %d webhooks in %s: %.0f leads/s; POST→webhook p50 %s p95 %s p99 %s max %s",
		r.Leads, r.Delivered, r.Elapsed.Round(time.Millisecond), r.LeadsPerSec, ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max))
	if r.MaxRSSMiB > 0 {
		s += fmt.Sprintf("; server RSS max %.0f MiB", r.MaxRSSMiB)
	}
	if r.ServerCPU > 0 && r.Delivered > 0 {
		s += fmt.Sprintf("; server CPU %.2fs (%.2f ms a lead)", r.ServerCPU.Seconds(), float64(r.ServerCPU.Microseconds())/1000/float64(r.Delivered))
	}
	if r.WriterBusy > 0 && r.Delivered > 0 && r.Window > 0 {
		s += fmt.Sprintf("; SQLite writer busy %.2f ms a lead (%.0f %% of the time)",
			float64(r.WriterBusy.Microseconds())/1000/float64(r.Delivered), 100*r.WriterBusy.Seconds()/r.Window.Seconds())
	}
	if r.PostErrors > 0 {
		s += fmt.Sprintf("; %d POST errors", r.PostErrors)
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// Workflow is the bench's intake workflow, named name (it enrolls only leads whose source is name),
// owned by owner, calling the receiver at receiverURL. BenchmarkIntake runs the same one in process.
func Workflow(name, owner, receiverURL string) string {
	return fmt.Sprintf(flow, name, owner, receiverURL)
}

const flow = `kind: workflow
name: %[1]s
owner: %[2]s
review_every: 90d
object: lead
trigger: { on: lead.created, when: lead.source == "%[1]s" }
steps:
  - action: set
    with: { status: working }
  - if: lead.employees >= 100.0
    then:
      - action: set
        with: { title: "enterprise" }
  - id: push
    action: webhook
    with: { url: "%[3]s/hook", body: '{"email": "{{ lead.email }}"}' }
  - action: log_activity
    with: { type: note, subject: "pushed to the CRM" }
  - action: set
    with: { timeline: "handed over" }
`

// Run applies the bench workflow (a new name each run), posts the leads and waits for their webhooks.
func Run(ctx context.Context, o Options, log io.Writer) (Result, error) {
	cl := client.New(o.Server, o.Token, &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 512}})
	if _, err := cl.Me(ctx); err != nil {
		return Result{}, fmt.Errorf("reach the server: %w", err)
	}
	owner, err := ownerEmail(ctx, cl)
	if err != nil {
		return Result{}, err
	}
	rcv, err := listen(o.Receiver)
	if err != nil {
		return Result{}, err
	}
	defer rcv.close()
	name := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	if _, err := cl.Apply(ctx, []client.File{{Name: name + ".yaml", Content: Workflow(name, owner, rcv.url)}}); err != nil {
		return Result{}, fmt.Errorf("apply the bench workflow: %w", err)
	}
	defer func() { // its runs are done; a later bench must not evaluate it for every lead it posts
		if _, err := cl.SetState(context.WithoutCancel(ctx), "workflow", name, "archive"); err != nil {
			fmt.Fprintf(log, "archive %s: %v\n", name, err)
		}
	}()
	fmt.Fprintf(log, "workflow %s applied; posting %d leads (concurrency %d, rate %v/s); webhooks to %s\n", name, o.Leads, o.Concurrency, o.Rate, rcv.url)
	rss, cpu0 := sampleRSS(o.PID), cpuTime(o.PID)
	busy0, start := writerBusy(ctx, o.Server), time.Now()
	res := post(ctx, cl, o, name, rcv)
	deadline := time.Now().Add(o.Timeout)
	for rcv.count() < o.Leads-int(res.PostErrors) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	res.MaxRSSMiB = rss()
	if cpu0 > 0 {
		res.ServerCPU = cpuTime(o.PID) - cpu0
	}
	if busy0 >= 0 {
		if busy := writerBusy(ctx, o.Server); busy >= 0 {
			res.WriterBusy, res.Window = busy-busy0, time.Since(start)
		}
	}
	return rcv.result(res), nil
}

// ownerEmail is a user the workflow can name as its owner: an admin.
func ownerEmail(ctx context.Context, cl *client.Client) (string, error) {
	page, err := cl.List(ctx, "users", url.Values{"role": {"admin"}, "limit": {"1"}})
	if err != nil {
		return "", err
	}
	if len(page.Items) == 0 {
		return "", fmt.Errorf("the bench workflow needs an admin user as its owner; create one")
	}
	return fmt.Sprint(page.Items[0]["email"]), nil
}

// post sends the leads, each stamped with its send time at the receiver's side.
func post(ctx context.Context, cl *client.Client, o Options, source string, rcv *receiver) Result {
	var errs atomic.Int64
	var next atomic.Int64
	start := time.Now()
	rcv.start = start
	var wg sync.WaitGroup
	interval := time.Duration(0)
	if o.Rate > 0 {
		interval = time.Duration(float64(time.Second) / o.Rate)
	}
	for range o.Concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= o.Leads || ctx.Err() != nil {
					return
				}
				if interval > 0 {
					if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
						time.Sleep(d)
					}
				}
				email := fmt.Sprintf("l%d-%s@bench.example", i, source)
				rcv.sent(email)
				_, err := cl.Create(ctx, "leads", map[string]any{"email": email, "source": source, "employees": i % 500}, "")
				if err != nil {
					errs.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return Result{Leads: o.Leads, PostErrors: errs.Load()}
}

// receiver is the webhook's destination; it keeps when each lead's first webhook arrived.
type receiver struct {
	srv   *http.Server
	url   string
	mu    sync.Mutex
	start time.Time
	sentAt,
	gotAt map[string]time.Time
	last time.Time
}

func listen(addr string) (*receiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("webhook receiver: %w", err)
	}
	r := &receiver{url: "http://" + ln.Addr().String(), sentAt: map[string]time.Time{}, gotAt: map[string]time.Time{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) close() { _ = r.srv.Close() }

func (r *receiver) sent(email string) {
	r.mu.Lock()
	r.sentAt[email] = time.Now()
	r.mu.Unlock()
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var body struct {
		Email string `json:"email"`
	}
	_ = json.NewDecoder(req.Body).Decode(&body)
	now := time.Now()
	r.mu.Lock()
	if _, dup := r.gotAt[body.Email]; !dup {
		r.gotAt[body.Email] = now
		r.last = now
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.gotAt)
}

func (r *receiver) result(res Result) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	var lat []time.Duration
	for email, got := range r.gotAt {
		if sent, ok := r.sentAt[email]; ok {
			lat = append(lat, got.Sub(sent))
		}
	}
	slices.Sort(lat)
	res.Delivered = len(lat)
	res.Elapsed = r.last.Sub(r.start)
	if res.Elapsed > 0 {
		res.LeadsPerSec = float64(res.Delivered) / res.Elapsed.Seconds()
	}
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	res.P50, res.P95, res.P99, res.Max = pct(0.50), pct(0.95), pct(0.99), pct(1)
	return res
}

// sampleRSS samples a process's resident memory every 100 ms until the returned function is called,
// which returns the largest sample in MiB (0 when pid is 0 or unreadable).
func sampleRSS(pid int) func() float64 {
	if pid == 0 {
		return func() float64 { return 0 }
	}
	var max atomic.Int64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := rssKB(pid); kb > max.Load() {
				max.Store(kb)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 { close(done); return float64(max.Load()) / 1024 }
}

// cpuTime reads a process's user and system time from /proc (Linux; 0 when pid is 0 or unreadable). The
// server's CPU per lead moves far less than leads/s on a machine shared with others, so it is the
// figure to compare builds by.
func cpuTime(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, field 2, may hold spaces: count fields from after its closing parenthesis.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64) // fields 14 and 15 of the whole line
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const userHZ = 100 // the unit of /proc times (USER_HZ), 100 on Linux
	return time.Duration(utime+stime) * time.Second / userHZ
}

// writerBusy reads salesflow_store_writer_busy_seconds_total from the server's /metrics; -1 when it
// has none (PostgreSQL) or cannot be read.
func writerBusy(ctx context.Context, server string) time.Duration {
	const name = "salesflow_store_writer_busy_seconds_total "
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(server, "/")+"/metrics", nil)
	if err != nil {
		return -1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				return time.Duration(f * float64(time.Second))
			}
		}
	}
	return -1
}

// rssKB reads VmRSS from /proc (Linux).
func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
