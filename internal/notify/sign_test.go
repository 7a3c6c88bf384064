package notify

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	secret := "s3cret"
	body := []byte(`{"deal":"won"}`)
	now := time.Unix(1_900_000_000, 0)
	good := signature([]byte(secret), now.Unix(), body)
	ts := "t=" + strconv.FormatInt(now.Unix(), 10)

	require.NoError(t, Verify(secret, good, body, now, time.Minute))
	require.NoError(t, Verify(secret, good, body, now.Add(59*time.Second), time.Minute))
	rotated := ts + ",v1=" + "00ff" + "," + good[len(ts)+1:]
	require.NoError(t, Verify(secret, rotated, body, now, 0), "any v1 may match")

	for name, tc := range map[string]struct {
		secret, header string
		body           []byte
		at             time.Time
	}{
		"wrong secret":   {"other", good, body, now},
		"tampered body":  {secret, good, []byte(`{"deal":"lost"}`), now},
		"too old":        {secret, good, body, now.Add(2 * time.Minute)},
		"too new":        {secret, good, body, now.Add(-2 * time.Minute)},
		"no signature":   {secret, ts, body, now},
		"no timestamp":   {secret, "v1=abcd", body, now},
		"bad timestamp":  {secret, "t=yesterday,v1=abcd", body, now},
		"empty header":   {secret, "", body, now},
		"empty secret":   {"", good, body, now},
		"signature only": {secret, good[len(ts)+1:], body, now},
	} {
		err := Verify(tc.secret, tc.header, tc.body, tc.at, time.Minute)
		require.ErrorIs(t, err, ErrSignature, name)
	}
}
