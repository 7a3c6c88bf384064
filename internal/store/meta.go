package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/salesflow/salesflow/internal/records"
)

// Token is a stored API token; only the SHA-256 of its secret is kept.
type Token struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Role   string `json:"role"`
	UserID string `json:"user_id,omitempty"`
	// Kind is "api" for a token made by an admin, "session" for one the web UI made at sign-in.
	Kind      string     `json:"kind"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// ParentID is, for a session, the token it was started with (or "env:" and the hash of
	// SALESFLOW_ADMIN_TOKEN); the session ends when that token does.
	ParentID string `json:"parent_id,omitempty"`
	Hash     string `json:"-"`
}

// The kinds of token.
const (
	TokenAPI     = "api"
	TokenSession = "session"
)

// InsertToken stores a token.
func (t *Tx) InsertToken(ctx context.Context, tk Token) error {
	var user any
	if tk.UserID != "" {
		user = tk.UserID
	}
	if tk.Kind == "" {
		tk.Kind = TokenAPI
	}
	var parent any
	if tk.ParentID != "" {
		parent = tk.ParentID
	}
	_, err := t.exec(ctx, `INSERT INTO api_tokens (id, name, hash, role, user_id, created_at, kind, expires_at, parent_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		tk.ID, tk.Name, tk.Hash, tk.Role, user, t.d.TimeArg(tk.CreatedAt), tk.Kind, t.optTime(tk.ExpiresAt), parent)
	if err != nil {
		return fmt.Errorf("insert token: %w", err)
	}
	return nil
}

// TokenByHash finds a token neither revoked nor expired at now, whose parent token (if it names a stored
// one) exists and is neither either; records.ErrNotFound otherwise.
func (t *Tx) TokenByHash(ctx context.Context, hash string, now time.Time) (Token, error) {
	var tk Token
	var user, parent sql.NullString
	err := t.queryRow(ctx, `SELECT t.id, t.name, t.role, t.user_id, t.kind, t.parent_id FROM api_tokens t
		LEFT JOIN api_tokens p ON p.id = t.parent_id
		WHERE t.hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)
		AND (t.parent_id IS NULL OR t.parent_id LIKE 'env:%'
			OR (p.id IS NOT NULL AND p.revoked_at IS NULL AND (p.expires_at IS NULL OR p.expires_at > $2)))`, hash, t.d.TimeArg(now)).
		Scan(&tk.ID, &tk.Name, &tk.Role, &user, &tk.Kind, &parent)
	tk.ParentID = parent.String
	if errors.Is(err, sql.ErrNoRows) {
		return tk, records.ErrNotFound
	}
	tk.UserID = user.String
	return tk, err
}

// RevokeToken marks a token revoked.
func (t *Tx) RevokeToken(ctx context.Context, id string, at time.Time) error {
	res, err := t.exec(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, t.d.TimeArg(at), id)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return records.ErrNotFound
	}
	return nil
}

// PruneSessions deletes browser-session tokens that expired or were revoked before cutoff: one is made at
// every sign-in, and an ended one is of no further use.
func (t *Tx) PruneSessions(ctx context.Context, cutoff time.Time) error {
	c := t.d.TimeArg(cutoff)
	_, err := t.exec(ctx, `DELETE FROM api_tokens WHERE kind = 'session' AND (expires_at < $1 OR revoked_at < $1)`, c)
	if err != nil {
		return fmt.Errorf("prune sessions: %w", err)
	}
	return nil
}

