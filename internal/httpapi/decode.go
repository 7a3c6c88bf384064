package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
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
// encoding/json would replace invalid UTF-8 with U+FFFD and let the last of two equal keys win, both
// silently; a body that relies on either is refused instead.
func decodeObject(b []byte) (map[string]any, *Problem) {
	if !utf8.Valid(b) {
		return nil, fieldProblem(http.StatusBadRequest, "body", "is not valid UTF-8")
	}
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
	if path, dup := duplicateKey(b); dup {
		return nil, fieldProblem(http.StatusBadRequest, path, "appears twice")
	}
	return m, nil
}

// duplicateKey finds the first key that appears twice in one object of b and returns its path ("email",
// "data.x", "stages[2].name"). b is known to hold valid JSON. One pass over the tokens, keeping the keys
// of the objects that are open.
func duplicateKey(b []byte) (string, bool) {
	var stack []*jsonLevel
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // numbers stay text: nothing to parse just to skip them
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false // io.EOF: syntax errors were reported by the decode before this walk
		}
		if n := len(stack); n > 0 && stack[n-1].wantKey {
			if key, ok := tok.(string); ok {
				top := stack[n-1]
				top.key, top.wantKey = key, false
				if top.keys[key] {
					return jsonPath(stack), true
				}
				top.keys[key] = true
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &jsonLevel{keys: map[string]bool{}, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &jsonLevel{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: its object waits for the next key, its array moves to the next element.
		if n := len(stack); n > 0 {
			top := stack[n-1]
			top.wantKey = top.keys != nil
			top.index++
		}
	}
}

// jsonLevel is one open object (keys set) or array while walking a JSON document.
type jsonLevel struct {
	keys    map[string]bool
	wantKey bool   // an object's next token is a key or its end
	key     string // in an object: the key whose value is being read
	index   int    // in an array: the element being read
}

// jsonPath names the value being read: keys joined by dots (`""` for an empty key, as Prepare names
// it), array elements by [index].
func jsonPath(stack []*jsonLevel) string {
	var sb strings.Builder
	for _, l := range stack {
		key := l.key
		if key == "" {
			key = `""`
		}
		switch {
		case l.keys == nil:
			fmt.Fprintf(&sb, "[%d]", l.index)
		case sb.Len() > 0:
			sb.WriteString("." + key)
		default:
			sb.WriteString(key)
		}
	}
	return sb.String()
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
