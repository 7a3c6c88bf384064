package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salesflow/salesflow/internal/records"
)

// Definition states (W5).
const (
	StateDraft    = "draft"
	StateActive   = "active"
	StatePaused   = "paused"
	StateArchived = "archived"
)

// Who paused a definition: the kill switch resumes only what it paused.
const (
	PausedByKillSwitch = "kill_switch"
	PausedByUser       = "user"
)

// ErrStale says a conditional update found the row changed since it was read; the caller's
// transaction should start again from a fresh read.
var ErrStale = errors.New("the row changed since it was read")

// Definition is a stored definition (workflow, routing ruleset, …): its state and current version.
// The text of each version is a DefinitionVersion.
type Definition struct {
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	State       string    `json:"state"`
	Version     int       `json:"version"`
	Owner       string    `json:"owner"`
	ReviewEvery string    `json:"review_every"`
	Object      string    `json:"object"`
	PausedBy    string    `json:"paused_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// DefinitionVersion is one immutable version of a definition. Source is empty when listed.
type DefinitionVersion struct {
	Kind      string    `json:"kind"`
	Name      string    `json:"name"`
	Version   int       `json:"version"`
	Source    string    `json:"source,omitempty"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

const definitionColumns = `kind, name, state, version, owner, review_every, object, paused_by, created_at, updated_at`

// InsertDefinition stores a new definition; one that exists already is a unique violation.
func (t *Tx) InsertDefinition(ctx context.Context, d Definition) error {
	_, err := t.exec(ctx, `INSERT INTO definitions (`+definitionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		d.Kind, d.Name, d.State, d.Version, d.Owner, d.ReviewEvery, d.Object, d.PausedBy, t.d.TimeArg(d.CreatedAt), t.d.TimeArg(d.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert definition %s/%s: %w", d.Kind, d.Name, err)
	}
	return nil
}

// UpdateDefinition writes d over the row of old, but only while that row still holds old's version,
// state and pause reason: a concurrent change in between makes it fail with ErrStale rather than be
// overwritten (PostgreSQL re-checks the condition on the newest row after waiting for its lock).
func (t *Tx) UpdateDefinition(ctx context.Context, old, d Definition) error {
	res, err := t.exec(ctx, `UPDATE definitions SET state = $1, version = $2, owner = $3, review_every = $4, object = $5,
		paused_by = $6, updated_at = $7 WHERE kind = $8 AND name = $9 AND version = $10 AND state = $11 AND paused_by = $12`,
		d.State, d.Version, d.Owner, d.ReviewEvery, d.Object, d.PausedBy, t.d.TimeArg(d.UpdatedAt),
		old.Kind, old.Name, old.Version, old.State, old.PausedBy)
	if err != nil {
		return fmt.Errorf("update definition %s/%s: %w", old.Kind, old.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update definition %s/%s: %w", old.Kind, old.Name, ErrStale)
	}
	return nil
}

// Definition reads one definition; records.ErrNotFound when there is none.
func (t *Tx) Definition(ctx context.Context, kind, name string) (Definition, error) {
	return t.definition(ctx, kind, name, false)
}

// LockDefinition reads one definition, as Definition does, and keeps others from changing it until
// the transaction ends: a concurrent apply of the same definition waits and then reads this one's
// version instead of racing it for the next number. SQLite's write transactions hold the database's
// only write lock already, so only PostgreSQL needs the row lock.
func (t *Tx) LockDefinition(ctx context.Context, kind, name string) (Definition, error) {
	return t.definition(ctx, kind, name, t.d.Name == "postgres")
}

func (t *Tx) definition(ctx context.Context, kind, name string, forUpdate bool) (Definition, error) {
	q := `SELECT ` + definitionColumns + ` FROM definitions WHERE kind = $1 AND name = $2`
	if forUpdate {
		q += " FOR UPDATE"
	}
	rows, err := t.query(ctx, q, kind, name)
	if err != nil {
		return Definition{}, fmt.Errorf("read definition %s/%s: %w", kind, name, err)
	}
	ds, err := scanDefinitions(rows)
	if err != nil {
		return Definition{}, err
	}
	if len(ds) == 0 {
		return Definition{}, fmt.Errorf("definition %s/%s: %w", kind, name, records.ErrNotFound)
	}
	return ds[0], nil
}

// Definitions lists the definitions of the given kinds, or of every kind when none is given, by kind
// and name.
func (t *Tx) Definitions(ctx context.Context, kinds ...string) ([]Definition, error) {
	q := `SELECT ` + definitionColumns + ` FROM definitions`
	args := make([]any, len(kinds))
	if len(kinds) > 0 {
		for i, k := range kinds {
			args[i] = k
		}
		q += ` WHERE kind IN (` + placeholders(1, len(kinds)) + `)`
	}
	rows, err := t.query(ctx, q+` ORDER BY kind, name`, args...)
	if err != nil {
		return nil, fmt.Errorf("list definitions: %w", err)
	}
	return scanDefinitions(rows)
}

// SetDefinitionStates moves every definition of kind in state from (paused by fromPausedBy) to state
// to (paused by toPausedBy) in one statement, and returns the definitions it changed as they are now.
// The kill switch uses it, so a definition applied or resumed meanwhile is either included or not,
// never half-changed.
func (t *Tx) SetDefinitionStates(ctx context.Context, kind, from, fromPausedBy, to, toPausedBy string, at time.Time) ([]Definition, error) {
	t.wrote = true // it writes through query (RETURNING)
	rows, err := t.query(ctx, `UPDATE definitions SET state = $1, paused_by = $2, updated_at = $3
		WHERE kind = $4 AND state = $5 AND paused_by = $6 RETURNING `+definitionColumns,
		to, toPausedBy, t.d.TimeArg(at), kind, from, fromPausedBy)
	if err != nil {
		return nil, fmt.Errorf("set %s states %s → %s: %w", kind, from, to, err)
	}
	return scanDefinitions(rows)
}

func scanDefinitions(rows *sql.Rows) ([]Definition, error) {
	defer rows.Close()
	var out []Definition
	for rows.Next() {
		var d Definition
		var version int64
		var created, updated any
		if err := rows.Scan(&d.Kind, &d.Name, &d.State, &version, &d.Owner, &d.ReviewEvery, &d.Object, &d.PausedBy, &created, &updated); err != nil {
			return nil, fmt.Errorf("scan definition: %w", err)
		}
		d.Version = int(version)
		var err error
		if d.CreatedAt, err = timeFromDB(created); err != nil {
			return nil, err
		}
		if d.UpdatedAt, err = timeFromDB(updated); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// InsertDefinitionVersion stores a version. Versions are never updated: there is no method for it,
// and the database refuses it. A second writer of the same version number gets a unique violation.
func (t *Tx) InsertDefinitionVersion(ctx context.Context, v DefinitionVersion) error {
	_, err := t.exec(ctx, `INSERT INTO definition_versions (kind, name, version, source, hash, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, v.Kind, v.Name, v.Version, v.Source, v.Hash, t.d.TimeArg(v.CreatedAt), v.CreatedBy)
	if err != nil {
		return fmt.Errorf("insert definition %s/%s version %d: %w", v.Kind, v.Name, v.Version, err)
	}
	return nil
}

// DefinitionVersion reads one version with its source; records.ErrNotFound when there is none.
func (t *Tx) DefinitionVersion(ctx context.Context, kind, name string, version int) (DefinitionVersion, error) {
	rows, err := t.query(ctx, `SELECT kind, name, version, hash, created_at, created_by, source
		FROM definition_versions WHERE kind = $1 AND name = $2 AND version = $3`, kind, name, version)
	if err != nil {
		return DefinitionVersion{}, fmt.Errorf("read definition %s/%s version %d: %w", kind, name, version, err)
	}
	vs, err := scanVersions(rows, true)
	if err != nil {
		return DefinitionVersion{}, err
	}
	if len(vs) == 0 {
		return DefinitionVersion{}, fmt.Errorf("definition %s/%s version %d: %w", kind, name, version, records.ErrNotFound)
	}
	return vs[0], nil
}

// DefinitionVersions lists a definition's versions, oldest first, without their sources.
func (t *Tx) DefinitionVersions(ctx context.Context, kind, name string) ([]DefinitionVersion, error) {
	rows, err := t.query(ctx, `SELECT kind, name, version, hash, created_at, created_by
		FROM definition_versions WHERE kind = $1 AND name = $2 ORDER BY version`, kind, name)
	if err != nil {
		return nil, fmt.Errorf("list versions of %s/%s: %w", kind, name, err)
	}
	return scanVersions(rows, false)
}

// AppliedAt returns, for every definition of kind, when its current version was applied: one read for
// a list page, instead of every definition's versions.
func (t *Tx) AppliedAt(ctx context.Context, kind string) (map[string]time.Time, error) {
	rows, err := t.query(ctx, `SELECT v.name, v.created_at FROM definition_versions v
		JOIN definitions d ON d.kind = v.kind AND d.name = v.name AND d.version = v.version WHERE v.kind = $1`, kind)
	if err != nil {
		return nil, fmt.Errorf("list when %s definitions were applied: %w", kind, err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var name string
		var created any
		if err := rows.Scan(&name, &created); err != nil {
			return nil, fmt.Errorf("scan applied time: %w", err)
		}
		if out[name], err = timeFromDB(created); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

func scanVersions(rows *sql.Rows, withSource bool) ([]DefinitionVersion, error) {
	defer rows.Close()
	var out []DefinitionVersion
	for rows.Next() {
		var v DefinitionVersion
		var version int64
		var created any
		dest := []any{&v.Kind, &v.Name, &version, &v.Hash, &created, &v.CreatedBy}
		if withSource {
			dest = append(dest, &v.Source)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scan definition version: %w", err)
		}
		v.Version = int(version)
		var err error
		if v.CreatedAt, err = timeFromDB(created); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func timeFromDB(v any) (time.Time, error) {
	tm, err := fromDB(records.Field{Type: records.DateTime}, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("read time: %w", err)
	}
	if tm == nil {
		return time.Time{}, nil
	}
	return tm.(time.Time), nil
}
