package expr

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/salesflow/salesflow/internal/records"
)

// structDecl is one struct type CEL sees: an object, the steps of a scope, one step's outputs, or the
// event. Records stay plain maps at run time; the field getters read them and convert each value to
// the declared type, so the engine never wraps a record for CEL.
type structDecl struct {
	celName string
	label   string // how messages name it: "lead", "event", "step first-call"
	what    string // what its members are called in messages: "field", "output", "step"
	names   []string
	fields  map[string]*types.FieldType
}

func newStructDecl(celName, label, what string) *structDecl {
	return &structDecl{celName: celName, label: label, what: what, fields: map[string]*types.FieldType{}}
}

// add declares a member; fields are nullable because a record may lack any of them.
func (d *structDecl) add(name string, t Type, rec records.Type) {
	d.names = append(d.names, name)
	conv := converter(t, rec)
	d.fields[name] = &types.FieldType{
		Type: t.celType(true),
		IsSet: func(target any) bool {
			v, ok, err := lookup(target, name)
			return err == nil && ok && v != nil
		},
		GetFrom: func(target any) (any, error) {
			v, ok, err := lookup(target, name)
			if errors.Is(err, errNull) {
				return nil, fmt.Errorf("cannot read %s of a null %s: %w", name, d.label, err)
			}
			if err != nil {
				return nil, fmt.Errorf("cannot read %s of %s: %w", name, d.label, err)
			}
			if !ok || v == nil {
				return types.NullValue, nil
			}
			out, err := conv(v)
			if err != nil {
				return nil, fmt.Errorf("%s of %s: %w", name, d.label, err)
			}
			return out, nil
		},
	}
}

// errNull is returned when an expression reads a field of a missing related record.
var errNull = errors.New("guard it with != null, has() or .?field")

// lookup reads one member of a runtime value: a record map, a records.Values, or the steps map.
func lookup(target any, name string) (any, bool, error) {
	if target == nil || target == types.NullValue.Value() {
		return nil, false, errNull
	}
	switch m := target.(type) {
	case map[string]any:
		v, ok := m[name]
		return v, ok, nil
	case records.Values:
		v, ok := m[name]
		return v, ok, nil
	case map[string]map[string]any:
		v, ok := m[name]
		if !ok || v == nil {
			return nil, ok, nil
		}
		return v, true, nil
	}
	rv := reflect.ValueOf(target)
	if rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String {
		v := rv.MapIndex(reflect.ValueOf(name).Convert(rv.Type().Key()))
		if !v.IsValid() {
			return nil, false, nil
		}
		return v.Interface(), true, nil
	}
	return nil, false, fmt.Errorf("a %T is not a record", target)
}

// converter returns the function that turns a stored value into what CEL expects for t.
func converter(t Type, rec records.Type) func(any) (any, error) {
	switch t.kind {
	case kindNumber:
		return toFloat
	case kindInt:
		return toInt
	case kindString:
		return want[string](t)
	case kindBool:
		return want[bool](t)
	case kindTimestamp:
		return func(v any) (any, error) { return toTime(v, rec == records.Date) }
	case kindDuration:
		return toDuration
	}
	return func(v any) (any, error) { return v, nil }
}

func want[T any](t Type) func(any) (any, error) {
	return func(v any) (any, error) {
		if x, ok := v.(T); ok {
			return x, nil
		}
		return nil, fmt.Errorf("holds a %T, not a %s", v, t)
	}
}

func toFloat(v any) (any, error) {
	switch n := v.(type) {
	case float64:
		return n, nil
	case float32:
		return float64(n), nil
	case int:
		return float64(n), nil
	case int32:
		return float64(n), nil
	case int64:
		return float64(n), nil
	case uint64:
		return float64(n), nil
	case json.Number:
		return n.Float64()
	}
	return nil, fmt.Errorf("holds a %T, not a number", v)
}

func toInt(v any) (any, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int32:
		return int64(n), nil
	case int64:
		return n, nil
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), nil
		}
	case json.Number:
		return n.Int64()
	}
	return nil, fmt.Errorf("holds a %T, not an int", v)
}

// toTime accepts time.Time and the text forms records use: "YYYY-MM-DD" for dates (midnight UTC) and
// RFC 3339 for datetimes.
func toTime(v any, date bool) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		if date || len(x) == len(time.DateOnly) {
			if t, err := time.Parse(time.DateOnly, x); err == nil {
				return t, nil
			}
		}
		t, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return nil, fmt.Errorf("%q is not a date or RFC 3339 time", x)
		}
		return t, nil
	}
	return nil, fmt.Errorf("holds a %T, not a timestamp", v)
}

func toDuration(v any) (any, error) {
	switch x := v.(type) {
	case time.Duration:
		return x, nil
	case string:
		return parseDur(x)
	}
	return nil, fmt.Errorf("holds a %T, not a duration", v)
}

// provider declares the schema's objects and one scope's steps and event to the CEL checker, on top of
// CEL's own registry. One is built per Compile; it also remembers the members the checker looked for
// and did not find, so that "undefined field" errors can name the object and suggest a member.
type provider struct {
	*types.Registry
	structs map[string]*structDecl
	mu      sync.Mutex               // guards misses: a Program's evaluations share its provider
	misses  map[string][]*structDecl // member name → types it was missing from
}

func (p *provider) FindStructType(name string) (*types.Type, bool) {
	if _, ok := p.structs[name]; ok {
		return types.NewTypeTypeWithParam(types.NewObjectType(name)), true
	}
	return p.Registry.FindStructType(name)
}

func (p *provider) FindStructFieldNames(name string) ([]string, bool) {
	if d, ok := p.structs[name]; ok {
		return slices.Clone(d.names), true
	}
	return p.Registry.FindStructFieldNames(name)
}

func (p *provider) FindStructFieldType(name, field string) (*types.FieldType, bool) {
	d, ok := p.structs[name]
	if !ok {
		return p.Registry.FindStructFieldType(name, field)
	}
	ft, ok := d.fields[field]
	if !ok {
		p.mu.Lock()
		if !slices.Contains(p.misses[field], d) {
			p.misses[field] = append(p.misses[field], d)
		}
		p.mu.Unlock()
	}
	return ft, ok
}

func (p *provider) NewValue(name string, fields map[string]ref.Val) ref.Val {
	if d, ok := p.structs[name]; ok {
		return types.NewErr("%s records cannot be created in an expression", d.label)
	}
	return p.Registry.NewValue(name, fields)
}

// friendlyTypeName turns CEL's spelling of a type into ours: wrapper(double) → number,
// salesflow.lead → lead, google.protobuf.Timestamp → timestamp.
func friendlyTypeName(s string) string {
	r := strings.NewReplacer(
		"google.protobuf.Timestamp", "timestamp", "google.protobuf.Duration", "duration",
		"null_type", "null", stepsTypeName, "steps", eventTypeName, "event",
		stepTypePre, "step ", typePrefix, "",
	)
	s = r.Replace(s)
	s = wrapperRe.ReplaceAllString(s, "$1")
	return doubleRe.ReplaceAllString(s, "number")
}
