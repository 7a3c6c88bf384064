package definitions_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/app"
	"github.com/salesflow/salesflow/internal/app/apptest"
	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

var admin = auth.Actor{Kind: auth.KindAdminToken, ID: "test", Role: auth.Admin}

type env struct {
	t   *testing.T
	app *app.App
	svc *definitions.Service
}

// eachDB runs fn on a fresh installation of each database, with the user the fixtures name as owner.
func eachDB(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, db := range apptest.Databases {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			a := apptest.Open(t, db)
			_, err := a.Service.Create(t.Context(), admin, "user", map[string]any{"email": "ops@example.com", "name": "Ops", "role": "admin"})
			require.NoError(t, err)
			fn(t, &env{t: t, app: a, svc: a.Definitions})
		})
	}
}

// fixtures reads testdata/apply: a policy and a calendar in one file, two workflows referring to them.
func fixtures(t *testing.T) []workflow.Source {
	t.Helper()
	files, err := filepath.Glob("testdata/apply/*.y*ml")
	require.NoError(t, err)
	slices.Sort(files)
	var out []workflow.Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		out = append(out, workflow.Source{File: f, Content: b})
	}
	require.Len(t, out, 3)
	return out
}

// replace returns sources with old replaced by new in the file named file.
func replace(t *testing.T, sources []workflow.Source, file, old, new string) []workflow.Source {
	t.Helper()
	out := slices.Clone(sources)
	for i, s := range out {
		if strings.HasSuffix(s.File, file) {
			require.Contains(t, string(s.Content), old)
			out[i].Content = []byte(strings.Replace(string(s.Content), old, new, 1))
			return out
		}
	}
	t.Fatalf("no file %s", file)
	return nil
}

func (e *env) apply(sources []workflow.Source) map[string]definitions.Applied {
	e.t.Helper()
	res, diags, err := e.svc.Apply(e.t.Context(), admin, sources)
	require.NoError(e.t, err, "%v", diags)
	out := map[string]definitions.Applied{}
	for _, ap := range res.Applied {
		out[ap.Kind+"/"+ap.Name] = ap
	}
	return out
}

func (e *env) states() map[string]string {
	e.t.Helper()
	defs, err := e.svc.List(e.t.Context(), "")
	require.NoError(e.t, err)
	out := map[string]string{}
	for _, d := range defs {
		s := fmt.Sprintf("v%d %s", d.Version, d.State)
		if d.PausedBy != "" {
			s += " by " + d.PausedBy
		}
		out[d.Kind+"/"+d.Name] = s
	}
	return out
}

func (e *env) events(ref string) []store.Event {
	e.t.Helper()
	var evs []store.Event
	require.NoError(e.t, e.app.Store.Read(e.t.Context(), func(tx *store.Tx) (err error) {
		evs, err = tx.Events(e.t.Context(), "definition", ref, 0, 100)
		return err
	}))
	slices.Reverse(evs)
	return evs
}

func TestApplyTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		first := e.apply(fixtures(t))
		want := map[string]definitions.Applied{
			"policy/default":       {Kind: "policy", Name: "default", Version: 1, Status: definitions.Created},
			"calendar/sales-hours": {Kind: "calendar", Name: "sales-hours", Version: 1, Status: definitions.Created},
			"workflow/intake":      {Kind: "workflow", Name: "intake", Version: 1, Status: definitions.Created},
			"workflow/welcome":     {Kind: "workflow", Name: "welcome", Version: 1, Status: definitions.Created},
		}
		require.Equal(t, want, first)
		second := e.apply(fixtures(t))
		for k, ap := range want {
			ap.Status = definitions.Unchanged
			want[k] = ap
		}
		require.Equal(t, want, second)
		require.Equal(t, map[string]string{"policy/default": "v1 active", "calendar/sales-hours": "v1 active",
			"workflow/intake": "v1 active", "workflow/welcome": "v1 active"}, e.states())

		d, err := e.svc.Get(t.Context(), "workflow", "intake")
		require.NoError(t, err)
		require.Len(t, d.Versions, 1)
		require.Equal(t, "ops@example.com", d.Owner)
		require.Equal(t, "90d", d.ReviewEvery)
		require.Equal(t, "lead", d.Object)
		require.Equal(t, "admin_token:test", d.Versions[0].CreatedBy)
		v, err := e.svc.Version(t.Context(), "workflow", "intake", 1)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(v.Source, "kind: workflow\nname: intake\n"), v.Source)

		// A multi-document file stores each document's own text.
		v, err = e.svc.Version(t.Context(), "calendar", "sales-hours", 1)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(v.Source, "kind: calendar\n"), v.Source)
		require.NotContains(t, v.Source, "policy")

		evs := e.events("workflow/intake")
		require.Len(t, evs, 1, "the no-op apply records nothing")
		require.Equal(t, "applied", evs[0].Kind)
		require.Equal(t, records.Change{Old: nil, New: float64(1)}, evs[0].Changes["version"])
		require.Equal(t, auth.KindAdminToken, evs[0].ActorType)
	})
}

func TestChangedFileMakesNextVersion(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		e.apply(fixtures(t))
		changed := replace(t, fixtures(t), "intake.yaml", "with: { status: working }", "with: { status: qualified }")
		res := e.apply(changed)
		require.Equal(t, definitions.Applied{Kind: "workflow", Name: "intake", Version: 2, Status: definitions.Updated}, res["workflow/intake"])
		for _, k := range []string{"policy/default", "calendar/sales-hours", "workflow/welcome"} {
			require.Equal(t, definitions.Unchanged, res[k].Status, k)
			require.Equal(t, 1, res[k].Version, k)
		}
		d, err := e.svc.Diff(t.Context(), "workflow", "intake", 0, 0)
		require.NoError(t, err)
		require.Equal(t, 1, d.From)
		require.Equal(t, 2, d.To)
		require.Contains(t, d.Diff, "--- intake v1\n+++ intake v2\n")
		require.Contains(t, d.Diff, "\n-    with: { status: working }\n+    with: { status: qualified }\n")

		same, err := e.svc.Diff(t.Context(), "workflow", "intake", 2, 2)
		require.NoError(t, err)
		require.Empty(t, same.Diff)
		_, err = e.svc.Diff(t.Context(), "workflow", "welcome", 0, 0)
		require.ErrorAs(t, err, new(*records.ValidationError), "version 1 has nothing before it")
		_, err = e.svc.Diff(t.Context(), "workflow", "intake", 1, 7)
		require.ErrorAs(t, err, new(*records.ValidationError))
		_, err = e.svc.Diff(t.Context(), "workflow", "nope", 0, 0)
		require.ErrorIs(t, err, records.ErrNotFound)

		evs := e.events("workflow/intake")
		require.Len(t, evs, 2)
		require.Equal(t, records.Change{Old: float64(1), New: float64(2)}, evs[1].Changes["version"])
	})
}

