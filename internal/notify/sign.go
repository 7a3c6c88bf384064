package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header names that receivers rely on.
const (
	SignatureHeader   = "X-Salesflow-Signature"
	TimestampHeader   = "X-Salesflow-Timestamp"
	IdempotencyHeader = "Idempotency-Key"
)

// DefaultTolerance is the clock skew Verify accepts when given none: wide
// enough for slow queues and drifting clocks, narrow enough that a captured
// request cannot be replayed for long.
const DefaultTolerance = 5 * time.Minute

// ErrSignature is wrapped by every Verify failure so receivers can answer 401
// without inspecting the reason.
var ErrSignature = errors.New("invalid webhook signature")

// signature returns the X-Salesflow-Signature value for body sent at t. The
// timestamp is inside the MAC so that a captured request cannot be replayed
// later with a fresh timestamp.
func signature(secret []byte, t int64, body []byte) string {
	return fmt.Sprintf("t=%d,v1=%s", t, hex.EncodeToString(mac(secret, t, body)))
}

func mac(secret []byte, t int64, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(t, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks an X-Salesflow-Signature header the way a receiver should:
//
//  1. Split the header on "," into key=value pairs; take t (Unix seconds)
//     and every v1 (more than one may appear while a secret is rotated).
//  2. Reject the request if t is more than tolerance away from now, which
//     bounds replays (tolerance <= 0 means DefaultTolerance).
//  3. Compute hex(HMAC-SHA256(secret, t + "." + raw body)) over the exact
//     bytes received, before any JSON parsing, and compare it with each v1
//     in constant time.
//
// Every failure wraps ErrSignature.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if secret == "" {
		return fmt.Errorf("%w: empty secret", ErrSignature)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var (
		ts     int64
		haveTS bool
		sigs   [][]byte
	)
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || haveTS {
				return fmt.Errorf("%w: malformed timestamp in %q", ErrSignature, header)
			}
			ts, haveTS = n, true
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	if !haveTS || len(sigs) == 0 {
		return fmt.Errorf("%w: header %q lacks t= or v1=", ErrSignature, header)
	}
	if skew := now.Sub(time.Unix(ts, 0)).Abs(); skew > tolerance {
		return fmt.Errorf("%w: timestamp %d is %s from now, beyond the %s tolerance",
			ErrSignature, ts, skew.Round(time.Second), tolerance)
	}
	want := mac([]byte(secret), ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return fmt.Errorf("%w: no v1 signature matches the body", ErrSignature)
}
