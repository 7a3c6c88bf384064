package workflow

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity of a diagnostic.
type Severity string

// Severities: an error stops a definition from being applied; a warning does not.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Diagnostic is one problem, located in its file.
type Diagnostic struct {
	File     string   `json:"file"`
	Pos      Pos      `json:"-"`
	Line     int      `json:"line"`
	Col      int      `json:"col"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// String is the lint line: file:line:col: severity: message.
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", d.File, d.Line, d.Col, d.Severity, d.Message)
}

// Diagnostics collects problems as a lint pass walks the documents.
type Diagnostics struct{ list []Diagnostic }

func (ds *Diagnostics) add(file string, p Pos, sev Severity, format string, args ...any) {
	ds.list = append(ds.list, Diagnostic{File: file, Pos: p, Line: p.Line, Col: p.Col, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

// Sorted returns the diagnostics by file and position, each once.
func (ds *Diagnostics) Sorted() []Diagnostic {
	out := slices.Clone(ds.list)
	for i := range out {
		out[i].Line, out[i].Col = out[i].Pos.Line, out[i].Pos.Col
	}
	slices.SortStableFunc(out, func(a, b Diagnostic) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return slices.CompactFunc(out, func(a, b Diagnostic) bool { return a == b })
}

// HasErrors reports whether any diagnostic is an error.
func HasErrors(ds []Diagnostic) bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == Error })
}
