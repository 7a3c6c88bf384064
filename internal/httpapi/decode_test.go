package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeObjectRejectsInvalidUTF8(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"{\"email\":\"a\xff\xfe@b.co\"}", "{\"a\xff\":1}", "{\"x\":\"\xed\xa0\x80\"}", "{}\xff"} {
		_, p := decodeObject([]byte(body))
		require.NotNil(t, p, "%q", body)
		require.Equal(t, http.StatusBadRequest, p.Status)
		require.Equal(t, "body", p.Errors[0].Field)
		require.Equal(t, "is not valid UTF-8", p.Errors[0].Message)
	}
	m, p := decodeObject([]byte(`{"name":"Zoë \ud83d\ude00","escaped":"\u00e9"}`))
	require.Nil(t, p)
	require.Equal(t, map[string]any{"name": "Zoë 😀", "escaped": "é"}, m)
}

func TestDecodeObjectRejectsDuplicateKeys(t *testing.T) {
	t.Parallel()
	for body, field := range map[string]string{
		`{"email":"a@b.co","email":"c@d.co"}`:                          "email",
		`{"email":"a@b.co","first_name":"Ann","email":null}`:           "email",
		`{"data":{"x":1,"y":{"x":2},"x":3}}`:                           "data.x",
		`{"stages":[{"name":"a"},{"name":"b","won":true,"name":"c"}]}`: "stages[1].name",
		`{"a":[[1,2],{"k":[]},{"k":{},"k":1}]}`:                        "a[2].k",
		`{"":1,"":2}`:                                                  `""`,
		`{"d":{"":{"":1,"":2}}}`:                                       `d."".""`,
		"{\"a\":1,\n  \"a\" : 2}":                                      "a",
		`{"\u0061":1,"a":2}`:                                           "a",
	} {
		_, p := decodeObject([]byte(body))
		require.NotNil(t, p, body)
		require.Equal(t, http.StatusBadRequest, p.Status, body)
		require.Equal(t, field, p.Errors[0].Field, body)
		require.Equal(t, "appears twice", p.Errors[0].Message, body)
	}
	for _, body := range []string{
		`{}`, `{"a":{"a":{"a":1}}}`, `{"a":[{"k":1},{"k":2}],"b":{"k":1},"k":{"k":1}}`,
		`{"x":"a","y":"a","a":["a","a"]}`, `{"a":1,"A":2}`, `{"a":[],"b":{},"c":[[]],"d":[{}]}`,
		`{"n":1e400,"m":-0,"s":"\"a\":1"}`,
	} {
		m, p := decodeObject([]byte(body))
		require.Nil(t, p, "%s: %v", body, p)
		var want map[string]any
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&want))
		require.Equal(t, want, m)
	}
}

// TestDecodeObjectErrors checks that the earlier answers are unchanged: syntax first, then shape.
func TestDecodeObjectErrors(t *testing.T) {
	t.Parallel()
	for body, msg := range map[string]string{
		``:                    "is empty; send a JSON object",
		`[1,1]`:               "must be a JSON object",
		`{"a":1} {"a":1}`:     "must hold one JSON object and nothing after it",
		`{"a":1,"a":}`:        "is not valid JSON at line 1, column 12: invalid character '}' looking for beginning of value",
		"{\"a\":1,\n\"a\":2,": "is not valid JSON at line 2, column 6: unexpected EOF",
	} {
		_, p := decodeObject([]byte(body))
		require.NotNil(t, p, body)
		require.Equal(t, "body", p.Errors[0].Field, body)
		require.Equal(t, msg, p.Errors[0].Message, body)
	}
}
