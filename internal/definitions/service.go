// Package definitions stores workflows and the other definition kinds (routing rulesets, scoring
// models, contact policies, calendars, templates) as immutable versions (W5). Apply lints the
// documents against the database and writes every new version in one transaction, or nothing; the
// service also lists, shows, diffs and rolls back versions and moves definitions between the states
// draft, active, paused and archived, including the kill switch that pauses every workflow at once.
//
// State rules:
//   - A definition applied for the first time is active at version 1.
//   - Applying identical text changes nothing; changed text makes the next version and keeps the
//     state, so a paused workflow stays paused through a deploy.
//   - Applying an archived definition restores it: it becomes active again (with a new version when
//     the text changed). Resume refuses archived definitions: what comes back must be the file in
//     git, linted against today's fields and users, not whatever was stored when it was archived.
//   - Pause (by a person) wins over the kill switch: resume-all resumes only what pause-all paused.
//
// Every change writes an event (record type "definition", id "kind/name") in the same transaction.
package definitions

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

// NewLinterFunc builds a linter for one apply: the custom fields and the resolver change between
// applies.
type NewLinterFunc func(cat *records.Catalog, custom map[string][]records.Field, r workflow.Resolver) (*workflow.Linter, error)

// Service stores and versions definitions.
type Service struct {
	st        *store.Store
	cat       *records.Catalog
	now       func() time.Time
	newLinter NewLinterFunc
	runtime   Runtime
}

// Runtime is what applying needs from the workflow engine: what becomes of the runs waiting on a
// workflow's older versions (W5).
type Runtime interface {
	// MigrateWaiting applies a policy (finish, move, cancel) to the active runs of the workflow's
	// versions before version to, in the apply's transaction, and reports what it did.
	MigrateWaiting(ctx context.Context, tx *store.Tx, workflow string, to int, policy string) (map[string]any, error)
}

// SetRuntime connects the engine; without one every step is accepted and waiting runs finish on
// their version.
func (s *Service) SetRuntime(r Runtime) { s.runtime = r }

// Waiting-run policies on apply (W5).
const (
	WaitingFinish = "finish" // runs stay on the version they started on (default)
	WaitingMove   = "move"   // runs move to the new version at their step, matched by step id
	WaitingCancel = "cancel" // runs of older versions are cancelled
)

// ApplyOptions are the choices of one apply.
type ApplyOptions struct {
	Draft   bool   // definitions seen for the first time are stored as drafts
	Waiting string // what happens to runs waiting on older versions of a changed workflow
}

// New returns a Service. now is the clock (nil: time.Now); newLinter builds the linter each apply
// uses (nil: workflow.NewLinter).
func New(st *store.Store, cat *records.Catalog, now func() time.Time, newLinter NewLinterFunc) *Service {
	if now == nil {
		now = time.Now
	}
	if newLinter == nil {
		newLinter = workflow.NewLinter
	}
	return &Service{st: st, cat: cat, now: now, newLinter: newLinter}
}

// Apply statuses.
const (
	Created    = "created"
	Updated    = "updated"
	Unchanged  = "unchanged"
	Restored   = "restored"    // an archived definition applied again: active once more
	RolledBack = "rolled_back" // a new version holding an older version's text
)

// Applied is what an apply or a rollback did to one definition.
type Applied struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Version int    `json:"version"`
	Status  string `json:"status"`
	// Waiting reports what became of the runs waiting on older versions of a changed workflow.
	Waiting map[string]any `json:"waiting,omitempty"`
}

// Result lists what an apply did, in the order of the documents.
type Result struct {
	Applied []Applied `json:"results"`
}

// LintError rejects an apply or a rollback whose documents have errors; nothing was written.
type LintError struct{ Diagnostics []workflow.Diagnostic }

func (e *LintError) Error() string {
	n := 0
	for _, d := range e.Diagnostics {
		if d.Severity == workflow.Error {
			n++
		}
	}
	return fmt.Sprintf("the definitions have %d error(s); nothing was applied", n)
}

