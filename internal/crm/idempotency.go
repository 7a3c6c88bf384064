package crm

import (
	"context"
	"errors"
	"fmt"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// ErrIdempotencyMismatch means an Idempotency-Key was reused with a different request body.
var ErrIdempotencyMismatch = errors.New("Idempotency-Key was already used with a different request")

// Render turns a create's result into the response kept for replays.
type Render func(Result) (status int, body []byte, err error)

// CreateOnce is Create guarded by an idempotency key: the first request's response is stored in the
// same transaction as the record, and a replay (same actor, key and request hash) gets it back without
// creating anything. Two concurrent first uses cannot both commit: the key's primary key stops one,
// which then answers with the other's stored response.
func (s *Service) CreateOnce(ctx context.Context, a auth.Actor, object string, input map[string]any, key, hash string, render Render) (store.Stored, bool, error) {
	scope := a.Scope()
	var out store.Stored
	var replay bool
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		prev, err := tx.IdempotentResponse(ctx, scope, key)
		if err == nil {
			out, replay = prev, true
			return nil
		}
		if !errors.Is(err, records.ErrNotFound) {
			return err
		}
		r, err := s.CreateTx(ctx, tx, a, object, input)
		if err != nil {
			return err
		}
		status, body, err := render(r)
		if err != nil {
			return err
		}
		out = store.Stored{RequestHash: hash, Status: status, Body: body}
		return tx.SaveIdempotentResponse(ctx, scope, key, out, s.clock())
	})
	if err != nil {
		// A concurrent request with the same key may have won the race; answer with its response.
		var prev store.Stored
		if rerr := s.st.Read(ctx, func(tx *store.Tx) error {
			var e error
			prev, e = tx.IdempotentResponse(ctx, scope, key)
			return e
		}); rerr != nil {
			return store.Stored{}, false, err
		}
		out, replay = prev, true
	}
	if replay && out.RequestHash != hash {
		return store.Stored{}, false, fmt.Errorf("%w (key %q)", ErrIdempotencyMismatch, key)
	}
	return out, replay, nil
}