func TestLintErrorWritesNothing(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		bad := append(fixtures(t), workflow.Source{File: "bad.yaml", Content: []byte(
			"kind: workflow\nname: bad\nowner: ops@example.com\nreview_every: 30d\nobject: lead\ntrigger: { on: lead.created }\nsteps:\n  - action: teleport\n")})
		res, diags, err := e.svc.Apply(t.Context(), admin, bad)
		var le *definitions.LintError
		require.ErrorAs(t, err, &le)
		require.Empty(t, res.Applied)
		require.True(t, workflow.HasErrors(diags))
		require.Equal(t, diags, le.Diagnostics)
		require.Equal(t, "bad.yaml", diags[0].File)
		require.Equal(t, 8, diags[0].Line)
		require.Empty(t, e.states(), "not even the valid documents were stored")

		// References resolve against the other files of the same apply, else the database.
		intakeOnly := fixtures(t)[1:2]
		_, diags, err = e.svc.Apply(t.Context(), admin, intakeOnly)
		require.ErrorAs(t, err, &le)
		require.Contains(t, fmt.Sprint(diags), `no contact policy named "default"`)
		e.apply(fixtures(t)[:1])
		e.apply(intakeOnly)
		require.Equal(t, "v1 active", e.states()["workflow/intake"])

		// An owner who is not a user is an error too.
		_, diags, err = e.svc.Apply(t.Context(), admin, replace(t, fixtures(t), "welcome.yml", "owner: ops@example.com", "owner: ghost@example.com"))
		require.ErrorAs(t, err, &le)
		require.Contains(t, fmt.Sprint(diags), "ghost@example.com")

		_, _, err = e.svc.Apply(t.Context(), admin, []workflow.Source{{File: "empty.yaml", Content: []byte("# nothing\n")}})
		require.ErrorAs(t, err, new(*records.ValidationError))
	})
}

func TestRollbackMakesNewVersion(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		e.apply(fixtures(t))
		e.apply(replace(t, fixtures(t), "intake.yaml", "status: working", "status: qualified"))
		ap, _, err := e.svc.Rollback(t.Context(), admin, "workflow", "intake", 1)
		require.NoError(t, err)
		require.Equal(t, definitions.Applied{Kind: "workflow", Name: "intake", Version: 3, Status: definitions.RolledBack}, ap)
		v1, err := e.svc.Version(t.Context(), "workflow", "intake", 1)
		require.NoError(t, err)
		v3, err := e.svc.Version(t.Context(), "workflow", "intake", 3)
		require.NoError(t, err)
		require.Equal(t, v1.Source, v3.Source)
		require.Equal(t, v1.Hash, v3.Hash)
		v2, err := e.svc.Version(t.Context(), "workflow", "intake", 2)
		require.NoError(t, err)
		require.Contains(t, v2.Source, "qualified", "history stays as it was")

		again, _, err := e.svc.Rollback(t.Context(), admin, "workflow", "intake", 1)
		require.NoError(t, err)
		require.Equal(t, definitions.Applied{Kind: "workflow", Name: "intake", Version: 3, Status: definitions.Unchanged}, again)
		// Applying the v1 file now is a no-op too: the current text is v1's.
		require.Equal(t, definitions.Unchanged, e.apply(fixtures(t))["workflow/intake"].Status)

		_, _, err = e.svc.Rollback(t.Context(), admin, "workflow", "intake", 9)
		require.ErrorAs(t, err, new(*records.ValidationError))
		_, _, err = e.svc.Rollback(t.Context(), admin, "workflow", "nope", 1)
		require.ErrorIs(t, err, records.ErrNotFound)

		evs := e.events("workflow/intake")
		require.Len(t, evs, 3)
		require.Equal(t, "rolled_back", evs[2].Kind)
		require.Equal(t, records.Change{Old: nil, New: float64(1)}, evs[2].Changes["text_of_version"])
	})
}

func TestRollbackRelints(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		e.apply(fixtures(t))
		e.apply(replace(t, fixtures(t), "welcome.yml", "review_every: 30d", "review_every: 60d"))
		// Version 1 named its owner; once that user is gone, bringing version 1 back is refused.
		require.NoError(t, e.app.Store.Write(t.Context(), func(tx *store.Tx) error {
			_, err := tx.SQL().ExecContext(t.Context(), `UPDATE users SET email = 'gone@example.com' WHERE email = 'ops@example.com'`)
			return err
		}))
		_, diags, err := e.svc.Rollback(t.Context(), admin, "workflow", "welcome", 1)
		require.ErrorAs(t, err, new(*definitions.LintError))
		require.Contains(t, fmt.Sprint(diags), "ops@example.com")
		require.Equal(t, "workflow/welcome v1", diags[0].File)
		require.Equal(t, "v2 active", e.states()["workflow/welcome"])
	})
}

