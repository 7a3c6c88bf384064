package csvio

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// exportOne writes one record and returns its cells by column, as a CSV reader splits them.
func exportOne(t *testing.T, s *Schema, rec map[string]any) map[string]string {
	t.Helper()
	var b strings.Builder
	e := NewExporter(&b, s)
	require.NoError(t, e.Write(rec))
	require.NoError(t, e.Flush())
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2)
	cells := map[string]string{}
	for i, name := range rows[0] {
		cells[name] = rows[1][i]
	}
	return cells
}

func TestExportEscapesFormulas(t *testing.T) {
	t.Parallel()
	cells := exportOne(t, schema(t, "leads"), map[string]any{
		"first_name": `=HYPERLINK("http://evil.example","click")`, "last_name": "+1+2", "company": "-2+3", "title": "@SUM(A1)",
		"industry": "\tx", "source": "\rx", "phone": "+442079460958", "email": "ann@acme.com",
		"timeline": "'=already", "qualification_notes": "'plain", "budget": "O'Brien",
		"employees": json.Number("-5"), "score": -2.5, "seats": json.Number("-1e3"), "vip": false,
	})
	require.Equal(t, map[string]string{
		"first_name": `'=HYPERLINK("http://evil.example","click")`, "last_name": "'+1+2", "company": "'-2+3", "title": "'@SUM(A1)",
		"industry": "'\tx", "source": "'\rx", "phone": "+442079460958", "email": "ann@acme.com",
		"timeline": "''=already", "qualification_notes": "'plain", "budget": "O'Brien",
		"employees": "-5", "score": "-2.5", "seats": "-1000", "vip": "false",
	}, without(cells, ""))

	act := exportOne(t, schema(t, "activities"), map[string]any{
		"subject": "=1+1", "data": "=cmd|' /C calc'!A0",
	})
	require.Equal(t, "'=1+1", act["subject"])
	require.Equal(t, "'=cmd|' /C calc'!A0", act["data"], "a string in a JSON field is text too")
	act = exportOne(t, schema(t, "activities"), map[string]any{"data": map[string]any{"n": json.Number("-1")}})
	require.Equal(t, `{"n":-1}`, act["data"], "JSON objects start with a brace and are never escaped")
	act = exportOne(t, schema(t, "activities"), map[string]any{"data": json.Number("-1")})
	require.Equal(t, "-1", act["data"], "a number in a JSON field stays a number")
}

// without drops the cells whose value is v.
func without(m map[string]string, v string) map[string]string {
	out := map[string]string{}
	for k, x := range m {
		if x != v {
			out[k] = x
		}
	}
	return out
}

// TestExportImportRoundTrip checks that what an export writes, an import reads back unchanged.
func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	s := schema(t, "activities")
	texts := []string{"=1+1", "+49 30 1234567", "-", "-x", "@here", "\tindented", "\rx", "'", "'=x", "''+y", "'''@z",
		"'plain", "it's", "plain", "O'Brien", "a=b", " =x", "=", "''"}
	var b strings.Builder
	e := NewExporter(&b, s)
	for _, txt := range texts {
		require.NoError(t, e.Write(map[string]any{"subject": txt, "body": txt, "data": txt}))
	}
	require.NoError(t, e.Write(map[string]any{"subject": "numbers", "data": map[string]any{"n": json.Number("-5")}}))
	require.NoError(t, e.Write(map[string]any{"subject": "a number", "data": json.Number("-5")}))
	require.NoError(t, e.Flush())

	r, err := NewReader("out.csv", strings.NewReader(b.String()), s, Options{SkipUnknown: true})
	require.NoError(t, err)
	rows := readAll(t, r)
	require.Len(t, rows, len(texts)+2)
	for i, txt := range texts {
		require.Empty(t, rows[i].Errors, txt)
		require.Equal(t, map[string]any{"subject": txt, "body": txt, "data": txt}, rows[i].Record, "%q", txt)
	}
	require.Equal(t, map[string]any{"n": json.Number("-5")}, rows[len(texts)].Record["data"])
	require.Equal(t, json.Number("-5"), rows[len(texts)+1].Record["data"])
}

func TestConvertUnescapes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"'=x": "=x", "'+1": "'+1", "'-1": "'-1", "'+1+1": "+1+1", "'@x": "@x", "'\tx": "\tx", "'\rx": "\rx", "''=x": "'=x",
		"'x": "'x", "'": "'", "''": "''", "'1": "'1", "x'=": "x'=", " '=x": " '=x",
	} {
		got, msg := Convert(KindString, in)
		require.Empty(t, msg)
		require.Equal(t, want, got, "%q", in)
	}
	got, msg := Convert(KindJSON, "'-5")
	require.Empty(t, msg)
	require.Equal(t, "-5", got, "an escaped cell was a string")
	got, msg = Convert(KindNumber, "-5")
	require.Empty(t, msg)
	require.Equal(t, -5.0, got)
	_, msg = Convert(KindNumber, "'-5")
	require.NotEmpty(t, msg, "numbers are never escaped, so an apostrophe is not part of one")
}

func TestNumbersAreNotFormulas(t *testing.T) {
	for _, s := range []string{"+14155550001", "-5", "+3.25"} {
		require.Equal(t, s, escapeCell(s, false), "a plain number needs no escape")
		require.Equal(t, s, unescapeCell(escapeCell(s, false), false))
	}
	for _, s := range []string{"'+14155550001", "+1+1", "-2+3*A1", "=1"} {
		require.Equal(t, s, unescapeCell(escapeCell(s, false), false), "round trip of %q", s)
		require.NotEqual(t, s, escapeCell(s, false), "%q is escaped", s)
	}
}
