package csvio

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Column is one column of a CSV file and the field it feeds; Field is empty for a dropped column.
type Column struct {
	Index  int    // 0-based
	Header string // as written in the file (BOM and surrounding spaces removed)
	Field  string
	Kind   Kind
}

// aliases maps normalised headers that spreadsheets and other CRMs use to candidate field names; the
// first candidate the object has wins, so "company_name" is a lead's company but an account's name.
var aliases = map[string][]string{
	"e_mail":          {"email"},
	"email_address":   {"email"},
	"e_mail_address":  {"email"},
	"mail":            {"email"},
	"first":           {"first_name"},
	"firstname":       {"first_name"},
	"given_name":      {"first_name"},
	"last":            {"last_name"},
	"lastname":        {"last_name"},
	"surname":         {"last_name"},
	"family_name":     {"last_name"},
	"company":         {"company", "name"},
	"company_name":    {"company", "name"},
	"organization":    {"company", "name"},
	"organisation":    {"company", "name"},
	"account_name":    {"name"},
	"phone_number":    {"phone"},
	"mobile":          {"phone"},
	"telephone":       {"phone"},
	"job_title":       {"title"},
	"web":             {"website"},
	"url":             {"website"},
	"homepage":        {"website"},
	"employee_count":  {"employees"},
	"employees_count": {"employees"},
}

// Normalize turns a header cell into the form fields are named in: BOM and spaces trimmed, lower case,
// runs of spaces, dashes and underscores made one underscore ("E-Mail  Address" → "e_mail_address").
func Normalize(h string) string {
	h = strings.ToLower(cleanHeader(h))
	var b strings.Builder
	sep := false
	for _, r := range h {
		if r == ' ' || r == '-' || r == '_' || r == '\t' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('_')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

func cleanHeader(h string) string { return strings.TrimSpace(strings.ReplaceAll(h, "\ufeff", "")) }

// ParseMap reads --map entries "CSV Header=field" (a flag value split at commas gives one entry each).
// Headers match case-insensitively; an empty field ("Notes=") drops the column. The last "=" separates,
// because a header may contain one and a field name never does.
func ParseMap(entries []string) (map[string]string, error) {
	m := map[string]string{}
	for _, e := range entries {
		if strings.TrimSpace(e) == "" {
			continue
		}
		i := strings.LastIndexByte(e, '=')
		if i < 0 {
			return nil, fmt.Errorf("--map %q: write it as \"CSV Header=field\"", e)
		}
		h := strings.ToLower(cleanHeader(e[:i]))
		if h == "" {
			return nil, fmt.Errorf("--map %q: the header before \"=\" is empty", e)
		}
		if _, dup := m[h]; dup {
			return nil, fmt.Errorf("--map names the header %q twice", e[:i])
		}
		m[h] = strings.TrimSpace(e[i+1:])
	}
	return m, nil
}

// HeaderError lists everything wrong with a file's header at once, so that one run shows every column
// to fix rather than one per attempt.
type HeaderError struct {
	File     string
	Problems []string
	Hint     string
}

func (e *HeaderError) Error() string {
	msg := e.File + ": " + strings.Join(e.Problems, "; ")
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// MapHeader decides which field each column of header feeds: an explicit mapping first, then the
// normalised header as a field name, then the common aliases. A column that maps to no writable field
// is an error unless skipUnknown drops it; two columns feeding one field are always an error, since
// one of them would be silently lost.
func MapHeader(file string, header []string, s *Schema, explicit map[string]string, skipUnknown bool) ([]Column, error) {
	herr := &HeaderError{File: file}
	cols := make([]Column, len(header))
	used := map[string]bool{}
	var unknown []string
	byField := map[string]int{}
	for i, raw := range header {
		h := cleanHeader(raw)
		col := Column{Index: i, Header: h}
		key := strings.ToLower(h)
		target, isExplicit := explicit[key]
		if isExplicit {
			used[key] = true
			if target != "" && !s.writableField(target) {
				herr.Problems = append(herr.Problems, fmt.Sprintf("--map %q=%s: %s", h, target, s.whyNot(target)))
				cols[i] = col
				continue
			}
		} else {
			target = s.resolve(h)
		}
		switch {
		case target != "":
			f, _ := s.Field(target)
			col.Field, col.Kind = f.Name, f.Kind
			if j, dup := byField[target]; dup {
				herr.Problems = append(herr.Problems, fmt.Sprintf("%s and %s both map to %s", colName(j, cols[j].Header), colName(i, h), target))
			}
			byField[target] = i
		case isExplicit, skipUnknown:
			// dropped on purpose
		case h == "":
			herr.Problems = append(herr.Problems, fmt.Sprintf("%s has no header", colName(i, h)))
			unknown = append(unknown, h)
		default:
			herr.Problems = append(herr.Problems, fmt.Sprintf("%s: %s", colName(i, h), s.whyNot(Normalize(h))))
			unknown = append(unknown, h)
		}
		cols[i] = col
	}
	for _, key := range slices.Sorted(maps.Keys(explicit)) {
		if !used[key] {
			herr.Problems = append(herr.Problems, fmt.Sprintf("--map names the header %q, which the file does not have", key))
		}
	}
	if len(herr.Problems) == 0 && len(byField) == 0 {
		herr.Problems = append(herr.Problems, "no column maps to a field of "+s.Name)
	}
	if len(herr.Problems) > 0 {
		if len(unknown) > 0 {
			herr.Hint = fmt.Sprintf("map a column with --map %q or drop unknown columns with --skip-unknown; %s fields: %s",
				unknown[0]+"=FIELD", s.Name, strings.Join(s.writable(), ", "))
		}
		return nil, herr
	}
	return cols, nil
}

// resolve returns the writable field a header names, directly or through an alias, or "".
func (s *Schema) resolve(header string) string {
	n := Normalize(header)
	if s.writableField(n) {
		return n
	}
	for _, c := range aliases[n] {
		if s.writableField(c) {
			return c
		}
	}
	return ""
}

func (s *Schema) writableField(name string) bool {
	f, ok := s.Field(name)
	return ok && !f.ReadOnly
}

func (s *Schema) whyNot(name string) string {
	if _, ok := s.Field(name); ok {
		return fmt.Sprintf("%s is a read-only field of %s (the server sets it)", name, s.Name)
	}
	return fmt.Sprintf("%s has no field %q", s.Name, name)
}

// colName names a column the way a spreadsheet user finds it: "column C "Email"".
func colName(i int, header string) string {
	return fmt.Sprintf("column %s %q", letters(i), header)
}

// letters returns the spreadsheet letters of a 0-based column index: 0 → A, 26 → AA.
func letters(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}
