package notify

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	backoffBase = 2 * time.Second
	backoffCap  = 15 * time.Minute
	// maxRetryAfter bounds how long a receiver can park a delivery: a
	// misbehaving server must not stall a workflow run for days.
	maxRetryAfter = time.Hour
)

// RetryError reports a failed attempt that may succeed later. The engine
// schedules the next attempt; this package only says when.
type RetryError struct {
	// Err is the underlying failure.
	Err error
	// After is the delay the receiver asked for through Retry-After, capped
	// at one hour, or 0 when it named none; the caller then uses Backoff.
	After time.Duration
}

// Error describes the failure and, when known, the requested delay.
func (e *RetryError) Error() string {
	if e.After > 0 {
		return fmt.Sprintf("temporary failure (retry after %s): %v", e.After, e.Err)
	}
	return fmt.Sprintf("temporary failure: %v", e.Err)
}

// Unwrap lets errors.Is and errors.As reach the cause.
func (e *RetryError) Unwrap() error { return e.Err }

// PermanentError reports a failure that the same request cannot overcome, so
// the caller should stop retrying and surface it to a person.
type PermanentError struct {
	// Status is the HTTP status or SMTP reply code that made the failure
	// permanent, or 0 when no server answered (for example a refused
	// destination or a malformed URL).
	Status int
	// Err is the underlying failure.
	Err error
}

// Error describes the failure and the status that caused it.
func (e *PermanentError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("permanent failure (status %d): %v", e.Status, e.Err)
	}
	return fmt.Sprintf("permanent failure: %v", e.Err)
}

// Unwrap lets errors.Is and errors.As reach the cause.
func (e *PermanentError) Unwrap() error { return e.Err }

// Backoff returns how long to wait before retry number attempt (the first
// retry is attempt 1) when the receiver named no Retry-After. The nominal
// delay doubles from 2s up to a 15m cap; "equal jitter" then keeps half of it
// fixed and draws the other half at random, so a burst of failures against one
// receiver spreads out while every wait stays at least half the nominal delay.
// r may be nil to use the math/rand/v2 default source; tests pass a seeded one.
func Backoff(attempt int, r *rand.Rand) time.Duration {
	d := backoffBase
	for i := 1; i < attempt && d < backoffCap; i++ {
		d *= 2
	}
	d = min(d, backoffCap)
	half := d / 2
	span := int64(d-half) + 1
	var jitter int64
	if r != nil {
		jitter = r.Int64N(span)
	} else {
		jitter = rand.Int64N(span)
	}
	return half + time.Duration(jitter)
}

// retryAfter interprets a Retry-After header, which is either delay-seconds
// or an HTTP-date (RFC 9110 §10.2.3). Anything unparsable counts as absent so
// that the caller falls back to Backoff rather than failing the delivery.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs >= int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}
