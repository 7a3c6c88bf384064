package crm

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// ErrBadSignature means a form submission's signature is missing or wrong.
var ErrBadSignature = errors.New("missing or invalid signature")

var formName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// CreateForm registers an inbound form and returns it with its signing secret, shown this once.
func (s *Service) CreateForm(ctx context.Context, a auth.Actor, name, source string) (store.Form, error) {
	if !a.IsAdmin() {
		return store.Form{}, fmt.Errorf("%w: only admins create forms", ErrForbidden)
	}
	if !formName.MatchString(name) {
		return store.Form{}, records.Invalid("name", "must be lower-case letters, digits, - or _ (at most 63)")
	}
	if source == "" {
		source = "web_form"
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	f := store.Form{ID: newID(), Name: name, Secret: "whsec_" + hex.EncodeToString(b), Source: source, CreatedAt: s.clock()}
	err := s.st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertForm(ctx, f); err != nil {
			if k, _ := tx.Violation(err); k == store.UniqueViolation {
				return &ConflictError{Field: "name", Message: fmt.Sprintf("a form named %q exists", name)}
			}
			return err
		}
		return nil
	})
	return f, err
}

// Forms lists forms without secrets.
func (s *Service) Forms(ctx context.Context) ([]store.Form, error) {
	var out []store.Form
	err := s.st.Read(ctx, func(tx *store.Tx) (err error) { out, err = tx.Forms(ctx); return err })
	return out, err
}

// Sign returns the signature header value for body: "sha256=" + hex HMAC-SHA256 with the form's secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyForm checks a submission's signature without writing anything.
func (s *Service) VerifyForm(ctx context.Context, form, signature string, body []byte) error {
	return s.st.Read(ctx, func(tx *store.Tx) error { _, err := verify(ctx, tx, form, signature, body); return err })
}

func verify(ctx context.Context, tx *store.Tx, form, signature string, body []byte) (store.Form, error) {
	f, err := tx.FormByName(ctx, form)
	if errors.Is(err, records.ErrNotFound) {
		return f, ErrBadSignature // do not reveal which form names exist
	}
	if err != nil {
		return f, err
	}
	if !hmac.Equal([]byte(Sign(f.Secret, body)), []byte(strings.ToLower(strings.TrimSpace(signature)))) {
		return f, ErrBadSignature
	}
	return f, nil
}

// FormSubmission is a verified, decoded form post.
type FormSubmission struct {
	Form      string
	Signature string
	Body      []byte         // raw, as signed
	Fields    map[string]any // decoded body
}

// SubmitForm verifies the signature over the raw body, then creates or updates the lead with the
// submitted email and logs a form_submitted activity carrying the whole submission. Fields that are
// not lead fields travel in the activity only. Nothing is written when anything fails.
func (s *Service) SubmitForm(ctx context.Context, sub FormSubmission) (lead records.Values, created bool, err error) {
	err = s.st.Write(ctx, func(tx *store.Tx) error {
		f, err := verify(ctx, tx, sub.Form, sub.Signature, sub.Body)
		if err != nil {
			return err
		}
		a := auth.Actor{Kind: auth.KindForm, ID: f.Name}
		lead, created, err = s.upsertLead(ctx, tx, a, f, sub.Fields)
		if err != nil {
			return err
		}
		_, err = s.CreateTx(ctx, tx, a, "activity", map[string]any{
			"type": "form_submitted", "subject": "Form " + f.Name + " submitted", "form": f.Name,
			"record_type": "lead", "record_id": lead.ID(), "occurred_at": s.clock().Format(records.TimeLayout),
			"data": sub.Fields,
		})
		return err
	})
	return lead, created, err
}

func (s *Service) upsertLead(ctx context.Context, tx *store.Tx, a auth.Actor, f store.Form, fields map[string]any) (records.Values, bool, error) {
	o, err := s.Object(ctx, tx, "lead")
	if err != nil {
		return nil, false, err
	}
	input := map[string]any{}
	for k, v := range fields {
		if fd, ok := o.Field(k); ok && !fd.ReadOnly && k != "owner_id" && k != "score" && k != "status" {
			input[k] = v
		}
	}
	raw, _ := input["email"].(string)
	email, err := records.NormalizeEmail(raw)
	if err != nil {
		return nil, false, records.Invalid("email", "a form submission needs a valid email: %v", err)
	}
	if err := tx.LockKey(ctx, "lead/email/"+email); err != nil {
		return nil, false, err
	}
	existing, err := tx.GetForUpdate(ctx, o, "email", email)
	if errors.Is(err, records.ErrNotFound) {
		in := maps.Clone(input)
		if in["source"] == nil {
			in["source"] = f.Source
		}
		r, err := s.CreateTx(ctx, tx, a, "lead", in)
		return r.Record, true, err
	}
	if err != nil {
		return nil, false, err
	}
	patch, err := o.Prepare(input, false)
	if err != nil {
		return nil, false, err
	}
	rec, err := s.apply(ctx, tx, a, o, existing, patch)
	return rec, false, err
}
