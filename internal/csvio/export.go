package csvio

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Exporter writes records as CSV with one column per field of the schema, in the schema's order.
type Exporter struct {
	w     *csv.Writer
	cols  []string
	kinds []Kind
	row   []string
	wrote bool
}

// NewExporter returns an exporter writing to w.
func NewExporter(w io.Writer, s *Schema) *Exporter {
	cols := make([]string, len(s.Fields))
	kinds := make([]Kind, len(s.Fields))
	for i, f := range s.Fields {
		cols[i], kinds[i] = f.Name, f.Kind
	}
	return &Exporter{w: csv.NewWriter(w), cols: cols, kinds: kinds, row: make([]string, len(cols))}
}

// Write writes one record (the header first, on the first call). Keys outside the schema are left out:
// the header was fixed before the first record. Text that a spreadsheet would run as a formula is
// escaped (see escapeCell); numbers are not, so -5 stays a number.
func (e *Exporter) Write(rec map[string]any) error {
	if err := e.header(); err != nil {
		return err
	}
	for i, c := range e.cols {
		e.row[i] = FormatValue(rec[c])
		if s, ok := rec[c].(string); ok && (e.kinds[i] == KindString || e.kinds[i] == KindJSON) {
			e.row[i] = escapeCell(s, e.kinds[i] == KindJSON)
		}
	}
	return e.w.Write(e.row)
}

// formulaStart is what makes a spreadsheet read a cell as a formula (OWASP's CSV injection list).
const formulaStart = "=+-@\t\r"

// escapeCell prefixes text that a spreadsheet would run as a formula with an apostrophe, which
// spreadsheets show as text and the importer removes (unescapeCell). Text that already starts with
// apostrophes before such a character gets one more, so that every value survives the round trip.
// A plain signed number (an E.164 phone, -5) is no formula and stays as it is in a text column; in a
// JSON column it is escaped too, because there the text "-5" must not come back as the number -5.
func escapeCell(s string, json bool) string {
	t := strings.TrimLeft(s, "'")
	if t == "" || strings.IndexByte(formulaStart, t[0]) < 0 {
		return s
	}
	if !json && t == s && plainNumber.MatchString(t) {
		return s
	}
	return "'" + s
}

var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// unescapeCell undoes escapeCell: one leading apostrophe goes when the cell is an escaped value.
func unescapeCell(cell string, json bool) string {
	if strings.HasPrefix(cell, "'") && escapeCell(cell[1:], json) != cell[1:] {
		return cell[1:]
	}
	return cell
}

func (e *Exporter) header() error {
	if e.wrote {
		return nil
	}
	e.wrote = true
	return e.w.Write(e.cols)
}

// Flush writes the header if no record came (an empty export is still a valid CSV file) and flushes.
func (e *Exporter) Flush() error {
	if err := e.header(); err != nil {
		return err
	}
	e.w.Flush()
	return e.w.Error()
}

// FormatValue formats one JSON value (decoded with UseNumber) as a cell: numbers in plain decimal
// notation (no exponent, which spreadsheets would misread), bools as true/false, null as an empty cell,
// objects and arrays as compact JSON, which the importer reads back.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		// The server's digits are exact; only an exponent form is rewritten.
		if !strings.ContainsAny(x.String(), "eE") {
			return x.String()
		}
		if f, err := x.Float64(); err == nil {
			return formatFloat(f)
		}
		return x.String()
	case float64:
		return formatFloat(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func formatFloat(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) >= 1e21 {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
