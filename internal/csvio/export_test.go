package csvio

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFormatValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   any
		want string
	}{
		{nil, ""},
		{"text", "text"},
		{true, "true"},
		{false, "false"},
		{json.Number("250"), "250"},
		{json.Number("1e+06"), "1000000"},
		{json.Number("1.5E-7"), "0.00000015"},
		{json.Number("12345678901234567890"), "12345678901234567890"},
		{1e6, "1000000"},
		{2.5, "2.5"},
		{1e22, "1e+22"},
		{map[string]any{"b": []any{json.Number("1"), "x"}, "a": nil}, `{"a":null,"b":[1,"x"]}`},
	} {
		require.Equal(t, tc.want, FormatValue(tc.in), "%#v", tc.in)
	}
}

func TestExporter(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	e := NewExporter(&b, schema(t, "teams"))
	require.NoError(t, e.Flush())
	require.Equal(t, "id,kind,manager_id,name,created_at,updated_at\n", b.String(), "an empty export still has its header")

	b.Reset()
	e = NewExporter(&b, schema(t, "teams"))
	require.NoError(t, e.Write(map[string]any{"id": "t1", "name": "SDR, West", "kind": "sdr", "extra": "ignored"}))
	require.NoError(t, e.Flush())
	require.Equal(t, "id,kind,manager_id,name,created_at,updated_at\nt1,sdr,,\"SDR, West\",,\n", b.String())
}
