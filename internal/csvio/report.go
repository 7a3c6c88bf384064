package csvio

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
)

// ReportPath is where the error report of an import of file goes: beside it, so that it is found.
func ReportPath(file string) string { return file + ".errors.csv" }

// ReportHeader is the error report's header line.
var ReportHeader = []string{"row", "line", "field", "value", "reason"}

// FileReport writes the error report. The file is created on the first error only, so that a run that
// fails before importing anything (a bad header, an unreachable server) leaves no file behind.
type FileReport struct {
	path string
	f    *os.File
	w    *csv.Writer
	n    int
}

// NewFileReport returns a report that will be written to path.
func NewFileReport(path string) *FileReport { return &FileReport{path: path} }

// Path returns where the report is written.
func (r *FileReport) Path() string { return r.path }

// Len returns how many error lines were written.
func (r *FileReport) Len() int { return r.n }

// Add writes one error line.
func (r *FileReport) Add(e RowError) error {
	if r.w == nil {
		f, err := os.Create(r.path)
		if err != nil {
			return fmt.Errorf("create error report: %w", err)
		}
		r.f, r.w = f, csv.NewWriter(f)
		if err := r.w.Write(ReportHeader); err != nil {
			return fmt.Errorf("write error report: %w", err)
		}
	}
	r.n++
	if err := r.w.Write([]string{strconv.Itoa(e.Row), strconv.Itoa(e.Line), e.Field, e.Value, e.Reason}); err != nil {
		return fmt.Errorf("write error report: %w", err)
	}
	return nil
}

// Close flushes and closes the report, if one was started.
func (r *FileReport) Close() error {
	if r.w == nil {
		return nil
	}
	r.w.Flush()
	err := r.w.Error()
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	r.w = nil
	if err != nil {
		return fmt.Errorf("write error report %s: %w", r.path, err)
	}
	return nil
}

// RemoveStale deletes a report left by an earlier run when this one wrote none, so that an old report
// beside a clean import cannot be mistaken for this run's.
func (r *FileReport) RemoveStale() error {
	if r.n > 0 {
		return nil
	}
	if err := os.Remove(r.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale error report: %w", err)
	}
	return nil
}
