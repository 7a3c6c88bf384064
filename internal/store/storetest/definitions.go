package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

func definition(kind, name, state string, version int) store.Definition {
	return store.Definition{Kind: kind, Name: name, State: state, Version: version, Owner: "ops@example.com",
		ReviewEvery: "90d", Object: "lead", CreatedAt: at(version), UpdatedAt: at(version)}
}

func version(d store.Definition, source string) store.DefinitionVersion {
	return store.DefinitionVersion{Kind: d.Kind, Name: d.Name, Version: d.Version, Source: source,
		Hash: "hash of " + source, CreatedAt: at(d.Version), CreatedBy: "token:t1"}
}

func testDefinitions(t *testing.T, st *store.Store) {
	intake := definition("workflow", "intake", store.StateActive, 1)
	routing := definition("routing", "intake", store.StateActive, 1) // same name, another kind
	routing.Object, routing.Owner, routing.ReviewEvery = "", "", ""
	src := "kind: workflow\nname: intake\n# «ü» it's\n"
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		for _, d := range []store.Definition{intake, routing} {
			require.NoError(t, tx.InsertDefinition(ctx, d))
			require.NoError(t, tx.InsertDefinitionVersion(ctx, version(d, src)))
		}
		return nil
	})

	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Definition(ctx, "workflow", "intake")
		require.NoError(t, err)
		require.Equal(t, intake, got)
		_, err = tx.Definition(ctx, "workflow", "nope")
		require.ErrorIs(t, err, records.ErrNotFound)

		all, err := tx.Definitions(ctx)
		require.NoError(t, err)
		require.Equal(t, []store.Definition{routing, intake}, all, "ordered by kind, then name")
		wfs, err := tx.Definitions(ctx, "workflow")
		require.NoError(t, err)
		require.Equal(t, []store.Definition{intake}, wfs)
		none, err := tx.Definitions(ctx, "calendar")
		require.NoError(t, err)
		require.Empty(t, none)
		some, err := tx.Definitions(ctx, "workflow", "calendar", "routing")
		require.NoError(t, err)
		require.Equal(t, []store.Definition{routing, intake}, some, "several kinds in one read")
		applied, err := tx.AppliedAt(ctx, "workflow")
		require.NoError(t, err)
		require.Len(t, applied, 1)
		require.True(t, at(intake.Version).Equal(applied["intake"]), "the current version's time: %v", applied)

		v, err := tx.DefinitionVersion(ctx, "workflow", "intake", 1)
		require.NoError(t, err)
		require.Equal(t, version(intake, src), v, "the source round-trips byte for byte")
		_, err = tx.DefinitionVersion(ctx, "workflow", "intake", 2)
		require.ErrorIs(t, err, records.ErrNotFound)
		return nil
	})

	// A new version and a conditional update of the definition row.
	v2 := intake
	v2.Version, v2.UpdatedAt, v2.Owner = 2, at(5), "new@example.com"
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		require.NoError(t, tx.InsertDefinitionVersion(ctx, version(v2, src+"# two\n")))
		return tx.UpdateDefinition(ctx, intake, v2)
	})
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Definition(ctx, "workflow", "intake")
		require.NoError(t, err)
		require.Equal(t, v2, got)
		vs, err := tx.DefinitionVersions(ctx, "workflow", "intake")
		require.NoError(t, err)
		require.Len(t, vs, 2)
		require.Equal(t, []int{1, 2}, []int{vs[0].Version, vs[1].Version})
		require.Empty(t, vs[0].Source, "the version list leaves the sources out")
		require.Equal(t, "hash of "+src+"# two\n", vs[1].Hash)
		return nil
	})

	ctx := context.Background()
	// An update based on a stale read (version 1) changes nothing.
	err := st.Write(ctx, func(tx *store.Tx) error {
		stale := v2
		stale.Version = 3
		return tx.UpdateDefinition(ctx, intake, stale)
	})
	require.ErrorIs(t, err, store.ErrStale)

	// Version numbers are unique per definition: the second writer of version 2 loses.
	err = st.Write(ctx, func(tx *store.Tx) error {
		err := tx.InsertDefinitionVersion(ctx, version(v2, "another text"))
		kind, _ := tx.Violation(err)
		require.Equal(t, store.UniqueViolation, kind, "%v", err)
		return err
	})
	require.Error(t, err)
	err = st.Write(ctx, func(tx *store.Tx) error {
		err := tx.InsertDefinition(ctx, intake)
		kind, _ := tx.Violation(err)
		require.Equal(t, store.UniqueViolation, kind, "%v", err)
		return err
	})
	require.Error(t, err)

	// The database refuses to rewrite history, whatever the code does.
	err = st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SQL().ExecContext(ctx, `UPDATE definition_versions SET source = 'rewritten' WHERE kind = 'workflow' AND name = 'intake'`)
		return err
	})
	require.ErrorContains(t, err, "immutable")

	// States are checked by the database too.
	err = st.Write(ctx, func(tx *store.Tx) error {
		return tx.InsertDefinition(ctx, definition("workflow", "bad", "running", 1))
	})
	require.Error(t, err)
}

func testDefinitionStates(t *testing.T, st *store.Store) {
	defs := []store.Definition{
		definition("workflow", "a", store.StateActive, 1),
		definition("workflow", "b", store.StateActive, 1),
		definition("workflow", "c", store.StatePaused, 1), // paused by a person
		definition("workflow", "d", store.StateArchived, 1),
		definition("routing", "e", store.StateActive, 1), // not a workflow
	}
	defs[2].PausedBy = store.PausedByUser
	write(t, st, func(ctx context.Context, tx *store.Tx) error {
		for _, d := range defs {
			if err := tx.InsertDefinition(ctx, d); err != nil {
				return err
			}
		}
		return nil
	})
	var paused []store.Definition
	write(t, st, func(ctx context.Context, tx *store.Tx) (err error) {
		paused, err = tx.SetDefinitionStates(ctx, "workflow", store.StateActive, "", store.StatePaused, store.PausedByKillSwitch, at(9))
		return err
	})
	require.Len(t, paused, 2)
	names := []string{paused[0].Name, paused[1].Name}
	require.ElementsMatch(t, []string{"a", "b"}, names)
	for _, d := range paused {
		require.Equal(t, store.StatePaused, d.State)
		require.Equal(t, store.PausedByKillSwitch, d.PausedBy)
		require.Equal(t, at(9), d.UpdatedAt)
	}
	var resumed []store.Definition
	write(t, st, func(ctx context.Context, tx *store.Tx) (err error) {
		resumed, err = tx.SetDefinitionStates(ctx, "workflow", store.StatePaused, store.PausedByKillSwitch, store.StateActive, "", at(10))
		return err
	})
	require.Len(t, resumed, 2, "only what the kill switch paused")
	read(t, st, func(ctx context.Context, tx *store.Tx) error {
		all, err := tx.Definitions(ctx)
		require.NoError(t, err)
		state := map[string]string{}
		for _, d := range all {
			state[d.Name] = d.State + "/" + d.PausedBy
		}
		require.Equal(t, map[string]string{"a": "active/", "b": "active/", "c": "paused/user", "d": "archived/", "e": "active/"}, state)
		return nil
	})
}
