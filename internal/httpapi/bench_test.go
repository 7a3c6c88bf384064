package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesflow/salesflow/internal/app/apptest"
)

// BenchmarkCreateLeadHTTP creates leads through the real HTTP server with 32 concurrent clients and
// reports creates per second and the p50/p99 latency. It never fails on a timing; the numbers go to
// docs/performance.md. Run:
//
//	go test -run '^$' -bench CreateLeadHTTP -benchtime 5000x ./internal/httpapi/
func BenchmarkCreateLeadHTTP(b *testing.B) {
	for _, db := range apptest.Databases {
		b.Run(db, func(b *testing.B) {
			srv, _ := apptest.Server(b, db)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			const workers = 32
			var next atomic.Int64
			lat := make([][]time.Duration, workers)
			var failed atomic.Int64
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						body := fmt.Sprintf(`{"email":"bench%d-%d@example.com","first_name":"B","company":"Bench Co","phone":"+1 415 555 %04d","employees":%d}`,
							i, time.Now().UnixNano(), i%10000, i%500)
						req, _ := http.NewRequest("POST", srv.URL+"/api/v1/leads", bytes.NewBufferString(body))
						req.Header.Set("Authorization", "Bearer "+adminToken)
						t0 := time.Now()
						res, err := client.Do(req)
						if err != nil || res.StatusCode != 201 {
							failed.Add(1)
						}
						if err == nil {
							res.Body.Close()
						}
						lat[w] = append(lat[w], time.Since(t0))
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d creates failed", n)
			}
			all := slices.Concat(lat...)
			slices.Sort(all)
			pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "creates/s")
			b.ReportMetric(pct(0.50), "p50_ms")
			b.ReportMetric(pct(0.99), "p99_ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