func TestStateTransitions(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		e.apply(fixtures(t))
		d, err := e.svc.Pause(ctx, admin, "workflow", "intake")
		require.NoError(t, err)
		require.Equal(t, store.StatePaused, d.State)
		require.Equal(t, store.PausedByUser, d.PausedBy)
		// A changed file keeps the state: a deploy does not undo a pause.
		res := e.apply(replace(t, fixtures(t), "intake.yaml", "status: working", "status: qualified"))
		require.Equal(t, definitions.Updated, res["workflow/intake"].Status)
		require.Equal(t, "v2 paused by user", e.states()["workflow/intake"])

		d, err = e.svc.Resume(ctx, admin, "workflow", "intake")
		require.NoError(t, err)
		require.Equal(t, store.StateActive, d.State)
		require.Empty(t, d.PausedBy)
		d, err = e.svc.Resume(ctx, admin, "workflow", "intake")
		require.NoError(t, err, "resuming an active definition is a no-op")
		require.Equal(t, store.StateActive, d.State)

		_, err = e.svc.Archive(ctx, admin, "workflow", "intake")
		require.NoError(t, err)
		var ce *crm.ConflictError
		_, err = e.svc.Resume(ctx, admin, "workflow", "intake")
		require.ErrorAs(t, err, &ce)
		require.Contains(t, ce.Message, "apply")
		_, err = e.svc.Pause(ctx, admin, "workflow", "intake")
		require.ErrorAs(t, err, &ce)

		// Archived definitions no longer satisfy references; applying one restores it.
		archivedPolicy, err := e.svc.Archive(ctx, admin, "policy", "default")
		require.NoError(t, err)
		require.Equal(t, store.StateArchived, archivedPolicy.State)
		_, diags, err := e.svc.Apply(ctx, admin, fixtures(t)[1:2])
		require.ErrorAs(t, err, new(*definitions.LintError))
		require.Contains(t, fmt.Sprint(diags), `no contact policy named "default"`)

		res = e.apply(fixtures(t))
		require.Equal(t, definitions.Applied{Kind: "policy", Name: "default", Version: 1, Status: definitions.Restored}, res["policy/default"])
		require.Equal(t, definitions.Applied{Kind: "workflow", Name: "intake", Version: 3, Status: definitions.Restored}, res["workflow/intake"])
		require.Equal(t, "v1 active", e.states()["policy/default"])
		require.Equal(t, "v3 active", e.states()["workflow/intake"])

		var kinds []string
		for _, ev := range e.events("workflow/intake") {
			kinds = append(kinds, ev.Kind)
		}
		require.Equal(t, []string{"applied", "paused", "applied", "resumed", "archived", "restored"}, kinds)

		_, err = e.svc.Pause(ctx, admin, "workflow", "nope")
		require.ErrorIs(t, err, records.ErrNotFound)
		_, err = e.svc.Pause(ctx, admin, "gadget", "intake")
		require.ErrorIs(t, err, records.ErrNotFound)
	})
}

