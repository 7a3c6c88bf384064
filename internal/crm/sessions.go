package crm

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// SessionTTL is how long a browser session lasts without signing in again.
const SessionTTL = 7 * 24 * time.Hour

// envParent marks a session started with SALESFLOW_ADMIN_TOKEN: "env:" and that token's fingerprint
// (auth.AdminFingerprint), so the session ends when the variable changes or goes.
const envParent = "env:"

// StartSession makes the token a browser keeps after signing in as a: a session token with a's role and
// user that expires after SessionTTL, so that the token typed in never sits in a cookie and signing out
// can end the session for good. The session remembers the token it came from and lives only as long as
// that token does; adminPrint is the fingerprint of SALESFLOW_ADMIN_TOKEN when a signed in with it. Sessions
// that ended more than a day ago are pruned on the way.
func (s *Service) StartSession(ctx context.Context, a auth.Actor, adminPrint string) (secret string, expires time.Time, err error) {
	var parent string
	switch {
	case a.Kind == auth.KindAdminToken && adminPrint != "":
		parent = envParent + adminPrint
	case a.Kind == auth.KindToken:
		parent = a.ID
	default:
		return "", time.Time{}, fmt.Errorf("a %s cannot sign in to the web UI", a.Kind)
	}
	now := s.clock()
	expires = now.Add(SessionTTL)
	secret, hash := auth.NewToken()
	tk := store.Token{ID: newID(), Name: "browser session", Role: string(a.Role), UserID: a.UserID, Kind: store.TokenSession,
		ParentID: parent, Hash: hash, CreatedAt: now, ExpiresAt: &expires}
	err = s.st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.PruneSessions(ctx, now.Add(-24*time.Hour)); err != nil {
			return err
		}
		return tx.InsertToken(ctx, tk)
	})
	return secret, expires, err
}

// SessionActor returns who a browser session acts as: the token it came from (so the audit trail names
// that token, as before sessions existed), with its user's current role. adminPrint is the fingerprint of
// SALESFLOW_ADMIN_TOKEN ("" when unset): a session started with another value of it has ended.
func (s *Service) SessionActor(ctx context.Context, secret, adminPrint string) (auth.Actor, error) {
	var a auth.Actor
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		tk, err := tx.TokenByHash(ctx, auth.Hash(secret), s.clock())
		if err != nil {
			return err
		}
		if tk.Kind != store.TokenSession {
			return fmt.Errorf("not a browser session: %w", records.ErrNotFound)
		}
		if env, ok := strings.CutPrefix(tk.ParentID, envParent); ok {
			if adminPrint == "" || subtle.ConstantTimeCompare([]byte(env), []byte(adminPrint)) != 1 {
				return fmt.Errorf("SALESFLOW_ADMIN_TOKEN changed since this session began: %w", records.ErrNotFound)
			}
			a = auth.Actor{Kind: auth.KindAdminToken, ID: "SALESFLOW_ADMIN_TOKEN", Role: auth.Admin}
			return nil
		}
		a, err = s.tokenActor(ctx, tx, tk, tk.ParentID)
		return err
	})
	return a, err
}

// EndSession revokes the browser session whose token is secret; anything else is left alone: signing
// out of a browser must not break a script.
func (s *Service) EndSession(ctx context.Context, secret string) error {
	now := s.clock()
	return s.st.Write(ctx, func(tx *store.Tx) error {
		tk, err := tx.TokenByHash(ctx, auth.Hash(secret), now)
		if errors.Is(err, records.ErrNotFound) || (err == nil && tk.Kind != store.TokenSession) {
			return nil
		}
		if err != nil {
			return err
		}
		return tx.RevokeToken(ctx, tk.ID, now)
	})
}
