package cli

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/salesflow/salesflow/internal/csvio"
	"github.com/salesflow/salesflow/internal/enrich"
	"github.com/salesflow/salesflow/internal/records"
)

// companyColumns are the columns a directory file may have, in the order messages list them.
var companyColumns = []string{"domain", "name", "industry", "employees", "country", "website", "city"}

var (
	domainName = regexp.MustCompile(`^[\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?(\.[\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?)+$`)
)

// ReadCompaniesCSV reads a company directory file for the import command; file names it in messages.
// The header row must name a domain column; name, industry, employees, country, website and city are
// optional, in any order and case. A header problem (an unknown column is most likely a typo that
// would silently drop data) fails the whole file: no companies come back. A bad row is reported as
// "file:line: column: reason" and skipped, so one typo does not cost the other rows; the good rows
// come back in file order. The delimiter (',', ';' or tab) is detected from the header, as Excel
// writes ';' in some locales.
func ReadCompaniesCSV(r io.Reader, file string) ([]enrich.Company, []error) {
	br := bufio.NewReaderSize(r, 64<<10)
	cr := csv.NewReader(br)
	cr.Comma = csvio.DetectDelimiter(br)
	cr.FieldsPerRecord = -1 // a short or long row is that row's error, not the end of the file
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, []error{fmt.Errorf("%s: empty; the first line must name the columns (at least domain)", file)}
	}
	if err != nil {
		return nil, []error{fmt.Errorf("%s: header: %w", file, err)}
	}
	cols, errs := companyHeader(file, header)
	if len(errs) > 0 {
		return nil, errs
	}
	var out []enrich.Company
	seen := map[string]int{} // domain → line, so a repeated domain names the first one
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, errs
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) { // encoding/csv resumes after the broken record
			errs = append(errs, fmt.Errorf("%s:%d: row: malformed CSV at character %d: %w", file, pe.StartLine, pe.Column, pe.Err))
			continue
		}
		if err != nil {
			return out, append(errs, fmt.Errorf("read %s: %w", file, err))
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(cols) {
			errs = append(errs, fmt.Errorf("%s:%d: row: has %d cells; the header has %d", file, line, len(rec), len(cols)))
			continue
		}
		c, rowErrs := companyRow(cols, rec)
		if c.Domain != "" {
			if first, dup := seen[c.Domain]; dup {
				rowErrs = append(rowErrs, cellError{"domain", fmt.Sprintf("%s is already on line %d", c.Domain, first)})
			} else if len(rowErrs) == 0 {
				seen[c.Domain] = line
			}
		}
		for _, e := range rowErrs {
			errs = append(errs, fmt.Errorf("%s:%d: %s: %s", file, line, e.column, e.reason))
		}
		if len(rowErrs) == 0 {
			out = append(out, c)
		}
	}
}

// companyHeader maps the header cells to column names, refusing unknown and repeated ones.
func companyHeader(file string, header []string) ([]string, []error) {
	var errs []error
	cols := make([]string, len(header))
	for i, h := range header {
		col := csvio.Normalize(h)
		switch {
		case !slices.Contains(companyColumns, col):
			errs = append(errs, fmt.Errorf("%s:1: column %q: unknown; the columns are %s", file, strings.TrimSpace(h), strings.Join(companyColumns, ", ")))
		case slices.Contains(cols[:i], col):
			errs = append(errs, fmt.Errorf("%s:1: column %q: appears twice", file, col))
		}
		cols[i] = col
	}
	if !slices.Contains(cols, "domain") {
		errs = append(errs, fmt.Errorf("%s:1: no domain column; the directory is looked up by domain", file))
	}
	return cols, errs
}

// cellError is one cell's problem in a row.
type cellError struct{ column, reason string }

// companyRow converts one data row; cells are trimmed, and an empty optional cell means unknown.
func companyRow(cols, rec []string) (enrich.Company, []cellError) {
	var c enrich.Company
	var errs []cellError
	for i, col := range cols {
		v := strings.TrimSpace(rec[i])
		if v == "" && col != "domain" {
			continue
		}
		var reason string
		switch col {
		case "domain":
			c.Domain, reason = directoryDomain(v)
		case "name":
			c.Name = v
		case "industry":
			c.Industry = v
		case "city":
			c.City = v
		case "employees":
			c.Employees, reason = employeeCount(v)
		case "country":
			c.Country, reason = enrich.CountryCode(v)
		case "website":
			c.Website, reason = website(v)
		}
		if reason != "" {
			errs = append(errs, cellError{col, reason})
		}
	}
	return c, errs
}

// directoryDomain reduces a domain cell to the registrable domain leads are looked up by (a pasted
// "https://www.acme.com/about" counts as acme.com), the way the write path derives company_domain.
func directoryDomain(v string) (string, string) {
	if v == "" {
		return "", "is empty"
	}
	d := records.AccountDomain(v, "")
	if !domainName.MatchString(d) {
		return "", fmt.Sprintf("%q is not a domain like acme.com", v)
	}
	if ps, _ := publicsuffix.PublicSuffix(d); ps == d {
		return "", fmt.Sprintf("%q is not a domain like acme.com", v)
	}
	if records.IsFreeMail(d) {
		// Leads at free-mail domains have no company domain, so the entry could never match.
		return "", fmt.Sprintf("%s is a free-mail domain; its addresses say nothing about a company", d)
	}
	return d, ""
}

// employeeCount reads a whole number of 0 or more ("1,200" too, the way number fields read text).
func employeeCount(v string) (float64, string) {
	n, msg := records.ParseNumber(v)
	if msg != "" || n < 0 || n != math.Trunc(n) {
		return 0, fmt.Sprintf("%q is not a whole number of 0 or more", v)
	}
	return n, ""
}

// website normalises the cell the way the lead's website field is, so an enriched website is one the
// write path accepts.
func website(v string) (string, string) {
	u, err := records.NormalizeURL(v)
	if err != nil {
		return "", err.Error()
	}
	return u, ""
}
