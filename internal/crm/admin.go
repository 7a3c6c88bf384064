package crm

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

func adminOnly(a auth.Actor, what string) error {
	if !a.IsAdmin() {
		return fmt.Errorf("%w: only admins manage %s", ErrForbidden, what)
	}
	return nil
}

// DefineField adds a custom field to an object (R2).
func (s *Service) DefineField(ctx context.Context, a auth.Actor, d store.FieldDef) (store.FieldDef, error) {
	if err := adminOnly(a, "fields"); err != nil {
		return d, err
	}
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		o, err := s.Object(ctx, tx, d.Object)
		if errors.Is(err, ErrUnknownObject) {
			return records.Invalid("object", "unknown object %q", d.Object)
		}
		if err != nil {
			return err
		}
		if fe := records.ValidateCustomField(o, d.Field()); len(fe) > 0 {
			return &records.ValidationError{Errors: fe}
		}
		d.ID, d.Object, d.CreatedAt = newID(), o.Name, s.clock()
		return tx.InsertFieldDef(ctx, d)
	})
	s.fields.clear()
	return d, err
}

// DeleteField removes a custom field definition.
func (s *Service) DeleteField(ctx context.Context, a auth.Actor, object, name string) error {
	if err := adminOnly(a, "fields"); err != nil {
		return err
	}
	o, ok := s.cat.Get(object)
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownObject, object)
	}
	if !customName(name) {
		return fmt.Errorf("custom field %q: %w", name, records.ErrNotFound)
	}
	defer s.fields.clear()
	return s.st.Write(ctx, func(tx *store.Tx) error {
		full, err := s.Object(ctx, tx, o.Name)
		if err != nil {
			return err
		}
		if err := s.clearField(ctx, tx, a, full, name); err != nil {
			return err
		}
		return tx.DeleteFieldDef(ctx, o, name)
	})
}

// clearField empties a field on every record that has a value, each change with its event, so that
// removing a field is as visible in the timelines (and to triggers) as any other change.
func (s *Service) clearField(ctx context.Context, tx *store.Tx, a auth.Actor, o *records.Object, name string) error {
	if _, ok := o.Field(name); !ok {
		return nil // the definition does not exist: DeleteFieldDef reports it
	}
	for {
		recs, _, err := tx.List(ctx, o, store.ListQuery{Sort: "id", Limit: 500,
			Filters: []store.Filter{{Field: name, Op: store.Ne, Value: nil}}})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if _, err := s.apply(ctx, tx, a, o, rec, records.Values{name: nil}); err != nil {
				return fmt.Errorf("clear %s of %s %s: %w", name, o.Name, rec.ID(), err)
			}
		}
		if len(recs) < 500 {
			return nil
		}
	}
}

// customName reports whether name could be a custom field's name; only such names reach SQL text.
func customName(name string) bool {
	return len(records.ValidateCustomField(&records.Object{Customizable: true}, records.Field{Name: name, Type: records.String})) == 0
}

// Fields lists custom field definitions.
func (s *Service) Fields(ctx context.Context, object string) ([]store.FieldDef, error) {
	if object != "" {
		o, ok := s.cat.Get(object)
		if !ok {
			return nil, records.Invalid("object", "unknown object %q", object)
		}
		object = o.Name
	}
	var out []store.FieldDef
	err := s.st.Read(ctx, func(tx *store.Tx) (err error) { out, err = tx.FieldDefs(ctx, object); return err })
	return out, err
}

// Settings the API may change, with their allowed values (nil: any existing record id).
var settable = map[string][]string{
	SettingLeadDedupe:      {DedupeReject, DedupeMerge},
	SettingDefaultPipeline: nil,
}

// Settings returns every settable setting's current value.
func (s *Service) Settings(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		for k := range settable {
			v, err := tx.Setting(ctx, k)
			if err != nil {
				return err
			}
			out[k] = v
		}
		if out[SettingLeadDedupe] == "" {
			out[SettingLeadDedupe] = DedupeReject
		}
		return nil
	})
	return out, err
}

