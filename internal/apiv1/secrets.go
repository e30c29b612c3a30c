package apiv1

import (
	"reflect"
	"strings"
	"sync"
)

// SecretTag is the struct tag that marks a wire field carrying a secret:
// `secret:"true"`. The tagged fields are the API's one list of secret
// fields: the API never returns their values (it returns a fingerprint
// instead; the one exception is a generated API key secret, returned once in
// the answer to its create or rotate), and the client masks them in its
// logs. TestSecretFieldsAreTagged fails when a field that may carry a secret
// is not tagged.
const SecretTag = "secret"

// wireField is one JSON member of a wire type.
type wireField struct {
	name   string
	typ    reflect.Type
	secret bool
}

var wireFieldsCache sync.Map // reflect.Type -> []wireField

// wireFields returns the JSON members of struct type t as encoding/json
// names them, embedded structs' members included.
func wireFields(t reflect.Type) []wireField {
	if cached, ok := wireFieldsCache.Load(t); ok {
		return cached.([]wireField) //nolint:forcetypeassert // the cache holds only []wireField.
	}
	var fields []wireField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || (!f.IsExported() && !f.Anonymous):
			continue
		case f.Anonymous && name == "" && derefType(f.Type).Kind() == reflect.Struct:
			fields = append(fields, wireFields(derefType(f.Type))...)
			continue
		case name == "":
			name = f.Name
		}
		fields = append(fields, wireField{name: name, typ: f.Type, secret: f.Tag.Get(SecretTag) == "true"})
	}
	wireFieldsCache.Store(t, fields)
	return fields
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// MaskSecrets replaces with mask, in v, the values of the fields that Go
// type t (the type the JSON was decoded from or encoded with; pointers,
// slices, maps and structs are followed) tags as secret, at any depth. v is
// a JSON value decoded into any: objects are map[string]any, arrays []any.
// A secret string becomes mask; a secret object keeps its member names (the
// names of webhook headers are not secret) and each value becomes mask.
// Member names match field names case-insensitively, as encoding/json
// decodes them. It returns v, changed in place.
func MaskSecrets(t reflect.Type, v any, mask string) any {
	if t == nil || v == nil {
		return v
	}
	t = derefType(t)
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return v
		}
		fields := wireFields(t)
		for name, child := range obj {
			f, ok := findField(fields, name)
			switch {
			case !ok:
			case f.secret:
				obj[name] = maskValue(child, mask)
			default:
				obj[name] = MaskSecrets(f.typ, child, mask)
			}
		}
	case reflect.Slice, reflect.Array:
		if arr, ok := v.([]any); ok {
			for i, child := range arr {
				arr[i] = MaskSecrets(t.Elem(), child, mask)
			}
		}
	case reflect.Map:
		if obj, ok := v.(map[string]any); ok {
			for k, child := range obj {
				obj[k] = MaskSecrets(t.Elem(), child, mask)
			}
		}
	}
	return v
}

// MemberType returns the type of the member name of struct type t as
// encoding/json decodes it (embedded structs' members included, the name
// matched ignoring case when no member has it exactly), or nil when t has no
// such member.
func MemberType(t reflect.Type, name string) reflect.Type {
	if f, ok := findField(wireFields(t), name); ok {
		return f.typ
	}
	return nil
}

func findField(fields []wireField, name string) (wireField, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	for _, f := range fields {
		if strings.EqualFold(f.name, name) {
			return f, true
		}
	}
	return wireField{}, false
}

func maskValue(v any, mask string) any {
	switch t := v.(type) {
	case nil:
		return nil
	case map[string]any:
		for k := range t {
			t[k] = mask
		}
		return t
	}
	return mask
}
