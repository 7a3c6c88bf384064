package engine_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

// TestStateKeptByAddressBeforeTheUpgradeIsRead: a build before 2026-12-06 kept a contact policy's
// deferral and a step's attempts by step address; a run waiting across the upgrade goes on as it would
// have (found by review: the deferred task was taken as completed and never created). The handoff's
// state is checked in TestHandoffNobodyTakesGoesBackToThePreviousOwner.
func TestStateKeptByAddressBeforeTheUpgradeIsRead(t *testing.T) {
	for _, moved := range []bool{false, true} {
		t.Run(fmt.Sprintf("deferred task, moved=%v", moved), func(t *testing.T) {
			eachDB(t, func(t *testing.T, db string) {
				_, opt := withSMTP(t)
				h := newHarness(t, db, opt)
				h.a.Definitions.SetRuntime(h.e)
				h.apply("kind: policy\nname: default\ncontact:\n  max_touches: { per_contact: 1, per: 1d }\non_blocked: defer\n")
				h.apply(fmt.Sprintf(emailThenTask, ""))
				h.create("lead", map[string]any{"email": "ann@acme.com", "first_name": "Ann", "owner_id": h.owner})
				h.drain()
				run := h.only("touches")
				require.Equal(t, "call", run.State["deferred"])
				asOlderBuild(t, h, run.ID, func(r *store.Run) { r.State["deferred"] = r.Cursor })
				if moved { // to a version where the task's old address is the email's
					v2 := fmt.Sprintf(emailThenTask, "- { id: hello, action: set, with: { title: moved } }")
					res, _, err := h.a.Definitions.ApplyWith(h.ctx, admin, []workflow.Source{{File: "v2.yaml", Content: []byte(v2)}},
						definitions.ApplyOptions{Waiting: definitions.WaitingMove})
					require.NoError(t, err)
					require.Equal(t, 1, res.Applied[0].Waiting["moved"])
				}
				h.advance(25 * time.Hour)
				run = h.only("touches")
				require.Equal(t, "task", run.WaitKind, "the deferred task is created")
				require.Equal(t, "Call Ann", h.get("task", run.WaitKey).String("title"))
			})
		})
	}
	t.Run("attempts", func(t *testing.T) {
		eachDB(t, func(t *testing.T, db string) {
			rc := &receiver{script: []func(http.ResponseWriter){status(503)}}
			srv := httptest.NewServer(rc)
			t.Cleanup(srv.Close)
			h := newHarness(t, db)
			h.apply(fmt.Sprintf(movedCall, "", srv.URL, "v1"))
			h.create("lead", map[string]any{"email": "mo@acme.com"})
			h.drain()
			run := h.only("moved")
			asOlderBuild(t, h, run.ID, func(r *store.Run) {
				tries := r.State["tries"].(map[string]any)
				require.NotNil(t, tries["push"])
				tries[r.Cursor] = tries["push"]
				delete(tries, "push")
			})
			h.advance(10 * time.Minute) // past the retry's backoff
			var got []string
			for _, s := range h.stepsOf(run.ID, "push") {
				got = append(got, fmt.Sprintf("%s %d", s.Status, s.Attempts))
			}
			require.Equal(t, []string{"retrying 1", "done 2"}, got)
		})
	})
}

// asOlderBuild rewrites a stored run's state as an older build would have left it.
func asOlderBuild(t *testing.T, h *harness, runID string, f func(r *store.Run)) {
	t.Helper()
	require.NoError(t, h.a.Store.Write(h.ctx, func(tx *store.Tx) error {
		r, err := tx.ReadRun(h.ctx, runID)
		if err != nil {
			return err
		}
		f(&r)
		if err := tx.UpdateRun(h.ctx, &r); err != nil {
			return err
		}
		return tx.SetJobPayload(h.ctx, "run:"+r.ID, map[string]any{"rev": r.Rev})
	}))
}
