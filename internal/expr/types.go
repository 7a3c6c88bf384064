package expr

import (
	"strings"

	"cel.dev/cel-go/common/types"
)

// kind is the shape of a Type.
type kind uint8

const (
	kindAny kind = iota
	kindBool
	kindString
	kindNumber
	kindInt
	kindTimestamp
	kindDuration
	kindList
	kindMap
	kindObject
	kindNull
	kindOther // a CEL type with no Salesflow name (bytes, type, optional); name holds CEL's spelling
)

// Type is what an expression must produce or what a variable, field or step output holds. The zero
// value is Any. Types are values: compare them with Equal, not ==, because lists and maps nest.
type Type struct {
	kind kind
	name string // object name for kindObject, CEL's name for kindOther
	elem *Type  // element of a list, value of a map
}

// Any accepts every value; a field of type json is Any.
func Any() Type { return Type{kind: kindAny} }

// Bool is true or false.
func Bool() Type { return Type{kind: kindBool} }

// String is text; string, text, email, phone, url, enum and ref fields are Strings.
func String() Type { return Type{kind: kindString} }

// Number is a float64, the one numeric type of records. Integer literals compare with it and mix with it
// in arithmetic; see the package documentation.
func Number() Type { return Type{kind: kindNumber} }

// Int is a 64-bit integer, which some functions return (size(), local_hour()). Where a Number is wanted
// an Int is accepted.
func Int() Type { return Type{kind: kindInt} }

// Timestamp is an instant; datetime and date fields are Timestamps.
func Timestamp() Type { return Type{kind: kindTimestamp} }

// Duration is a length of time.
func Duration() Type { return Type{kind: kindDuration} }

// List is a list of elem.
func List(elem Type) Type { return Type{kind: kindList, elem: &elem} }

// Map is a map from strings to elem.
func Map(elem Type) Type { return Type{kind: kindMap, elem: &elem} }

// Object is a record of the named object ("lead", "user"), with its fields and relations.
func Object(name string) Type { return Type{kind: kindObject, name: name} }

// IsObject reports whether t is a record type and which object it is.
func (t Type) IsObject() (string, bool) { return t.name, t.kind == kindObject }

// Elem returns the element type of a List or Map, and Any for every other type.
func (t Type) Elem() Type {
	if t.elem == nil {
		return Any()
	}
	return *t.elem
}

// Equal reports whether t and u are the same type.
func (t Type) Equal(u Type) bool {
	if t.kind != u.kind || t.name != u.name {
		return false
	}
	if t.kind == kindList || t.kind == kindMap {
		return t.Elem().Equal(u.Elem())
	}
	return true
}

// String names the type as messages and documentation show it: "number", "list(string)", "lead".
func (t Type) String() string {
	switch t.kind {
	case kindBool:
		return "bool"
	case kindString:
		return "string"
	case kindNumber:
		return "number"
	case kindInt:
		return "int"
	case kindTimestamp:
		return "timestamp"
	case kindDuration:
		return "duration"
	case kindList:
		return "list(" + t.Elem().String() + ")"
	case kindMap:
		return "map(" + t.Elem().String() + ")"
	case kindObject:
		return t.name
	case kindOther:
		return friendlyTypeName(t.name)
	case kindNull:
		return "null"
	}
	return "any"
}

// accepts reports whether a value of type got may be used where t is wanted. Any on either side is
// accepted at compile time (a json field may hold a bool); Eval checks such values when they arrive.
func (t Type) accepts(got Type) bool {
	switch {
	case t.kind == kindAny || got.kind == kindAny:
		return true
	case t.kind == kindNumber:
		return got.kind == kindNumber || got.kind == kindInt
	case t.kind == kindList || t.kind == kindMap:
		return got.kind == t.kind && t.Elem().accepts(got.Elem())
	}
	return t.Equal(got)
}

// objectTypeName is the CEL type name of an object; the prefix keeps our names apart from CEL's own.
func objectTypeName(object string) string { return typePrefix + object }

const (
	typePrefix    = "salesflow."
	stepsTypeName = "salesflow.steps"
	stepTypePre   = "salesflow.step."
	eventTypeName = "salesflow.event"
)

// celType is t as CEL declares it. Nullable types are used for fields, whose values may be absent:
// CEL then accepts `x == null` and field values may be null at run time.
func (t Type) celType(nullable bool) *types.Type {
	var ct *types.Type
	switch t.kind {
	case kindBool:
		ct = types.BoolType
	case kindString:
		ct = types.StringType
	case kindNumber:
		ct = types.DoubleType
	case kindInt:
		ct = types.IntType
	case kindTimestamp:
		return types.TimestampType // timestamps, durations and objects are nullable in CEL already
	case kindDuration:
		return types.DurationType
	case kindList:
		return types.NewListType(t.Elem().celType(false))
	case kindMap:
		return types.NewMapType(types.StringType, t.Elem().celType(false))
	case kindObject:
		return types.NewObjectType(objectTypeName(t.name))
	case kindNull:
		return types.NullType
	case kindOther:
		if strings.HasPrefix(t.name, typePrefix) { // steps, a step, the event
			return types.NewObjectType(t.name)
		}
		return types.DynType
	default:
		return types.DynType
	}
	if nullable {
		return types.NewNullableType(ct)
	}
	return ct
}

// typeOfCEL maps a CEL type back to a Type, for checking what an expression yields.
func typeOfCEL(ct *types.Type) Type {
	switch ct.Kind() {
	case types.BoolKind:
		return Bool()
	case types.StringKind:
		return String()
	case types.DoubleKind:
		return Number()
	case types.IntKind, types.UintKind:
		return Int()
	case types.TimestampKind:
		return Timestamp()
	case types.DurationKind:
		return Duration()
	case types.NullTypeKind:
		return Type{kind: kindNull}
	case types.ListKind:
		return List(typeOfCEL(ct.Parameters()[0]))
	case types.MapKind:
		return Map(typeOfCEL(ct.Parameters()[1]))
	case types.StructKind:
		n := ct.TypeName()
		if n == stepsTypeName || n == eventTypeName || strings.HasPrefix(n, stepTypePre) {
			return Type{kind: kindOther, name: n}
		}
		if name, ok := strings.CutPrefix(n, typePrefix); ok {
			return Object(name)
		}
	case types.DynKind, types.AnyKind, types.TypeParamKind, types.ErrorKind:
		return Any()
	}
	return Type{kind: kindOther, name: ct.String()}
}
