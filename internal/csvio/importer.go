package csvio

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Outcome is the server's answer for one record of a batch: created, updated, unchanged or error.
type Outcome struct {
	Status string
	Errors []FieldError
}

// FieldError is one reason the server refused a record.
type FieldError struct {
	Field   string
	Message string
}

// Sender upserts one batch of records by their natural key and answers one Outcome per record, in order.
// The CLI adapts the API client to it; tests use fakes.
type Sender interface {
	Send(ctx context.Context, recs []map[string]any) ([]Outcome, error)
}

// ErrorSink receives the report lines, in row order.
type ErrorSink interface {
	Add(RowError) error
}

// Summary counts what happened to the rows read so far. Every row read is exactly one of created,
// updated, unchanged or errors.
type Summary struct {
	Rows      int
	Created   int
	Updated   int
	Unchanged int
	Errors    int // rows in the report (one row may have several report lines)
}

// ImportOptions tune Import.
type ImportOptions struct {
	BatchSize int           // records per request; the server takes at most 1000
	Progress  func(Summary) // called after each batch
}

// FatalError is a failure that stopped an import part way: the rows before it were imported or
// reported, the rest were not read. Re-running the import is safe, since records are upserted.
type FatalError struct {
	AfterRow int // the last row whose fate is known
	Err      error
}

func (e *FatalError) Error() string {
	return fmt.Sprintf("import stopped after row %d (rows up to it are imported or reported; re-running is safe): %v", e.AfterRow, e.Err)
}

func (e *FatalError) Unwrap() error { return e.Err }

// Import reads every row of rd, sends the valid ones in batches and writes every refused row to sink,
// with the server's reasons. It returns once the file is done or on the first fatal error (the sender
// or the sink failing, or ctx ending).
func Import(ctx context.Context, rd *Reader, send Sender, sink ErrorSink, opt ImportOptions) (Summary, error) {
	if opt.BatchSize < 1 {
		opt.BatchSize = 500
	}
	imp := &importer{send: send, sink: sink, opt: opt}
	var pending []*Row
	valid := 0
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return imp.sum, &FatalError{AfterRow: imp.sum.Rows, Err: err}
		}
		pending = append(pending, row)
		if len(row.Errors) == 0 {
			valid++
		}
		// A run of refused rows also flushes, so that the report and the progress keep moving.
		if valid == opt.BatchSize || len(pending) == 4*opt.BatchSize {
			if err := imp.flush(ctx, pending); err != nil {
				return imp.sum, err
			}
			pending, valid = pending[:0], 0
		}
	}
	if len(pending) > 0 {
		if err := imp.flush(ctx, pending); err != nil {
			return imp.sum, err
		}
	}
	return imp.sum, nil
}

type importer struct {
	send Sender
	sink ErrorSink
	opt  ImportOptions
	sum  Summary
}

// flush sends the valid rows among rows and then accounts for all of them in row order, so the report
// lists rows in file order whether the parser or the server refused them.
func (imp *importer) flush(ctx context.Context, rows []*Row) error {
	recs := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		if len(r.Errors) == 0 {
			recs = append(recs, r.Record)
		}
	}
	var outcomes []Outcome
	if len(recs) > 0 {
		if err := ctx.Err(); err != nil {
			return &FatalError{AfterRow: imp.sum.Rows, Err: err}
		}
		var err error
		outcomes, err = imp.send.Send(ctx, recs)
		if err == nil && len(outcomes) != len(recs) {
			err = fmt.Errorf("sent %d records, got %d results", len(recs), len(outcomes))
		}
		if err != nil {
			return &FatalError{AfterRow: imp.sum.Rows, Err: err}
		}
	}
	next := 0
	for _, r := range rows {
		errs := r.Errors
		if len(errs) == 0 {
			errs = imp.count(r, outcomes[next])
			next++
		}
		if len(errs) > 0 {
			imp.sum.Errors++
			for _, e := range errs {
				if err := imp.sink.Add(e); err != nil {
					return &FatalError{AfterRow: imp.sum.Rows, Err: err}
				}
			}
		}
		imp.sum.Rows++
	}
	if imp.opt.Progress != nil {
		imp.opt.Progress(imp.sum)
	}
	return nil
}

// count tallies a sent row's outcome and returns its report lines when the server refused it.
func (imp *importer) count(r *Row, o Outcome) []RowError {
	switch o.Status {
	case "created":
		imp.sum.Created++
		return nil
	case "updated":
		imp.sum.Updated++
		return nil
	case "unchanged":
		imp.sum.Unchanged++
		return nil
	}
	if len(o.Errors) == 0 {
		reason := "refused by the server"
		if o.Status != "error" {
			reason = fmt.Sprintf("unexpected outcome %q from the server", o.Status)
		}
		return []RowError{{Row: r.Num, Line: r.Line, Reason: reason}}
	}
	out := make([]RowError, len(o.Errors))
	for i, fe := range o.Errors {
		out[i] = RowError{Row: r.Num, Line: r.Line, Field: fe.Field, Value: r.cells[fe.Field], Reason: fe.Message}
	}
	return out
}
