package engine_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/bench"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

// BenchmarkIntake runs `salesflow bench`'s six-step intake workflow (one webhook) for b.N leads created 32 at a time
// through the service, with the engine running as in serve; it reports leads/s end to end.
func BenchmarkIntake(b *testing.B) {
	for _, db := range apptest.Databases {
		b.Run(db, func(b *testing.B) {
			a := apptest.Open(b, db)
			var got atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
			defer srv.Close()
			guard, _ := notify.NewGuard("127.0.0.1/32")
			e := engine.New(a.Service, engine.Options{Logger: slog.New(slog.DiscardHandler), Webhooks: notify.NewSender(guard, 10*time.Second, nil)})
			a.Store.AfterWrite(e.Changed)
			ctx, cancel := context.WithCancel(context.Background())
			if err := e.Init(ctx); err != nil { // as serve does before it takes requests: else the feed may start after the first leads
				b.Fatal(err)
			}
			done := make(chan struct{})
			go func() { _ = e.Run(ctx); close(done) }()
			defer func() { cancel(); <-done }()
			_, err := a.Service.Create(ctx, admin, "user", map[string]any{"email": "revops@example.com", "name": "Ops", "role": "admin"})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := a.Definitions.Apply(ctx, admin, []workflow.Source{{File: "b.yaml", Content: []byte(bench.Workflow("intake", "revops@example.com", srv.URL))}}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			var next atomic.Int64
			var wg sync.WaitGroup
			for range 32 {
				wg.Go(func() {
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						if _, err := a.Service.Create(ctx, admin, "lead", map[string]any{"email": fmt.Sprintf("l%d@b.example", i), "employees": i % 300, "source": "intake"}); err != nil {
							b.Error(err)
						}
					}
				})
			}
			wg.Wait()
			for got.Load() < int64(b.N) && time.Since(start) < 5*time.Minute {
				time.Sleep(5 * time.Millisecond)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "leads/s")
		})
	}
}

// BenchmarkTimersFire measures how many due delay timers the engine fires per second: b.N runs wait
// on a 1 h delay, the clock moves past it, and Drain fires them all (each fire runs the step after the
// delay and ends the run).
func BenchmarkTimersFire(b *testing.B) {
	a := apptest.Open(b, "sqlite")
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	e := engine.New(a.Service, engine.Options{Logger: slog.New(slog.DiscardHandler), Now: now})
	ctx := context.Background()
	if _, err := e.Drain(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := a.Service.Create(ctx, admin, "user", map[string]any{"email": "revops@example.com", "name": "Ops", "role": "admin"}); err != nil {
		b.Fatal(err)
	}
	flow := "kind: workflow\nname: wait\nowner: revops@example.com\nreview_every: 90d\nobject: lead\ntrigger: { on: lead.created }\nsteps:\n  - delay: { duration: 1h }\n  - action: set\n    with: { status: working }\n"
	if _, _, err := a.Definitions.Apply(ctx, admin, []workflow.Source{{File: "w.yaml", Content: []byte(flow)}}); err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		if _, err := a.Service.Create(ctx, admin, "lead", map[string]any{"email": fmt.Sprintf("t%d@b.example", i)}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := e.Drain(ctx); err != nil {
		b.Fatal(err)
	}
	clock.Add(int64(time.Hour + time.Second))
	b.ResetTimer()
	start := time.Now()
	if _, err := e.Drain(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "timers/s")
}

// BenchmarkMillionPendingTimers puts a million future timers in the jobs table and measures the
// engine's heap while it claims and runs other work beside them: pending timers live on disk.
func BenchmarkMillionPendingTimers(b *testing.B) {
	a := apptest.Open(b, "sqlite")
	ctx := context.Background()
	far := time.Now().Add(30 * 24 * time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z")
	err := a.Store.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
			INSERT INTO jobs (key, kind, payload, due_at, created_at) SELECT 'run:pending-' || i, 'run', '{"rev": 1}', $1, $1 FROM n`, far)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	e := engine.New(a.Service, engine.Options{Logger: slog.New(slog.DiscardHandler)})
	b.ResetTimer()
	for range b.N {
		if _, err := e.Drain(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
	var n int
	_ = a.Store.Read(ctx, func(tx *store.Tx) error { n, err = tx.CountJobs(ctx, ""); return err })
	b.ReportMetric(float64(n), "pending")
}