// Tokens lists tokens, newest first.
func (t *Tx) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := t.query(ctx, `SELECT id, name, role, user_id, created_at, revoked_at, kind, expires_at,
		CASE WHEN parent_id LIKE 'env:%' THEN 'SALESFLOW_ADMIN_TOKEN' ELSE COALESCE(parent_id, '') END FROM api_tokens ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var tk Token
		var user sql.NullString
		var created, revoked, expires any
		if err := rows.Scan(&tk.ID, &tk.Name, &tk.Role, &user, &created, &revoked, &tk.Kind, &expires, &tk.ParentID); err != nil {
			return nil, err
		}
		tk.UserID = user.String
		c, err := fromDB(records.Field{Type: records.DateTime}, created)
		if err != nil {
			return nil, err
		}
		tk.CreatedAt = c.(time.Time)
		if r, _ := fromDB(records.Field{Type: records.DateTime}, revoked); r != nil {
			rt := r.(time.Time)
			tk.RevokedAt = &rt
		}
		if e, _ := fromDB(records.Field{Type: records.DateTime}, expires); e != nil {
			et := e.(time.Time)
			tk.ExpiresAt = &et
		}
		out = append(out, tk)
	}
	return out, rows.Err()
}

// Stored is a response kept for an Idempotency-Key.
type Stored struct {
	RequestHash string
	Status      int
	Body        []byte
}

// IdempotentResponse returns the response stored for (scope, key), or records.ErrNotFound.
func (t *Tx) IdempotentResponse(ctx context.Context, scope, key string) (Stored, error) {
	var s Stored
	var body string
	err := t.queryRow(ctx, `SELECT request_hash, status, response FROM idempotency_keys WHERE scope = $1 AND key = $2`, scope, key).
		Scan(&s.RequestHash, &s.Status, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return s, records.ErrNotFound
	}
	s.Body = []byte(body)
	return s, err
}

// SaveIdempotentResponse stores the response for (scope, key); a concurrent first use of the same key
// makes this fail with a unique violation, and the caller's transaction rolls back.
func (t *Tx) SaveIdempotentResponse(ctx context.Context, scope, key string, s Stored, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash, status, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		scope, key, s.RequestHash, s.Status, string(s.Body), t.d.TimeArg(at))
	if err != nil {
		return fmt.Errorf("save idempotency key: %w", err)
	}
	return nil
}

// ExpireIdempotencyKeys deletes the responses kept for keys used before cutoff and says how many.
func (t *Tx) ExpireIdempotencyKeys(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := t.exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, t.d.TimeArg(cutoff))
	if err != nil {
		return 0, fmt.Errorf("expire idempotency keys: %w", err)
	}
	return res.RowsAffected()
}

// FieldDef is a custom field definition (R2).
type FieldDef struct {
	ID        string    `json:"id"`
	Object    string    `json:"object"`
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	Label     string    `json:"label"`
	Required  bool      `json:"required"`
	Options   []string  `json:"options,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Field converts the definition to a records.Field.
func (d FieldDef) Field() records.Field {
	return records.Field{Name: d.Name, Type: records.Type(d.Type), Label: d.Label, Required: d.Required, Options: d.Options, Custom: true}
}

// InsertFieldDef stores a custom field definition.
func (t *Tx) InsertFieldDef(ctx context.Context, d FieldDef) error {
	t.forgetRows() // records read before lack the new field
	opts, _ := json.Marshal(d.Options)
	_, err := t.exec(ctx, `INSERT INTO field_definitions (id, object, name, type, label, required, options, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		d.ID, d.Object, d.Name, d.Type, d.Label, d.Required, string(opts), t.d.TimeArg(d.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert field definition: %w", err)
	}
	return nil
}

// DeleteFieldDef removes a custom field definition of o and its values from every record, so that a
// field later defined with the same name and another type never meets old values it cannot read.
func (t *Tx) DeleteFieldDef(ctx context.Context, o *records.Object, name string) error {
	res, err := t.exec(ctx, `DELETE FROM field_definitions WHERE object = $1 AND name = $2`, o.Name, name)
	if err != nil {
		return fmt.Errorf("delete field definition: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return records.ErrNotFound
	}
	t.forgetRows() // every record of o loses the field
	if _, err := t.exec(ctx, t.d.DropCustom(o.Table, name)); err != nil {
		return fmt.Errorf("remove %s values of %s: %w", name, o.Plural, err)
	}
	return nil
}

// FieldDefs lists custom field definitions, of one object or (object "") of all.
func (t *Tx) FieldDefs(ctx context.Context, object string) ([]FieldDef, error) {
	rows, err := t.query(ctx, `SELECT id, object, name, type, label, required, options, created_at FROM field_definitions
		WHERE $1 = '' OR object = $1 ORDER BY object, created_at, name`, object)
	if err != nil {
		return nil, fmt.Errorf("list field definitions: %w", err)
	}
	defer rows.Close()
	var out []FieldDef
	for rows.Next() {
		var d FieldDef
		var req, opts, created any
		if err := rows.Scan(&d.ID, &d.Object, &d.Name, &d.Type, &d.Label, &req, &opts, &created); err != nil {
			return nil, err
		}
		r, _ := fromDB(records.Field{Type: records.Bool}, req)
		d.Required, _ = r.(bool)
		o, err := fromDB(records.Field{Type: records.JSON}, opts)
		if err != nil {
			return nil, err
		}
		if list, ok := o.([]any); ok {
			for _, x := range list {
				s, _ := x.(string)
				d.Options = append(d.Options, s)
			}
		}
		c, err := fromDB(records.Field{Type: records.DateTime}, created)
		if err != nil {
			return nil, err
		}
		d.CreatedAt = c.(time.Time)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Setting reads a setting; "" when unset.
func (t *Tx) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := t.queryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting writes a setting.
func (t *Tx) SetSetting(ctx context.Context, key, value string, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, t.d.TimeArg(at))
	if err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	return nil
}

// Form is an inbound form endpoint with its signing secret.
type Form struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Secret    string    `json:"secret,omitempty"`
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
}

// InsertForm stores a form.
func (t *Tx) InsertForm(ctx context.Context, f Form) error {
	_, err := t.exec(ctx, `INSERT INTO forms (id, name, secret, source, created_at) VALUES ($1, $2, $3, $4, $5)`,
		f.ID, f.Name, f.Secret, f.Source, t.d.TimeArg(f.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert form: %w", err)
	}
	return nil
}

// FormByName finds a form; records.ErrNotFound otherwise.
func (t *Tx) FormByName(ctx context.Context, name string) (Form, error) {
	var f Form
	var created any
	err := t.queryRow(ctx, `SELECT id, name, secret, source, created_at FROM forms WHERE name = $1`, name).
		Scan(&f.ID, &f.Name, &f.Secret, &f.Source, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return f, records.ErrNotFound
	}
	if err != nil {
		return f, err
	}
	c, err := fromDB(records.Field{Type: records.DateTime}, created)
	if err != nil {
		return f, err
	}
	f.CreatedAt = c.(time.Time)
	return f, nil
}

// Forms lists forms without their secrets.
func (t *Tx) Forms(ctx context.Context) ([]Form, error) {
	rows, err := t.query(ctx, `SELECT name FROM forms ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list forms: %w", err)
	}
	out := make([]Form, 0, len(names))
	for _, n := range names {
		f, err := t.FormByName(ctx, n)
		if err != nil {
			return nil, err
		}
		f.Secret = ""
		out = append(out, f)
	}
	return out, nil
}

// Count returns the number of records of o, which the demo seeder uses to start only once.
func (t *Tx) Count(ctx context.Context, o *records.Object) (int, error) {
	return t.CountMatching(ctx, o, ListQuery{})
}
