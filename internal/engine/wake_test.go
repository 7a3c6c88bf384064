package engine_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/store"
)

const enrollFlow = `kind: workflow
name: enrollme
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - action: set
    with: { status: working }
`

// TestFeedWokenWhenOlderWriterCommits (PostgreSQL): a lead's event commits while an older write
// transaction of this process (one that writes no event: a claim, a wait step, a setting) is still
// open. The feed pass that the lead's commit wakes cannot read the event yet (FeedBound stops below
// the older transaction); the older transaction's commit must wake the feed again, or the lead waits
// for the poll (here an hour). A review found that wake missing.
func TestFeedWokenWhenOlderWriterCommits(t *testing.T) {
	h := newHarness(t, "postgres")
	h.apply(enrollFlow)
	e := engine.New(h.a.Service, engine.Options{Logger: slog.New(slog.DiscardHandler), Workers: 2, Poll: time.Hour})
	h.a.Store.AfterWrite(e.Changed)
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	time.Sleep(300 * time.Millisecond) // the loops' first passes

	hold, held := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		err := h.a.Store.Write(h.ctx, func(tx *store.Tx) error {
			if err := tx.SetSetting(h.ctx, "review", "x", time.Now()); err != nil { // takes a transaction id
				return err
			}
			close(held)
			<-hold
			return nil
		})
		require.NoError(t, err)
	})
	<-held
	h.create("lead", map[string]any{"email": "late@feed.example"}) // commits its event; wakes the feed
	time.Sleep(300 * time.Millisecond)                             // the woken pass reads nothing (bound)
	require.Empty(t, h.runs("enrollme"), "the older transaction holds the feed back")
	close(hold) // the older transaction commits, writing no event
	wg.Wait()
	require.Eventually(t, func() bool { return len(h.runs("enrollme")) == 1 }, 3*time.Second, 20*time.Millisecond,
		"the lead is enrolled once the transaction holding the feed back commits, not at the next poll")
}

// TestClaimWokenWhenLockingWriterCommits (PostgreSQL): a due job is skipped by ClaimJobs (SKIP LOCKED)
// while another transaction holds its row (SetJobPayload, as apply --waiting move does). That
// transaction's commit must wake the workers again, or the job waits for the poll (here an hour).
func TestClaimWokenWhenLockingWriterCommits(t *testing.T) {
	h := newHarness(t, "postgres")
	var mu sync.Mutex
	clock := time.Now().UTC().Truncate(time.Second)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	e := engine.New(h.a.Service, engine.Options{Logger: slog.New(slog.DiscardHandler), Workers: 2, Poll: time.Hour, Now: now})
	h.a.Store.AfterWrite(e.Changed)
	write := func(fn func(tx *store.Tx) error) { require.NoError(t, h.a.Store.Write(h.ctx, fn)) }
	// X: due in a minute (no wake, rightly).
	write(func(tx *store.Tx) error {
		return tx.UpsertJob(h.ctx, store.Job{Key: "mail:x", Kind: "mail", DueAt: now().Add(time.Minute), Payload: map[string]any{"to": "a@b.example"}}, now())
	})
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	time.Sleep(300 * time.Millisecond)

	hold, held := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		write(func(tx *store.Tx) error {
			if err := tx.SetJobPayload(h.ctx, "mail:x", map[string]any{"to": "c@d.example"}); err != nil { // locks X's row
				return err
			}
			close(held)
			<-hold
			return nil
		})
	})
	<-held
	mu.Lock()
	clock = clock.Add(2 * time.Minute) // X is due now
	mu.Unlock()
	// Y: due now, wakes the workers; their claim skips X (locked).
	write(func(tx *store.Tx) error {
		return tx.UpsertJob(h.ctx, store.Job{Key: "mail:y", Kind: "mail", DueAt: now(), Payload: map[string]any{"to": "a@b.example"}}, now())
	})
	time.Sleep(300 * time.Millisecond)
	close(hold)
	wg.Wait()
	require.Eventually(t, func() bool {
		n := -1
		_ = h.a.Store.Read(h.ctx, func(tx *store.Tx) (err error) { n, err = tx.CountJobs(h.ctx, "mail"); return err })
		return n == 0
	}, 3*time.Second, 20*time.Millisecond, "X runs once the transaction that held its row commits")
}
