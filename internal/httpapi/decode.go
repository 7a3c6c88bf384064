package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Body size limits: a record is small; a batch holds up to maxBatch records.
const (
	maxBody      = 1 << 20
	maxBatchBody = 16 << 20
	maxBatch     = 1000
)

// readBody reads at most limit bytes, answering 413 past it.
func readBody(r *http.Request, limit int64) ([]byte, *Problem) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, fieldProblem(http.StatusBadRequest, "body", "could not be read: "+err.Error())
	}
	if int64(len(b)) > limit {
		return nil, fieldProblem(http.StatusRequestEntityTooLarge, "body", fmt.Sprintf("is larger than %d bytes", limit))
	}
	return b, nil
}

// decodeObject parses a JSON object with numbers kept exact (json.Number), rejecting anything after it.
func decodeObject(b []byte) (map[string]any, *Problem) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fieldProblem(http.StatusBadRequest, "body", jsonError(b, err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fieldProblem(http.StatusBadRequest, "body", "must hold one JSON object and nothing after it")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fieldProblem(http.StatusBadRequest, "body", "must be a JSON object")
	}
	return m, nil
}

// jsonError says where JSON broke, as line:col.
func jsonError(b []byte, err error) string {
	var se *json.SyntaxError
	var off int64 = -1
	if errors.As(err, &se) {
		off = se.Offset
	}
	if errors.Is(err, io.EOF) {
		return "is empty; send a JSON object"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		off = int64(len(b))
	}
	if off < 0 {
		return "is not valid JSON: " + err.Error()
	}
	line := 1 + strings.Count(string(b[:min(off, int64(len(b)))]), "\n")
	col := off - int64(strings.LastIndexByte(string(b[:min(off, int64(len(b)))]), '\n'))
	return fmt.Sprintf("is not valid JSON at line %d, column %d: %v", line, col-1, err)
}