// Kinds are the definition kinds, sorted.
func Kinds() []string {
	out := make([]string, 0, len(workflow.Kinds))
	for k := range workflow.Kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// CheckKind says whether kind is a definition kind, as a validation error naming field when not.
func CheckKind(field, kind string) error {
	if _, ok := workflow.Kinds[kind]; !ok {
		return records.Invalid(field, "%q is not a definition kind (%s)", kind, strings.Join(Kinds(), ", "))
	}
	return nil
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func adminOnly(a auth.Actor) error {
	if !a.IsAdmin() {
		return fmt.Errorf("%w: only admins change definitions", crm.ErrForbidden)
	}
	return nil
}

// createdBy is how a version records who made it.
func createdBy(a auth.Actor) string {
	if a.UserID != "" {
		return a.Kind + ":" + a.ID + " (user " + a.UserID + ")"
	}
	return a.Scope()
}

// Apply lints sources and, when they have no error, stores each definition in them: new ones as
// version 1, changed ones as the next version, identical ones not at all. All or nothing, in one
// transaction. The diagnostics (warnings, or the errors with a *LintError) are returned either way.
func (s *Service) Apply(ctx context.Context, a auth.Actor, sources []workflow.Source) (Result, []workflow.Diagnostic, error) {
	return s.ApplyWith(ctx, a, sources, ApplyOptions{})
}

// ApplyDraft is Apply, except that definitions seen for the first time are stored as drafts: checked
// and versioned, but not live until resumed (`salesflow definitions resume`). Changes to existing
// definitions apply as usual.
func (s *Service) ApplyDraft(ctx context.Context, a auth.Actor, sources []workflow.Source) (Result, []workflow.Diagnostic, error) {
	return s.ApplyWith(ctx, a, sources, ApplyOptions{Draft: true})
}

// ApplyWith is Apply with options: drafts, and what becomes of the runs waiting on older versions of
// the workflows it changes.
func (s *Service) ApplyWith(ctx context.Context, a auth.Actor, sources []workflow.Source, opts ApplyOptions) (Result, []workflow.Diagnostic, error) {
	if err := adminOnly(a); err != nil {
		return Result{}, nil, err
	}
	if opts.Waiting == "" {
		opts.Waiting = WaitingFinish
	}
	if !slices.Contains([]string{WaitingFinish, WaitingMove, WaitingCancel}, opts.Waiting) {
		return Result{}, nil, records.Invalid("waiting", "must be finish, move or cancel")
	}
	draft := opts.Draft
	var res Result
	var diags []workflow.Diagnostic
	// Lint and write in one transaction, so nothing a check relied on (a ruleset, a team) can be
	// archived or deleted between the check and the write.
	err := s.write(ctx, func(tx *store.Tx) error {
		defs, ds, err := s.lintTx(ctx, tx, sources)
		if err != nil {
			return err
		}
		diags = ds
		if workflow.HasErrors(diags) {
			return &LintError{Diagnostics: diags}
		}
		if len(defs) == 0 {
			return records.Invalid("body", "holds no definition: a document starts with kind: and name:")
		}
		// Rows are locked in one order (kind, name) whatever the order of the files, so that two
		// applies never wait for each other in a circle; the results keep the documents' order.
		order := make([]int, len(defs))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(i, j int) int {
			return cmp.Or(cmp.Compare(defs[i].Kind, defs[j].Kind), cmp.Compare(defs[i].Name, defs[j].Name))
		})
		res = Result{Applied: make([]Applied, len(defs))}
		for _, i := range order {
			ap, err := s.applyOne(ctx, tx, a, defs[i], 0, draft)
			if err != nil {
				return err
			}
			if s.runtime != nil && ap.Kind == "workflow" && ap.Status == Updated {
				if ap.Waiting, err = s.runtime.MigrateWaiting(ctx, tx, ap.Name, ap.Version, opts.Waiting); err != nil {
					return err
				}
			}
			res.Applied[i] = ap
		}
		return nil
	})
	if err != nil {
		return Result{}, diags, err
	}
	return res, diags, nil
}

// lint checks sources against the database: stored definitions, teams, users, pipelines and the
// custom fields, all read in one snapshot.
func (s *Service) lint(ctx context.Context, sources []workflow.Source) ([]*workflow.Definition, []workflow.Diagnostic, error) {
	var defs []*workflow.Definition
	var diags []workflow.Diagnostic
	err := s.st.Read(ctx, func(tx *store.Tx) (err error) {
		defs, diags, err = s.lintTx(ctx, tx, sources)
		return err
	})
	return defs, diags, err
}

// lintTx is lint inside the caller's transaction.
func (s *Service) lintTx(ctx context.Context, tx *store.Tx, sources []workflow.Source) ([]*workflow.Definition, []workflow.Diagnostic, error) {
	custom, err := customFields(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	l, err := s.newLinter(s.cat, custom, &resolver{tx: tx, cat: s.cat})
	if err != nil {
		return nil, nil, fmt.Errorf("build the linter: %w", err)
	}
	defs, diags := l.Lint(ctx, sources)
	if workflow.HasErrors(diags) {
		return defs, diags, nil
	}
	// Loops between workflows and double writers involve the stored workflows too: lint again with the
	// stored definitions these files do not replace, and keep what concerns these files.
	stored, err := storedSources(ctx, tx, defs)
	if err != nil || len(stored) == 0 {
		return defs, diags, err
	}
	_, all := l.Lint(ctx, append(slices.Clone(sources), stored...))
	submitted := map[string]bool{}
	for _, src := range sources {
		submitted[src.File] = true
	}
	return defs, slices.DeleteFunc(all, func(d workflow.Diagnostic) bool { return !submitted[d.File] }), nil
}

// storedSources returns the current text of every stored workflow that defs do not replace.
func storedSources(ctx context.Context, tx *store.Tx, defs []*workflow.Definition) ([]workflow.Source, error) {
	replaced := map[string]bool{}
	for _, d := range defs {
		replaced[d.Kind+"/"+d.Name] = true
	}
	rows, err := tx.Definitions(ctx, "workflow")
	if err != nil {
		return nil, err
	}
	var out []workflow.Source
	for _, r := range rows {
		key := r.Kind + "/" + r.Name
		if replaced[key] || r.State == store.StateArchived {
			continue
		}
		v, err := tx.DefinitionVersion(ctx, r.Kind, r.Name, r.Version)
		if err != nil {
			return nil, err
		}
		out = append(out, workflow.Source{File: fmt.Sprintf("stored:%s v%d", key, r.Version), Content: []byte(v.Source)})
	}
	return out, nil
}

func customFields(ctx context.Context, tx *store.Tx) (map[string][]records.Field, error) {
	fds, err := tx.FieldDefs(ctx, "")
	if err != nil {
		return nil, err
	}
	custom := map[string][]records.Field{}
	for _, fd := range fds {
		custom[fd.Object] = append(custom[fd.Object], fd.Field())
	}
	return custom, nil
}

// applyOne stores one linted definition in tx. rollbackOf is the version whose text d is when it
// is a rollback, 0 for an apply.
func (s *Service) applyOne(ctx context.Context, tx *store.Tx, a auth.Actor, d *workflow.Definition, rollbackOf int, draft bool) (Applied, error) {
	cur, err := tx.LockDefinition(ctx, d.Kind, d.Name)
	switch {
	case errors.Is(err, records.ErrNotFound):
		return s.create(ctx, tx, a, d, draft)
	case err != nil:
		return Applied{}, err
	}
	return s.update(ctx, tx, a, cur, d, rollbackOf)
}

// create stores a definition seen for the first time: active, version 1.
func (s *Service) create(ctx context.Context, tx *store.Tx, a auth.Actor, d *workflow.Definition, draft bool) (Applied, error) {
	now := s.clock()
	state, pausedBy, err := startState(ctx, tx, d.Kind)
	if err != nil {
		return Applied{}, err
	}
	if draft {
		state, pausedBy = store.StateDraft, ""
	}
	nd := store.Definition{Kind: d.Kind, Name: d.Name, State: state, PausedBy: pausedBy, Version: 1, Owner: d.Owner,
		ReviewEvery: d.ReviewEvery, Object: d.Object, CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertDefinition(ctx, nd); err != nil {
		return Applied{}, err
	}
	if err := s.insertVersion(ctx, tx, a, nd, d, now); err != nil {
		return Applied{}, err
	}
	err = s.event(ctx, tx, a, nd, "applied", map[string]records.Change{
		"version": {Old: nil, New: 1}, "state": {Old: nil, New: state}})
	return Applied{Kind: d.Kind, Name: d.Name, Version: 1, Status: Created}, err
}

// update stores d over the stored cur: a new version when the text differs; an archived definition
// applied again becomes active (a rollback leaves the state alone).
func (s *Service) update(ctx context.Context, tx *store.Tx, a auth.Actor, cur store.Definition, d *workflow.Definition, rollbackOf int) (Applied, error) {
	last, err := tx.DefinitionVersion(ctx, cur.Kind, cur.Name, cur.Version)
	if err != nil {
		return Applied{}, err
	}
	ap := Applied{Kind: cur.Kind, Name: cur.Name, Version: cur.Version, Status: Unchanged}
	eventKind := "applied"
	next := cur
	changes := map[string]records.Change{}
	if last.Hash != d.Hash {
		next.Version++
		next.Owner, next.ReviewEvery, next.Object = d.Owner, d.ReviewEvery, d.Object
		changes["version"] = records.Change{Old: cur.Version, New: next.Version}
		ap.Version, ap.Status = next.Version, Updated
		if rollbackOf > 0 {
			ap.Status, eventKind = RolledBack, "rolled_back"
			changes["text_of_version"] = records.Change{Old: nil, New: rollbackOf}
		}
	}
	if cur.State == store.StateArchived && rollbackOf == 0 {
		if next.State, next.PausedBy, err = startState(ctx, tx, cur.Kind); err != nil {
			return Applied{}, err
		}
		changes["state"] = records.Change{Old: cur.State, New: next.State}
		ap.Status, eventKind = Restored, "restored"
	}
	if len(changes) == 0 {
		return ap, nil
	}
	next.UpdatedAt = s.clock()
	if next.Version != cur.Version {
		if err := s.insertVersion(ctx, tx, a, next, d, next.UpdatedAt); err != nil {
			return Applied{}, err
		}
	}
	if err := tx.UpdateDefinition(ctx, cur, next); err != nil {
		return Applied{}, err
	}
	return ap, s.event(ctx, tx, a, next, eventKind, changes)
}

func (s *Service) insertVersion(ctx context.Context, tx *store.Tx, a auth.Actor, sd store.Definition, d *workflow.Definition, now time.Time) error {
	return tx.InsertDefinitionVersion(ctx, store.DefinitionVersion{Kind: sd.Kind, Name: sd.Name, Version: sd.Version,
		Source: d.Source, Hash: d.Hash, CreatedAt: now, CreatedBy: createdBy(a)})
}

func (s *Service) event(ctx context.Context, tx *store.Tx, a auth.Actor, d store.Definition, kind string, changes map[string]records.Change) error {
	return tx.AppendEvent(ctx, store.Event{ID: uuid.Must(uuid.NewV7()).String(), RecordType: "definition",
		RecordID: d.Kind + "/" + d.Name, Kind: kind, Changes: changes, ActorType: a.Kind, ActorID: a.ID,
		ActorUserID: a.UserID, OccurredAt: s.clock()})
}

// maxAttempts bounds the retries of a write that lost a race.
const maxAttempts = 5

// write runs fn in a write transaction, again from the start when a concurrent writer got there first:
// two applies of the same new definition both try to insert version 1, the primary key lets one
// through, and the other, run again, finds that version and sees its text as unchanged.
func (s *Service) write(ctx context.Context, fn func(tx *store.Tx) error) error {
	var err error
	for range maxAttempts {
		err = s.st.Write(ctx, fn)
		if err == nil || !s.lostRace(err) {
			return err
		}
	}
	return fmt.Errorf("gave up after %d concurrent changes: %w", maxAttempts, err)
}

func (s *Service) lostRace(err error) bool {
	if errors.Is(err, store.ErrStale) {
		return true
	}
	// PostgreSQL's deadlock and serialization failures (the kill switch locks many rows at once) are
	// worth another try too; pgconn's errors say their SQLSTATE.
	var coded interface{ SQLState() string }
	if errors.As(err, &coded) && (coded.SQLState() == "40P01" || coded.SQLState() == "40001") {
		return true
	}
	kind, _ := s.st.Dialect().Classify(err)
	return kind == store.UniqueViolation
}
