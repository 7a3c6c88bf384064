package workflow

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
)

// Every trigger event has a typed field set, and every type name is one the checker knows: a
// basic type, a map, or an object of the schema (an unknown name would fail each compile).
func TestEventFields(t *testing.T) {
	t.Parallel()
	schema := expr.NewSchema(records.NewCatalog(), nil)
	basic := []string{"string", "number", "timestamp", mapOfAny}
	for _, on := range triggerEvents() {
		fields := EventFields(on)
		require.NotNil(t, fields, on)
		require.Equal(t, "string", fields["type"], on)
		require.Equal(t, "timestamp", fields["at"], on)
		for name, typ := range fields {
			if slices.Contains(basic, typ) {
				continue
			}
			_, ok := schema.Members(typ)
			require.True(t, ok, "%s: event.%s has unknown type %s", on, name, typ)
		}
	}
	require.Nil(t, EventFields("lead.exploded"))
	require.Nil(t, EventFields("invoice.created"))

	require.Equal(t, map[string]string{"type": "string", "at": "timestamp", "deal": "deal", "changes": mapOfAny,
		"actor": "string", "from": "string", "to": "string"}, EventFields("deal.stage_changed"))
	require.Equal(t, "activity", EventFields("activity.created")["activity"])
	require.Equal(t, mapOfAny, EventFields("event")["payload"])
	require.Equal(t, "lead", EventFields("form.submitted")["lead"])
}

func TestWaitEvents(t *testing.T) {
	t.Parallel()
	w := waitEvents()
	for _, e := range notWaitable {
		require.NotContains(t, w, e)
	}
	require.Contains(t, w, "event")
	require.Contains(t, w, "activity.created")
	require.Len(t, w, len(triggerEvents())-len(notWaitable))
}
