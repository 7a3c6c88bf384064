// Package auth knows who is calling (API tokens, the bootstrap admin token) and what each role may
// change. Tokens are random 256-bit secrets, so a SHA-256 of the secret is a safe, fast lookup key;
// the secret itself is shown once and never stored.
package auth

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
)

// Roles.
const (
	Admin   = "admin"
	Manager = "manager"
	Rep     = "rep"
)

// Rank orders roles: a rep ranks below a manager, who ranks below an admin; unknown roles rank lowest.
func Rank(role string) int {
	switch role {
	case Admin:
		return 3
	case Manager:
		return 2
	case Rep:
		return 1
	}
	return 0
}

// Actor kinds, recorded on every event as who or what made the change.
const (
	KindToken      = "token"       // an API token bound to a user, or an admin token without one
	KindAdminToken = "admin_token" // SALESFLOW_ADMIN_TOKEN
	KindForm       = "form"        // an inbound form webhook
	KindSystem     = "system"      // the demo seeder, migrations
	KindRun        = "workflow_run"
)

// Actor is who makes a request or a change.
type Actor struct {
	Kind   string
	ID     string // token id, form name, run id
	UserID string // the user behind it, when there is one
	Role   string
	Name   string // the user's name as read when the token was checked, for display only (a page's header)
}

// IsAdmin reports whether the actor has the admin role.
func (a Actor) IsAdmin() bool { return a.Role == Admin }

// Scope identifies the actor for idempotency keys: one client's key never collides with another's.
func (a Actor) Scope() string { return a.Kind + ":" + a.ID }

// NewToken returns a new secret ("sf_…") and its hash.
func NewToken() (secret, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	secret = "sf_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return secret, Hash(secret)
}

// AdminFingerprint is what the database may keep of SALESFLOW_ADMIN_TOKEN, to tell whether it changed:
// PBKDF2-SHA256 with 200,000 rounds, since an operator may choose a guessable one and a fast hash in a
// backup would let it be tried offline. It takes a few tens of milliseconds: compute it once.
func AdminFingerprint(token string) string {
	key, err := pbkdf2.Key(sha256.New, token, []byte("salesflow/admin-session/v1"), 200_000, 32)
	if err != nil {
		panic(fmt.Sprintf("pbkdf2: %v", err)) // only for parameters outside FIPS limits, which these are not
	}
	return hex.EncodeToString(key)
}

// Hash returns the stored form of a token secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

type ctxKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, ctxKey{}, a)
}

// FromContext returns the actor in ctx.
func FromContext(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(ctxKey{}).(Actor)
	return a, ok
}
