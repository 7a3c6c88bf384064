package enrich

import (
	"errors"
	"fmt"
	"time"
)

// ProviderError is one provider's failure in Enricher.Lookup. It names the provider so that the caller
// can retry just that one (Lookup's only argument) while keeping what the others found.
type ProviderError struct {
	Provider string
	Err      error
}

func (e *ProviderError) Error() string { return "enrich: " + e.Provider + ": " + e.Err.Error() }
func (e *ProviderError) Unwrap() error { return e.Err }

// RateLimitedError is a provider refusing a request because too many were made (HTTP 429). RetryAfter
// is how long it asked to wait, 0 when it did not say.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("rate limited by the provider; retry after %s", e.RetryAfter)
	}
	return "rate limited by the provider"
}

// retryableError marks a failure that may well succeed later (a 5xx answer, a timeout, a dropped
// connection), as opposed to one that will fail the same way again (a 401, a bad answer).
type retryableError struct{ err error }

func (e *retryableError) Error() string { return e.err.Error() }
func (e *retryableError) Unwrap() error { return e.err }

// retryable marks err as worth retrying.
func retryable(err error) error { return &retryableError{err} }

// Retryable reports whether err (or any error it wraps or joins) is temporary: a server error, a
// timeout, or a rate limit (whose RetryAfter says when). Everything else is permanent until a person
// fixes the cause, so a retry loop would only repeat it.
func Retryable(err error) bool {
	var r *retryableError
	var rl *RateLimitedError
	return errors.As(err, &r) || errors.As(err, &rl)
}
