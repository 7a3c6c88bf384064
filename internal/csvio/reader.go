package csvio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/salesflow/salesflow/internal/records"
)

// RowError is one line of the error report: a row that was not imported and why.
type RowError struct {
	Row    int    // 1-based data row (the header is row 0)
	Line   int    // physical line where the row starts; later than Row+1 once a quoted cell spans lines
	Field  string // target field, else the CSV header, else "" for the whole row
	Value  string // the offending cell (the whole row for a wrong cell count)
	Reason string
}

// Row is one data row turned into an API record. A row with Errors is not sent.
type Row struct {
	Num    int
	Line   int
	Record map[string]any
	Errors []RowError
	cells  map[string]string // field → cell as written, to quote in the report when the server refuses it
}

// Options tune how a file is read.
type Options struct {
	Delimiter   rune              // 0 detects ',', ';' or tab from the header line
	Map         map[string]string // from ParseMap
	SkipUnknown bool
}

// Reader reads the data rows of one CSV file after its header has been mapped.
type Reader struct {
	file  string
	cr    *csv.Reader
	cols  []Column
	delim rune
	row   int
}

// NewReader reads and maps the header of src; file names the file in messages. Errors here are fatal:
// nothing has been imported yet.
func NewReader(file string, src io.Reader, s *Schema, opt Options) (*Reader, error) {
	br := bufio.NewReaderSize(src, 64<<10)
	delim := opt.Delimiter
	if delim == 0 {
		delim = DetectDelimiter(br)
	}
	if err := CheckDelimiter(delim); err != nil {
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1 // a short or long row is that row's error, not the end of the import
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s is empty: the first line must name the columns", file)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", file, err)
	}
	cols, err := MapHeader(file, header, s, opt.Map, opt.SkipUnknown)
	if err != nil {
		return nil, err
	}
	return &Reader{file: file, cr: cr, cols: cols, delim: delim}, nil
}

// Next returns the next data row, or io.EOF. A malformed row comes back with Errors; only a failure
// to read the file is an error.
func (r *Reader) Next() (*Row, error) {
	rec, err := r.cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	r.row++
	row := &Row{Num: r.row}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// encoding/csv resumes after the broken record, so one stray quote costs one row, not the file.
		row.Line = pe.StartLine
		row.Errors = []RowError{{Row: r.row, Line: pe.StartLine, Reason: fmt.Sprintf("malformed CSV at line %d, column %d: %v", pe.Line, pe.Column, pe.Err)}}
		return row, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: read row %d: %w", r.file, r.row, err)
	}
	row.Line, _ = r.cr.FieldPos(0)
	if len(rec) != len(r.cols) {
		row.Errors = []RowError{{Row: r.row, Line: row.Line, Value: strings.Join(rec, string(r.delim)),
			Reason: fmt.Sprintf("has %d cells; the header has %d", len(rec), len(r.cols))}}
		return row, nil
	}
	row.Record = make(map[string]any, len(r.cols))
	row.cells = make(map[string]string, len(r.cols))
	for i, col := range r.cols {
		cell := rec[i]
		if col.Field == "" || strings.TrimSpace(cell) == "" {
			continue // an empty cell leaves the field alone, so a re-import never clears data
		}
		row.cells[col.Field] = cell
		v, msg := Convert(col.Kind, cell)
		if msg != "" {
			row.Errors = append(row.Errors, RowError{Row: r.row, Line: row.Line, Field: col.Field, Value: cell, Reason: msg})
			continue
		}
		row.Record[col.Field] = v
	}
	return row, nil
}

// Convert turns a non-empty cell into the JSON value the API expects for a field of kind k, or returns
// a message saying why it cannot.
func Convert(k Kind, cell string) (any, string) {
	s := strings.TrimSpace(cell)
	switch k {
	case KindNumber:
		// The server's own parser, so that a cell the import accepts is a number the API accepts.
		return records.CoerceString(records.Field{Type: records.Number}, s)
	case KindBool:
		switch strings.ToLower(s) {
		case "true", "yes", "y", "1":
			return true, ""
		case "false", "no", "n", "0":
			return false, ""
		}
		return nil, fmt.Sprintf("%q is not true or false (also yes/no, 1/0)", s)
	case KindString:
		return unescapeCell(cell, false), ""
	case KindJSON:
		if u := unescapeCell(cell, true); u != cell {
			return u, "" // escaped on export, so it was a string
		}
		// Export writes JSON values as compact JSON; reading them back as JSON keeps the round trip.
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err == nil && !dec.More() {
			return v, ""
		}
		return cell, ""
	}
	return cell, ""
}

// DetectDelimiter guesses the delimiter from the first line: the most frequent of ',', ';' and tab
// outside quotes, ',' on a tie or when none appears (a one-column file). Excel writes ';' in locales
// with a decimal comma, which is why guessing beats failing with "1 column".
func DetectDelimiter(br *bufio.Reader) rune {
	peek, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(peek, '\n'); i >= 0 {
		peek = peek[:i]
	}
	counts := map[rune]int{}
	quoted := false
	for _, b := range peek {
		switch {
		case b == '"':
			quoted = !quoted
		case !quoted && (b == ',' || b == ';' || b == '\t'):
			counts[rune(b)]++
		}
	}
	best := ','
	for _, d := range []rune{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}

// ParseDelimiter reads a --delimiter value: one character, or "tab" / `\t`.
func ParseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case "tab", `\t`:
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) {
		return 0, fmt.Errorf("--delimiter %q: give one character (or tab)", s)
	}
	return r, CheckDelimiter(r)
}

// CheckDelimiter refuses the delimiters encoding/csv cannot use.
func CheckDelimiter(r rune) error {
	if r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError || !utf8.ValidRune(r) {
		return fmt.Errorf("--delimiter %q cannot separate CSV cells", r)
	}
	return nil
}

// CountRows counts the data rows of a CSV file (records after the header, quoted newlines included),
// for a progress bar's total. Malformed records count as rows, as the import reports them.
func CountRows(src io.Reader, delim rune) (int, error) {
	br := bufio.NewReaderSize(src, 64<<10)
	if delim == 0 {
		delim = DetectDelimiter(br)
	}
	cr := csv.NewReader(br)
	cr.Comma, cr.FieldsPerRecord, cr.ReuseRecord = delim, -1, true
	n := -1
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return max(n, 0), nil
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return 0, err
		}
		n++
	}
}
