package csvio

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/httpapi"
	"github.com/salesflow/salesflow/internal/records"
)

// apiDoc returns the server's OpenAPI document as a client decodes it, with custom fields on leads.
func apiDoc(t *testing.T) map[string]any {
	t.Helper()
	cat := records.NewCatalog()
	var objs []*records.Object
	for _, o := range cat.All() {
		if o.Name == "lead" {
			o = o.WithCustom([]records.Field{
				{Name: "seats", Type: records.Number, Custom: true},
				{Name: "vip", Type: records.Bool, Custom: true},
			})
		}
		objs = append(objs, o)
	}
	b, err := json.Marshal(httpapi.OpenAPI(objs))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	return doc
}

func schema(t *testing.T, plural string) *Schema {
	t.Helper()
	s, err := SchemaFromOpenAPI(apiDoc(t), plural)
	require.NoError(t, err)
	return s
}

func TestSchemaFromOpenAPI(t *testing.T) {
	t.Parallel()
	s := schema(t, "leads")
	require.Equal(t, "lead", s.Name)
	var names []string
	for _, f := range s.Fields {
		names = append(names, f.Name)
	}
	require.Equal(t, []string{"id",
		"budget", "company", "country", "disqualify_reason", "email", "employees", "first_name", "industry", "last_name", "owner_id",
		"phone", "qualification_notes", "score", "seats", "source", "status", "timeline", "timezone", "title", "vip", "website",
		"company_domain", "created_at", "enrichment", "matched_account_confidence", "matched_account_id", "merged_into_id",
		"routing_queue", "score_breakdown", "score_grade", "score_model", "scored_at", "updated_at"}, names)
	kinds := map[string]Kind{}
	for _, f := range s.Fields {
		kinds[f.Name] = f.Kind
	}
	require.Equal(t, KindNumber, kinds["employees"])
	require.Equal(t, KindNumber, kinds["seats"])
	require.Equal(t, KindBool, kinds["vip"])
	require.Equal(t, KindString, kinds["email"])
	id, _ := s.Field("id")
	require.True(t, id.ReadOnly)

	act := schema(t, "activities")
	data, ok := act.Field("data")
	require.True(t, ok)
	require.Equal(t, KindJSON, data.Kind)

	_, err := SchemaFromOpenAPI(apiDoc(t), "widgets")
	require.ErrorContains(t, err, `no collection "widgets"`)
}