// SetSettings changes settings; every key and value is checked before anything is written.
func (s *Service) SetSettings(ctx context.Context, a auth.Actor, in map[string]string) error {
	if err := adminOnly(a, "settings"); err != nil {
		return err
	}
	return s.st.Write(ctx, func(tx *store.Tx) error {
		var errs []records.FieldError
		for k, v := range in {
			allowed, ok := settable[k]
			switch {
			case !ok:
				errs = append(errs, records.FieldError{Field: k, Message: "unknown setting"})
			case allowed != nil && !slices.Contains(allowed, v):
				errs = append(errs, records.FieldError{Field: k, Message: fmt.Sprintf("%q is not one of %v", v, allowed)})
			case k == SettingDefaultPipeline:
				p, _ := s.cat.Get("pipeline")
				if ok, err := tx.Exists(ctx, p, v); err != nil {
					return err
				} else if !ok {
					errs = append(errs, records.FieldError{Field: k, Message: fmt.Sprintf("no pipeline with id %q", v)})
				}
			}
		}
		if len(errs) > 0 {
			return &records.ValidationError{Errors: errs}
		}
		for k, v := range in {
			if err := tx.SetSetting(ctx, k, v, s.clock()); err != nil {
				return err
			}
		}
		return nil
	})
}

// CreateToken makes an API token for a user (by email) or, for an admin, for no user; the secret is
// returned once.
func (s *Service) CreateToken(ctx context.Context, a auth.Actor, role, userEmail, name string) (store.Token, string, error) {
	if err := adminOnly(a, "tokens"); err != nil {
		return store.Token{}, "", err
	}
	if !slices.Contains(records.Roles, role) {
		return store.Token{}, "", records.Invalid("role", "%q is not one of admin, manager, rep", role)
	}
	secret, hash := auth.NewToken()
	tk := store.Token{ID: newID(), Name: name, Role: role, Hash: hash, CreatedAt: s.clock()}
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		if userEmail == "" {
			if role != auth.Admin {
				return records.Invalid("user", "a %s token needs a user (--user EMAIL)", role)
			}
			return tx.InsertToken(ctx, tk)
		}
		email, err := records.NormalizeEmail(userEmail)
		if err != nil {
			return records.Invalid("user", "%v", err)
		}
		users, _ := s.cat.Get("user")
		u, err := tx.GetBy(ctx, users, "email", email)
		if errors.Is(err, records.ErrNotFound) {
			return records.Invalid("user", "no user with email %s", email)
		}
		if err != nil {
			return err
		}
		if auth.Rank(role) > auth.Rank(u.String("role")) {
			return records.Invalid("role", "a %s token cannot be made for %s, who is a %s", role, email, u.String("role"))
		}
		tk.UserID = u.ID()
		return tx.InsertToken(ctx, tk)
	})
	return tk, secret, err
}

// Tokens lists tokens (never their secrets).
func (s *Service) Tokens(ctx context.Context, a auth.Actor) ([]store.Token, error) {
	if err := adminOnly(a, "tokens"); err != nil {
		return nil, err
	}
	var out []store.Token
	err := s.st.Read(ctx, func(tx *store.Tx) (err error) { out, err = tx.Tokens(ctx); return err })
	return out, err
}

// RevokeToken revokes a token at once.
func (s *Service) RevokeToken(ctx context.Context, a auth.Actor, id string) error {
	if err := adminOnly(a, "tokens"); err != nil {
		return err
	}
	return s.st.Write(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, id, s.clock()) })
}

// Authenticate returns the actor behind an API token's secret. Browser sessions are refused here: they
// belong to the web UI (SessionActor), so a copied session cookie opens no API and starts no session.
func (s *Service) Authenticate(ctx context.Context, secret string) (auth.Actor, error) {
	var a auth.Actor
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		tk, err := tx.TokenByHash(ctx, auth.Hash(secret), s.clock())
		if err != nil {
			return err
		}
		if tk.Kind == store.TokenSession {
			return fmt.Errorf("a browser session is not an API token: %w", records.ErrNotFound)
		}
		a, err = s.tokenActor(ctx, tx, tk, tk.ID)
		return err
	})
	return a, err
}

// tokenActor is the actor a stored token stands for, acting as id: its role, lowered to its user's
// current one, and refused when the user is deactivated.
func (s *Service) tokenActor(ctx context.Context, tx *store.Tx, tk store.Token, id string) (auth.Actor, error) {
	role, name := tk.Role, ""
	if tk.UserID != "" {
		users, _ := s.cat.Get("user")
		u, err := tx.Get(ctx, users, tk.UserID)
		if err != nil {
			return auth.Actor{}, err
		}
		if active, _ := u["active"].(bool); !active {
			return auth.Actor{}, fmt.Errorf("user %s is deactivated: %w", u.String("email"), records.ErrNotFound)
		}
		// A demoted user's old tokens lose the rights the user lost.
		if auth.Rank(u.String("role")) < auth.Rank(role) {
			role = u.String("role")
		}
		name = u.String("name")
	}
	return auth.Actor{Kind: auth.KindToken, ID: id, UserID: tk.UserID, Role: role, Name: name}, nil
}
