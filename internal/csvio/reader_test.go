package csvio

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func readAll(t *testing.T, r *Reader) []*Row {
	t.Helper()
	var rows []*Row
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows
		}
		require.NoError(t, err)
		rows = append(rows, row)
	}
}

func TestReaderRows(t *testing.T) {
	t.Parallel()
	in := "email,first_name,employees,vip,notes\n" +
		"a@acme.com,Ann,\"1,200\",yes,x\n" +
		"b@acme.com,\"Bob\nthe builder\",12,,\n" + // a quoted newline: row 2 spans lines 3–4
		"c@acme.com,,many,maybe,\n" + // row 3, line 5: two bad cells
		"d@acme.com,Dee\n" + // row 4, line 6: a missing cell
		"\n" + // blank lines are no rows
		"e@acme.com, ,  ,,\n" // row 5, line 8: blank cells are left out
	r, err := NewReader("in.csv", strings.NewReader(in), schema(t, "leads"), Options{SkipUnknown: true})
	require.NoError(t, err)
	rows := readAll(t, r)
	require.Len(t, rows, 5)

	require.Equal(t, map[string]any{"email": "a@acme.com", "first_name": "Ann", "employees": 1200.0, "vip": true}, rows[0].Record)
	require.Equal(t, 1, rows[0].Num)
	require.Equal(t, 2, rows[0].Line)

	require.Equal(t, "Bob\nthe builder", rows[1].Record["first_name"])
	require.Equal(t, []int{2, 3}, []int{rows[1].Num, rows[1].Line})

	require.Equal(t, []RowError{
		{Row: 3, Line: 5, Field: "employees", Value: "many", Reason: `"many" is not a number`},
		{Row: 3, Line: 5, Field: "vip", Value: "maybe", Reason: `"maybe" is not true or false (also yes/no, 1/0)`},
	}, rows[2].Errors)

	require.Equal(t, []RowError{{Row: 4, Line: 6, Value: "d@acme.com,Dee", Reason: "has 2 cells; the header has 5"}}, rows[3].Errors)

	require.Equal(t, map[string]any{"email": "e@acme.com"}, rows[4].Record)
	require.Equal(t, []int{5, 8}, []int{rows[4].Num, rows[4].Line})
}

func TestReaderMalformedRowContinues(t *testing.T) {
	t.Parallel()
	in := "email;first_name\na@acme.com;Ann\nb@acme.com;Bo\"b\nc@acme.com;Cy\n"
	r, err := NewReader("in.csv", strings.NewReader(in), schema(t, "leads"), Options{})
	require.NoError(t, err)
	rows := readAll(t, r)
	require.Len(t, rows, 3)
	require.Empty(t, rows[0].Errors)
	require.Len(t, rows[1].Errors, 1)
	require.Equal(t, 3, rows[1].Errors[0].Line)
	require.Contains(t, rows[1].Errors[0].Reason, "malformed CSV")
	require.Equal(t, map[string]any{"email": "c@acme.com", "first_name": "Cy"}, rows[2].Record)
	require.Equal(t, 3, rows[2].Num)
}

func TestReaderHeaderErrors(t *testing.T) {
	t.Parallel()
	_, err := NewReader("empty.csv", strings.NewReader(""), schema(t, "leads"), Options{})
	require.EqualError(t, err, "empty.csv is empty: the first line must name the columns")
	_, err = NewReader("x.csv", strings.NewReader("email,fax\n"), schema(t, "leads"), Options{})
	require.ErrorContains(t, err, `x.csv: column B "fax"`)
}

func TestConvert(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind Kind
		in   string
		want any
		bad  bool
	}{
		{KindNumber, "42", 42.0, false},
		{KindNumber, " 1,200.50 ", 1200.5, false},
		{KindNumber, "12,34,567", 1234567.0, false},
		{KindNumber, "-0.5", -0.5, false},
		{KindNumber, "1.5e3", 1500.0, false},
		{KindNumber, "1,5", nil, true},
		{KindNumber, "0x10", nil, true},
		{KindNumber, "Inf", nil, true},
		{KindNumber, "NaN", nil, true},
		{KindNumber, "1_000", nil, true},
		{KindNumber, "1e999", nil, true},
		{KindNumber, "$5", nil, true},
		{KindBool, "Yes", true, false},
		{KindBool, "0", false, false},
		{KindBool, "FALSE", false, false},
		{KindBool, "maybe", nil, true},
		{KindString, " keep spaces ", " keep spaces ", false},
		{KindJSON, `{"a":[1,2]}`, map[string]any{"a": []any{json.Number("1"), json.Number("2")}}, false},
		{KindJSON, `not json`, "not json", false},
		{KindJSON, `1 2`, "1 2", false},
	} {
		got, msg := Convert(tc.kind, tc.in)
		require.Equal(t, tc.bad, msg != "", "%q: %s", tc.in, msg)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestDelimiter(t *testing.T) {
	t.Parallel()
	detect := func(s string) rune { return DetectDelimiter(bufio.NewReader(strings.NewReader(s))) }
	require.Equal(t, ',', detect("a,b,c\n1;2;3;4;5;6\n"))
	require.Equal(t, ';', detect("a;b;c\n"))
	require.Equal(t, '\t', detect("a\tb\tc"))
	require.Equal(t, ';', detect(`"x,y,z";b`+"\n"), "commas inside quotes do not count")
	require.Equal(t, ',', detect("email\n"))

	for in, want := range map[string]rune{"": 0, ";": ';', "tab": '\t', `\t`: '\t', "|": '|'} {
		got, err := ParseDelimiter(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{";;", `"`, "\n"} {
		_, err := ParseDelimiter(in)
		require.Error(t, err, in)
	}

	n, err := CountRows(strings.NewReader("a;b\n1;\"x\ny\"\n2;3\n\n4\n"), 0)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	n, err = CountRows(strings.NewReader(""), ',')
	require.NoError(t, err)
	require.Equal(t, 0, n)
}
