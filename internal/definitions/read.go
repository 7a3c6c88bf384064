package definitions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

// Detail is a definition with the list of its versions (without their sources), oldest first.
type Detail struct {
	store.Definition
	Versions []store.DefinitionVersion `json:"versions"`
}

// List returns the definitions of kind, or of every kind when kind is "".
func (s *Service) List(ctx context.Context, kind string) ([]store.Definition, error) {
	if kind != "" {
		if err := CheckKind("kind", kind); err != nil {
			return nil, err
		}
	}
	var kinds []string // none: every kind
	if kind != "" {
		kinds = append(kinds, kind)
	}
	var out []store.Definition
	err := s.st.Read(ctx, func(tx *store.Tx) (err error) { out, err = tx.Definitions(ctx, kinds...); return err })
	return out, err
}

// AppliedAt returns when each definition of kind had its current version applied.
func (s *Service) AppliedAt(ctx context.Context, kind string) (map[string]time.Time, error) {
	if err := CheckKind("kind", kind); err != nil {
		return nil, err
	}
	var out map[string]time.Time
	err := s.st.Read(ctx, func(tx *store.Tx) (err error) { out, err = tx.AppliedAt(ctx, kind); return err })
	return out, err
}

// notFound answers an unknown kind the way it answers an unknown name: there is no such definition.
func notFound(kind, name string) error {
	return fmt.Errorf("definition %s/%s: %w", kind, name, records.ErrNotFound)
}

// Get returns a definition and its versions.
func (s *Service) Get(ctx context.Context, kind, name string) (Detail, error) {
	if CheckKind("kind", kind) != nil {
		return Detail{}, notFound(kind, name)
	}
	var d Detail
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		var err error
		if d.Definition, err = tx.Definition(ctx, kind, name); err != nil {
			return err
		}
		d.Versions, err = tx.DefinitionVersions(ctx, kind, name)
		return err
	})
	return d, err
}

// Version returns version n of a definition with its source.
func (s *Service) Version(ctx context.Context, kind, name string, n int) (store.DefinitionVersion, error) {
	if CheckKind("kind", kind) != nil {
		return store.DefinitionVersion{}, notFound(kind, name)
	}
	var v store.DefinitionVersion
	err := s.st.Read(ctx, func(tx *store.Tx) (err error) { v, err = tx.DefinitionVersion(ctx, kind, name, n); return err })
	return v, err
}

// Diff is a unified diff between two versions of a definition.
type Diff struct {
	From int    `json:"from"`
	To   int    `json:"to"`
	Diff string `json:"diff"`
}

// Diff compares version from with version to. to 0 means the current version, from 0 the one before
// to. Identical texts give an empty diff.
func (s *Service) Diff(ctx context.Context, kind, name string, from, to int) (Diff, error) {
	if CheckKind("kind", kind) != nil {
		return Diff{}, notFound(kind, name)
	}
	if from < 0 || to < 0 {
		return Diff{}, records.Invalid("from", "versions are numbered from 1")
	}
	var a, b store.DefinitionVersion
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		cur, err := tx.Definition(ctx, kind, name)
		if err != nil {
			return err
		}
		if to == 0 {
			to = cur.Version
		}
		if from == 0 {
			if to == 1 {
				return records.Invalid("from", "version 1 is the first; there is nothing before it to compare with")
			}
			from = to - 1
		}
		if a, err = s.versionIn(ctx, tx, kind, name, from, "from"); err != nil {
			return err
		}
		b, err = s.versionIn(ctx, tx, kind, name, to, "to")
		return err
	})
	if err != nil {
		return Diff{}, err
	}
	text, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(a.Source), B: difflib.SplitLines(b.Source),
		FromFile: fmt.Sprintf("%s v%d", name, from), ToFile: fmt.Sprintf("%s v%d", name, to), Context: 3,
	})
	if err != nil {
		return Diff{}, fmt.Errorf("diff %s/%s v%d v%d: %w", kind, name, from, to, err)
	}
	return Diff{From: from, To: to, Diff: text}, nil
}

// versionIn reads a version the caller named; a missing one is the caller's mistake (422 naming the
// parameter), not a missing resource.
func (s *Service) versionIn(ctx context.Context, tx *store.Tx, kind, name string, n int, field string) (store.DefinitionVersion, error) {
	v, err := tx.DefinitionVersion(ctx, kind, name, n)
	if errors.Is(err, records.ErrNotFound) {
		return v, records.Invalid(field, "%s/%s has no version %d", kind, name, n)
	}
	return v, err
}

// Ref splits "kind/name"; a bare name has kind "".
func Ref(ref string) (kind, name string) {
	if k, n, ok := strings.Cut(ref, "/"); ok {
		return k, n
	}
	return "", ref
}

// LintCurrent lints the current version of a stored definition against today's database: a workflow
// that was clean when applied may now name a team that was deleted or a field that was dropped.
func (s *Service) LintCurrent(ctx context.Context, kind, name string) ([]workflow.Diagnostic, error) {
	var diags []workflow.Diagnostic
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		d, err := tx.Definition(ctx, kind, name)
		if err != nil {
			return err
		}
		v, err := tx.DefinitionVersion(ctx, kind, name, d.Version)
		if err != nil {
			return err
		}
		src := workflow.Source{File: fmt.Sprintf("%s v%d", name, d.Version), Content: []byte(v.Source)}
		_, diags, err = s.lintTx(ctx, tx, []workflow.Source{src})
		return err
	})
	return diags, err
}
