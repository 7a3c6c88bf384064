// Package crm is the write path for records: it validates and normalises input, applies the role
// rules, dedupes leads, and writes each change together with its event (R3) in one transaction.
// The HTTP API, the form webhook, the importer and the demo seeder all go through it.
package crm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// Service writes and reads records.
type Service struct {
	st     *store.Store
	cat    *records.Catalog
	now    func() time.Time
	fields *objectCache
}

// objectCache keeps each object with its custom fields, which every write and every workflow step
// needs: reading the definitions each time was a tenth of the engine's work. This process's own
// field changes clear it at once; another server's change (PostgreSQL), or a read that began before
// this process's change committed, is seen within objectCacheTTL.
type objectCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]cachedObject
}

type cachedObject struct {
	o  *records.Object
	at time.Time
}

// objectCacheTTL bounds how long another process's custom-field change can go unseen (PostgreSQL).
const objectCacheTTL = 2 * time.Second

func (c *objectCache) get(name string) *records.Object {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[name]
	if !ok || time.Since(e.at) > c.ttl {
		return nil
	}
	return e.o
}

func (c *objectCache) put(name string, o *records.Object) {
	c.mu.Lock()
	c.m[name] = cachedObject{o: o, at: time.Now()}
	c.mu.Unlock()
}

func (c *objectCache) clear() {
	c.mu.Lock()
	c.m = map[string]cachedObject{}
	c.mu.Unlock()
}

// New returns a Service; now is the clock (tests inject one).
func New(st *store.Store, cat *records.Catalog, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, cat: cat, now: now, fields: &objectCache{ttl: objectCacheTTL, m: map[string]cachedObject{}}}
}

// Store returns the underlying store.
func (s *Service) Store() *store.Store { return s.st }

// Catalog returns the object catalog.
func (s *Service) Catalog() *records.Catalog { return s.cat }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Now is the time the service writes on records and events, so that events written beside them (a
// score crossing) sort with them.
func (s *Service) Now() time.Time { return s.clock() }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// ErrForbidden means the actor's role does not allow the change.
var ErrForbidden = errors.New("forbidden")

// ErrUnknownObject means the object name is not one of the catalog's.
var ErrUnknownObject = errors.New("unknown object")

// ConflictError is a write that clashes with an existing record (a duplicate email, a record still
// referenced by others).
type ConflictError struct {
	Field      string
	Message    string
	ExistingID string
}

func (e *ConflictError) Error() string { return e.Message }

// Object returns the named object (singular or plural) with its custom fields, read in tx.
func (s *Service) Object(ctx context.Context, tx *store.Tx, name string) (*records.Object, error) {
	o, ok := s.cat.Get(name)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownObject, name)
	}
	if !o.Customizable {
		return o, nil
	}
	if c := s.fields.get(o.Name); c != nil {
		return c, nil
	}
	defs, err := tx.FieldDefs(ctx, o.Name)
	if err != nil {
		return nil, err
	}
	custom := make([]records.Field, len(defs))
	for i, d := range defs {
		custom[i] = d.Field()
	}
	full := o.WithCustom(custom)
	s.fields.put(o.Name, full)
	return full, nil
}

// Get reads one record.
func (s *Service) Get(ctx context.Context, object, id string) (records.Values, error) {
	var rec records.Values
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		o, err := s.Object(ctx, tx, object)
		if err != nil {
			return err
		}
		rec, err = tx.Get(ctx, o, id)
		return err
	})
	return rec, err
}

// List reads a page of records.
func (s *Service) List(ctx context.Context, object string, q store.ListQuery) ([]records.Values, *store.Position, error) {
	var recs []records.Values
	var next *store.Position
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		o, err := s.Object(ctx, tx, object)
		if err != nil {
			return err
		}
		recs, next, err = tx.List(ctx, o, q)
		return err
	})
	return recs, next, err
}

// Count counts the records of object that q's filters and search select.
func (s *Service) Count(ctx context.Context, object string, q store.ListQuery) (int, error) {
	var n int
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		o, err := s.Object(ctx, tx, object)
		if err != nil {
			return err
		}
		n, err = tx.CountMatching(ctx, o, q)
		return err
	})
	return n, err
}

// ObjectSchema returns an object with its current custom fields, for request parsing and docs.
func (s *Service) ObjectSchema(ctx context.Context, name string) (*records.Object, error) {
	var o *records.Object
	err := s.st.Read(ctx, func(tx *store.Tx) error {
		var err error
		o, err = s.Object(ctx, tx, name)
		return err
	})
	return o, err
}

// authorize applies the role rules to a change of a record owned by ownerID: admins change anything;
// managers what they or their team members own; reps what they own. Reading is open to every role.
func authorize(ctx context.Context, tx *store.Tx, a auth.Actor, o *records.Object, ownerID string) error {
	switch {
	case a.IsAdmin():
		return nil
	case o.AdminOnly:
		return fmt.Errorf("%w: only admins change %s", ErrForbidden, o.Plural)
	case a.Kind == auth.KindForm || a.Kind == auth.KindSystem || a.Kind == auth.KindRun:
		return nil
	case a.UserID == "":
		return fmt.Errorf("%w: this token is bound to no user", ErrForbidden)
	case ownerID == a.UserID:
		return nil
	case a.Role == auth.Manager && ownerID != "":
		ok, err := tx.Manages(ctx, a.UserID, ownerID)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		return fmt.Errorf("%w: this %s belongs to %s, who is not on a team you manage", ErrForbidden, o.Name, ownerID)
	case ownerID == "":
		return fmt.Errorf("%w: this %s has no owner; only an admin can change it", ErrForbidden, o.Name)
	}
	return fmt.Errorf("%w: this %s belongs to another user (%s)", ErrForbidden, o.Name, ownerID)
}
