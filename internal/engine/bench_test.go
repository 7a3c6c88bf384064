package engine_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/workflow"
)

const benchFlow = `kind: workflow
name: intake
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - action: set
    with: { status: working }
  - if: lead.employees >= 100.0
    then:
      - action: set
        with: { title: "enterprise" }
  - id: push
    action: webhook
    with: { url: "%s/hook", body: '{"email": "{{ lead.email }}"}' }
  - action: log_activity
    with: { type: note, subject: "pushed" }
  - action: set
    with: { timeline: "handed over" }
`

// BenchmarkIntake runs the six-step intake workflow (one webhook) for b.N leads created 32 at a time
// through the service, with the engine running as in serve; it reports leads/s end to end.
func BenchmarkIntake(b *testing.B) {
	for _, db := range apptest.Databases {
		b.Run(db, func(b *testing.B) {
			a := apptest.Open(b, db)
			var got atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
			defer srv.Close()
			guard, _ := notify.NewGuard("127.0.0.1/32")
			e := engine.New(a.Service, engine.Options{Logger: slog.New(slog.DiscardHandler), Webhooks: notify.NewSender(guard, 10*time.Second, nil), Workers: benchWorkers})
			a.Store.AfterWrite(e.Wake)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { _ = e.Run(ctx); close(done) }()
			defer func() { cancel(); <-done }()
			_, err := a.Service.Create(ctx, admin, "user", map[string]any{"email": "revops@example.com", "name": "Ops", "role": "admin"})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := a.Definitions.Apply(ctx, admin, []workflow.Source{{File: "b.yaml", Content: []byte(fmt.Sprintf(benchFlow, srv.URL))}}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			var next atomic.Int64
			var wg sync.WaitGroup
			for range 32 {
				wg.Go(func() {
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						if _, err := a.Service.Create(ctx, admin, "lead", map[string]any{"email": fmt.Sprintf("l%d@b.example", i), "employees": i % 300}); err != nil {
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

var benchWorkers = 8
