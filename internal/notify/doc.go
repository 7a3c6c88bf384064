// Package notify delivers workflow notifications to the outside world:
// signed outbound webhooks, Slack-compatible incoming webhooks and email over
// SMTP.
//
// Every call is exactly one delivery attempt. The workflow engine owns durable
// retries (they must survive restarts and be visible in run history), so this
// package never loops or sleeps; instead each failure says whether and when to
// try again:
//
//   - *RetryError: a temporary failure (network error, timeout, HTTP 408, 425,
//     429 or 5xx, SMTP 4xx). After carries the receiver's Retry-After when it
//     gave one; otherwise the caller waits Backoff(attempt, rng).
//   - *PermanentError: retrying cannot help (other HTTP 4xx, redirects, SMTP
//     5xx, a refused or malformed destination).
//
// Retries must not duplicate effects at the receiver, so each call takes an
// idempotency key that the caller derives from the run and step. Webhooks send
// it as the Idempotency-Key header; email derives its Message-ID from it.
//
// Webhook URLs come from workflow authors, so a Guard stops them from reaching
// the server's own network (loopback, private ranges, cloud metadata) unless an
// operator allow-lists the destination in SALESFLOW_WEBHOOK_ALLOWLIST. The
// check runs when the socket connects, on the address actually dialled, so a
// host name that resolves differently later (DNS rebinding) cannot slip past.
package notify