func TestKillSwitch(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		extra := workflow.Source{File: "old.yaml", Content: []byte(
			"kind: workflow\nname: old\nowner: ops@example.com\nreview_every: 30d\nobject: deal\ntrigger: { on: deal.created }\nsteps:\n  - stop: true\n")}
		_, diags, err := e.svc.Apply(ctx, admin, append(fixtures(t), extra))
		require.NoError(t, err, "%v", diags)
		_, err = e.svc.Pause(ctx, admin, "workflow", "welcome")
		require.NoError(t, err)
		_, err = e.svc.Archive(ctx, admin, "workflow", "old")
		require.NoError(t, err)

		n, err := e.svc.PauseAll(ctx, admin)
		require.NoError(t, err)
		require.Equal(t, 1, n, "only the active workflow")
		require.Equal(t, map[string]string{"policy/default": "v1 active", "calendar/sales-hours": "v1 active",
			"workflow/intake": "v1 paused by kill_switch", "workflow/welcome": "v1 paused by user", "workflow/old": "v1 archived"}, e.states())
		n, err = e.svc.PauseAll(ctx, admin)
		require.NoError(t, err)
		require.Zero(t, n)

		n, err = e.svc.ResumeAll(ctx, admin)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.Equal(t, map[string]string{"policy/default": "v1 active", "calendar/sales-hours": "v1 active",
			"workflow/intake": "v1 active", "workflow/welcome": "v1 paused by user", "workflow/old": "v1 archived"}, e.states())

		// A person's pause of a workflow the kill switch paused outlives resume-all.
		_, err = e.svc.PauseAll(ctx, admin)
		require.NoError(t, err)
		_, err = e.svc.Pause(ctx, admin, "workflow", "intake")
		require.NoError(t, err)
		n, err = e.svc.ResumeAll(ctx, admin)
		require.NoError(t, err)
		require.Zero(t, n)
		require.Equal(t, "v1 paused by user", e.states()["workflow/intake"])

		evs := e.events("workflow/intake")
		last := evs[len(evs)-1]
		require.Equal(t, "paused", last.Kind)
		require.Equal(t, records.Change{Old: store.PausedByKillSwitch, New: store.PausedByUser}, last.Changes["paused_by"])
	})
}

func TestOnlyAdminsChange(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		e.apply(fixtures(t))
		for _, role := range []string{auth.Manager, auth.Rep} {
			a := auth.Actor{Kind: auth.KindToken, ID: "t-" + role, UserID: "u", Role: role}
			_, _, err := e.svc.Apply(ctx, a, fixtures(t))
			require.ErrorIs(t, err, crm.ErrForbidden)
			_, _, err = e.svc.Rollback(ctx, a, "workflow", "intake", 1)
			require.ErrorIs(t, err, crm.ErrForbidden)
			for _, change := range []func(context.Context, auth.Actor, string, string) (store.Definition, error){e.svc.Pause, e.svc.Resume, e.svc.Archive} {
				_, err = change(ctx, a, "workflow", "intake")
				require.ErrorIs(t, err, crm.ErrForbidden)
			}
			_, err = e.svc.PauseAll(ctx, a)
			require.ErrorIs(t, err, crm.ErrForbidden)
			_, err = e.svc.ResumeAll(ctx, a)
			require.ErrorIs(t, err, crm.ErrForbidden)
		}
		require.Equal(t, "v1 active", e.states()["workflow/intake"])
	})
}

// TestConcurrentApplies races applies of the same definitions: on PostgreSQL the losers of the race
// for a version number retry and see the winner's version; on SQLite the single writer serialises them.
func TestConcurrentApplies(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		const n = 8
		results := make([]map[string]definitions.Applied, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				res, _, err := e.svc.Apply(t.Context(), admin, fixtures(t))
				errs[i] = err
				results[i] = map[string]definitions.Applied{}
				for _, ap := range res.Applied {
					results[i][ap.Kind+"/"+ap.Name] = ap
				}
			})
		}
		close(start)
		wg.Wait()
		require.NoError(t, errors.Join(errs...))
		for _, ref := range []string{"policy/default", "calendar/sales-hours", "workflow/intake", "workflow/welcome"} {
			created := 0
			for _, res := range results {
				require.Equal(t, 1, res[ref].Version, ref)
				if res[ref].Status == definitions.Created {
					created++
				}
			}
			require.Equal(t, 1, created, "%s was created once", ref)
		}
		d, err := e.svc.Get(t.Context(), "workflow", "intake")
		require.NoError(t, err)
		require.Len(t, d.Versions, 1)

		// Different changes at once: each gets a version of its own, numbered without gaps.
		for i := range n {
			wg.Go(func() {
				_, _, errs[i] = e.svc.Apply(t.Context(), admin, replace(t, fixtures(t), "intake.yaml", "review_every: 90d", fmt.Sprintf("review_every: %dd", 100+i)))
			})
		}
		wg.Wait()
		require.NoError(t, errors.Join(errs...))
		d, err = e.svc.Get(t.Context(), "workflow", "intake")
		require.NoError(t, err)
		require.Equal(t, n+1, d.Version)
		require.Len(t, d.Versions, n+1)
		for i, v := range d.Versions {
			require.Equal(t, i+1, v.Version)
		}
		last, err := e.svc.Version(t.Context(), "workflow", "intake", n+1)
		require.NoError(t, err)
		require.Contains(t, last.Source, "review_every: "+d.ReviewEvery, "the row describes the current version")
	})
}

