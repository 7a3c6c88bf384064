package engine

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/salesflow/salesflow/internal/store"
)

// metrics are the engine's Prometheus series; counters move after the transaction they count commits.
type metrics struct {
	started  prometheus.Counter
	finished *prometheus.CounterVec
	retries  prometheus.Counter
}

func newMetrics() *metrics {
	return &metrics{
		started: prometheus.NewCounter(prometheus.CounterOpts{Name: "salesflow_engine_runs_started_total",
			Help: "Runs started (enrollments)."}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "salesflow_engine_runs_finished_total",
			Help: "Runs ended, by status (completed, failed, exited, cancelled)."}, []string{"status"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{Name: "salesflow_engine_step_retries_total",
			Help: "Failed step attempts that will be tried again."}),
	}
}

// Collectors returns the engine's metrics for a registry: the counters, and two gauges read from the
// database at scrape time — jobs due and not yet taken (work waiting for a worker, timers late), and
// events the trigger feed has not handled (on PostgreSQL, also those held back by an open transaction).
func (e *Engine) Collectors() []prometheus.Collector {
	gauge := func(name, help string, f func(ctx context.Context, tx *store.Tx) (float64, error)) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			var v float64
			err := e.st.Read(ctx, func(tx *store.Tx) error {
				var err error
				v, err = f(ctx, tx)
				return err
			})
			if err != nil {
				return -1
			}
			return v
		})
	}
	return []prometheus.Collector{e.m.started, e.m.finished, e.m.retries,
		gauge("salesflow_engine_jobs_due", "Jobs (run steps, timers, triggers) due now and not taken by a worker.",
			func(ctx context.Context, tx *store.Tx) (float64, error) {
				n, err := tx.CountDueJobs(ctx, e.now())
				return float64(n), err
			}),
		gauge("salesflow_engine_feed_behind", "Events written and not yet handled by the trigger feed (up to 10000).",
			func(ctx context.Context, tx *store.Tx) (float64, error) {
				p, _, err := tx.FeedCursor(ctx, feedName)
				if err != nil {
					return 0, err
				}
				n, err := tx.CountFeedBehind(ctx, p, 10000)
				return float64(n), err
			}),
	}
}
