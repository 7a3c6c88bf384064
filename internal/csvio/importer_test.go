package csvio

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeSender refuses records whose email starts with "bad" and remembers the batches it was sent.
type fakeSender struct {
	batches [][]map[string]any
	seen    map[string]bool
	failAt  int // fail the n-th batch (1-based); 0 never
}

func (f *fakeSender) Send(_ context.Context, recs []map[string]any) ([]Outcome, error) {
	f.batches = append(f.batches, recs)
	if len(f.batches) == f.failAt {
		return nil, errors.New("connection refused")
	}
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	out := make([]Outcome, len(recs))
	for i, r := range recs {
		email, _ := r["email"].(string)
		switch {
		case strings.HasPrefix(email, "bad"):
			out[i] = Outcome{Status: "error", Errors: []FieldError{{Field: "email", Message: "is not an email address"}}}
		case email == "":
			out[i] = Outcome{Status: "error", Errors: []FieldError{{Field: "email", Message: "is required"}}}
		case f.seen[email]:
			out[i] = Outcome{Status: "unchanged"}
		default:
			f.seen[email] = true
			out[i] = Outcome{Status: "created"}
		}
	}
	return out, nil
}

type sliceSink struct{ lines []RowError }

func (s *sliceSink) Add(e RowError) error { s.lines = append(s.lines, e); return nil }

func TestImportAccountsForEveryRow(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("email,employees\n")
	wantBad := map[int]string{}
	for i := 1; i <= 1000; i++ {
		switch {
		case i%97 == 0:
			fmt.Fprintf(&b, "bad%d,1\n", i)
			wantBad[i] = "email"
		case i%89 == 0:
			fmt.Fprintf(&b, "u%d@acme.com,lots\n", i)
			wantBad[i] = "employees"
		case i%83 == 0:
			fmt.Fprintf(&b, "u%d@acme.com\n", i)
			wantBad[i] = ""
		default:
			fmt.Fprintf(&b, "u%d@acme.com,%d\n", i, i)
		}
	}
	r, err := NewReader("in.csv", strings.NewReader(b.String()), schema(t, "leads"), Options{})
	require.NoError(t, err)
	send, sink := &fakeSender{}, &sliceSink{}
	var progress []Summary
	sum, err := Import(t.Context(), r, send, sink, ImportOptions{BatchSize: 100, Progress: func(s Summary) { progress = append(progress, s) }})
	require.NoError(t, err)

	require.Equal(t, 1000, sum.Rows)
	require.Equal(t, len(wantBad), sum.Errors)
	require.Equal(t, 1000-len(wantBad), sum.Created)
	require.Equal(t, sum.Rows, sum.Created+sum.Updated+sum.Unchanged+sum.Errors, "no row is silently dropped")
	got := map[int]string{}
	prev := 0
	for _, l := range sink.lines {
		require.Greater(t, l.Row, prev, "the report is in row order")
		prev = l.Row
		got[l.Row] = l.Field
		require.Equal(t, l.Row+1, l.Line)
	}
	require.Equal(t, wantBad, got)
	for _, batch := range send.batches[:len(send.batches)-1] {
		require.Len(t, batch, 100, "batches are full but the last")
	}
	require.Equal(t, sum, progress[len(progress)-1])
	require.Equal(t, RowError{Row: 97, Line: 98, Field: "email", Value: "bad97", Reason: "is not an email address"}, sink.lines[2],
		"the report quotes the cell the server refused")
}

func TestImportFatalError(t *testing.T) {
	t.Parallel()
	in := "email\na@x.com\nb@x.com\nc@x.com\nd@x.com\ne@x.com\n"
	r, err := NewReader("in.csv", strings.NewReader(in), schema(t, "leads"), Options{})
	require.NoError(t, err)
	sum, err := Import(t.Context(), r, &fakeSender{failAt: 2}, &sliceSink{}, ImportOptions{BatchSize: 2})
	var fe *FatalError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, 2, fe.AfterRow)
	require.ErrorContains(t, err, "connection refused")
	require.Equal(t, Summary{Rows: 2, Created: 2}, sum)

	r, err = NewReader("in.csv", strings.NewReader(in), schema(t, "leads"), Options{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = Import(ctx, r, &fakeSender{}, &sliceSink{}, ImportOptions{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestImportOnlyRefusedRows(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("email,employees\n")
	for range 50 {
		b.WriteString("a@x.com,nope\n")
	}
	r, err := NewReader("in.csv", strings.NewReader(b.String()), schema(t, "leads"), Options{})
	require.NoError(t, err)
	send, sink := &fakeSender{}, &sliceSink{}
	calls := 0
	sum, err := Import(t.Context(), r, send, sink, ImportOptions{BatchSize: 5, Progress: func(Summary) { calls++ }})
	require.NoError(t, err)
	require.Equal(t, Summary{Rows: 50, Errors: 50}, sum)
	require.Empty(t, send.batches, "nothing valid, nothing sent")
	require.Greater(t, calls, 1, "refused rows still move the progress")
}

func TestFileReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := ReportPath(filepath.Join(dir, "leads.csv"))
	require.Equal(t, filepath.Join(dir, "leads.csv.errors.csv"), path)

	rep := NewFileReport(path)
	require.NoError(t, rep.Close())
	require.NoFileExists(t, path, "no error, no file")

	rep = NewFileReport(path)
	require.NoError(t, rep.Add(RowError{Row: 2, Line: 3, Field: "email", Value: "x,\"y\"", Reason: "bad"}))
	require.NoError(t, rep.Close())
	f, err := os.Open(path)
	require.NoError(t, err)
	lines, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.NoError(t, f.Close())
	require.Equal(t, [][]string{ReportHeader, {"2", "3", "email", "x,\"y\"", "bad"}}, lines)

	rep = NewFileReport(path)
	require.NoError(t, rep.Close())
	require.NoError(t, rep.RemoveStale())
	require.NoFileExists(t, path, "a clean run removes the stale report")
	require.NoError(t, rep.RemoveStale(), "and does not mind when there is none")
}