// A workflow applied alone is checked for loops with the workflows already stored.
func TestLoopsWithStoredWorkflows(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		wf := func(name, watch, writes string) workflow.Source {
			return workflow.Source{File: name + ".yaml", Content: []byte(fmt.Sprintf(
				"kind: workflow\nname: %s\nowner: ops@example.com\nreview_every: 30d\nobject: lead\ntrigger: { on: lead.updated, changed: %s }\nsteps: [{ action: set, with: { %s: x } }]\n",
				name, watch, writes))}
		}
		e.apply([]workflow.Source{wf("a", "title", "industry")})
		_, diags, err := e.svc.Apply(t.Context(), admin, []workflow.Source{wf("b", "industry", "title")})
		require.NoError(t, err)
		require.Len(t, diags, 1)
		require.Equal(t, "b.yaml", diags[0].File, "only what concerns the applied files is reported")
		require.Contains(t, diags[0].Message, "workflows a, b can trigger each other in a loop")
	})
}

// While the kill switch is on, a workflow applied for the first time starts paused by it.
func TestKillSwitchHoldsNewWorkflows(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		wf := func(name string) workflow.Source {
			return workflow.Source{File: name + ".yaml", Content: []byte("kind: workflow\nname: " + name +
				"\nowner: ops@example.com\nreview_every: 30d\nobject: lead\ntrigger: { on: lead.created }\nsteps: [{ stop: x }]\n")}
		}
		e.apply([]workflow.Source{wf("before")})
		_, err := e.svc.PauseAll(t.Context(), admin)
		require.NoError(t, err)
		e.apply([]workflow.Source{wf("during")})
		require.Equal(t, "v1 paused by kill_switch", e.states()["workflow/during"])
		n, err := e.svc.ResumeAll(t.Context(), admin)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		e.apply([]workflow.Source{wf("after")})
		require.Equal(t, "v1 active", e.states()["workflow/after"])
	})
}

// A definition that active ones still use cannot be archived; once they are gone, it can.
func TestArchiveRefusesWhatIsInUse(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		e.apply(fixtures(t))
		_, err := e.svc.Archive(t.Context(), admin, "calendar", "sales-hours")
		var ce *crm.ConflictError
		require.ErrorAs(t, err, &ce)
		require.Contains(t, ce.Message, "workflow/intake")
		_, err = e.svc.Archive(t.Context(), admin, "workflow", "intake")
		require.NoError(t, err)
		_, err = e.svc.Archive(t.Context(), admin, "calendar", "sales-hours")
		require.NoError(t, err)
	})
}

// A draft is checked and versioned but not live until resumed.
func TestDraftThenResume(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *env) {
		res, diags, err := e.svc.ApplyDraft(t.Context(), admin, fixtures(t))
		require.NoError(t, err, "%v", diags)
		require.NotEmpty(t, res.Applied)
		require.Equal(t, "v1 draft", e.states()["workflow/intake"])
		_, err = e.svc.Resume(t.Context(), admin, "workflow", "intake")
		require.NoError(t, err)
		require.Equal(t, "v1 active", e.states()["workflow/intake"])
		_, _, err = e.svc.ApplyDraft(t.Context(), admin, fixtures(t))
		require.NoError(t, err)
		require.Equal(t, "v1 active", e.states()["workflow/intake"], "a draft apply leaves existing definitions as they are")
	})
}
