package sqlite_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/store/sqlite"
	"github.com/salesflow/salesflow/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, openMigrated)
}

func TestLock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "salesflow.db")

	release, err := sqlite.Lock(path)
	require.NoError(t, err)

	// flock locks belong to the open file, so a second Lock in this process conflicts like another
	// process would.
	_, err = sqlite.Lock(path)
	require.ErrorIs(t, err, sqlite.ErrLocked)
	require.ErrorContains(t, err, "process "+strconv.Itoa(os.Getpid()), "the error names the holder")
	require.ErrorContains(t, err, path)

	release()
	again, err := sqlite.Lock(path)
	require.NoError(t, err, "the lock is free after release")
	again()
}
