package records

import (
	"slices"
	"testing"

	// Time zone checks in Finish read the IANA database; embedding it keeps the tests independent of the
	// machine's /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/stretchr/testify/require"
)

// catalog is shared by the tests; objects are never mutated (WithCustom copies).
var catalog = NewCatalog()

func object(t testing.TB, name string) *Object {
	t.Helper()
	o, ok := catalog.Get(name)
	require.True(t, ok, "object %q", name)
	return o
}

// fieldErrors returns the FieldErrors of a *ValidationError, failing the test for any other error.
func fieldErrors(t testing.TB, err error) []FieldError {
	t.Helper()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, len(ve.Errors) > 0, "a ValidationError must list at least one field")
	return ve.Errors
}

// errorFields lists the field names of err's FieldErrors in their order (nil for a nil error).
func errorFields(t testing.TB, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var names []string
	for _, fe := range fieldErrors(t, err) {
		names = append(names, fe.Field)
	}
	return names
}

// messageFor returns the message of the named field's error, failing when there is none.
func messageFor(t testing.TB, err error, field string) string {
	t.Helper()
	errs := fieldErrors(t, err)
	i := slices.IndexFunc(errs, func(fe FieldError) bool { return fe.Field == field })
	require.True(t, i >= 0, "no error for %q in %v", field, err)
	return errs[i].Message
}
