package manifest

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// toMap is encoding/json's view of v as unstructured objects hold it: the
// map json.Marshal then k8s.io/apimachinery/pkg/util/json.Unmarshal would
// give (an integer as int64, a float64 only where it is not one), built by
// walking the value itself.
//
// Why not json.Marshal: its first call on a type builds the encoders of
// every type reachable from it, and from a Job that is most of the API (the
// volume sources, probes, affinity...): about 2 ms, a fifth of a client dry
// run, to print a Job of a dozen fields. runtime.DefaultUnstructuredConverter
// caches every field alike. A walk costs what the Job holds. Anything
// beyond plain structs, maps, slices and scalars (a json.Marshaler such as
// resource.Quantity or metav1.Time, a TextMarshaler, a ",string" field)
// goes through encoding/json itself, value by value, so that its rules stay
// the only ones; TestToMapIsJSON holds the walk to them on random Jobs and
// CronJobs.
func toMap(v any) (any, error) {
	m, err := walk(reflect.ValueOf(v))
	if errors.Is(err, errUnusual) {
		return viaJSON(reflect.ValueOf(v))
	}
	return m, err
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// marshalsCache holds marshals' answer per type: a Job's walk asks it of
// every value, and Implements scans the method sets each time.
var marshalsCache sync.Map // reflect.Type -> bool

// marshals tells a type that encodes itself (json.Marshaler or
// encoding.TextMarshaler, on the value or its pointer).
func marshals(t reflect.Type) bool {
	if m, ok := marshalsCache.Load(t); ok {
		return m.(bool)
	}
	m := t.Implements(marshalerType) || t.Implements(textMarshalerType) ||
		(t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(marshalerType)) ||
		(t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textMarshalerType))
	marshalsCache.Store(t, m)
	return m
}

func walk(v reflect.Value) (any, error) {
	if !v.IsValid() {
		return nil, nil
	}
	t := v.Type()
	if marshals(t) {
		return viaJSON(v)
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		return walk(v.Elem())
	case reflect.Struct:
		m := map[string]any{}
		if err := walkStruct(v, m); err != nil {
			return nil, err
		}
		return m, nil
	case reflect.Map:
		if v.IsNil() {
			return nil, nil
		}
		if t.Key().Kind() != reflect.String {
			return viaJSON(v)
		}
		m := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			e, err := walk(it.Value())
			if err != nil {
				return nil, err
			}
			m[it.Key().String()] = e
		}
		return m, nil
	case reflect.Slice:
		if v.IsNil() {
			return nil, nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes()), nil
		}
		fallthrough
	case reflect.Array:
		if t.Kind() == reflect.Array && t.Elem().Kind() == reflect.Uint8 {
			return viaJSON(v)
		}
		l := make([]any, v.Len())
		for i := range l {
			e, err := walk(v.Index(i))
			if err != nil {
				return nil, err
			}
			l[i] = e
		}
		return l, nil
	case reflect.String:
		if s := v.String(); utf8.ValidString(s) {
			return s, nil
		}
		// encoding/json writes U+FFFD for each bad byte.
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := v.Uint(); u <= 1<<63-1 {
			return int64(u), nil
		}
	}
	// Floats, large unsigned integers and anything else: as encoding/json
	// writes them and util/json reads them back.
	return viaJSON(v)
}

// walkStruct puts the fields of struct v into m as encoding/json names
// them, the fields of embedded structs promoted: level by level, so that
// of two fields of one name the shallower wins and two at the same depth
// both go, as encoding/json decides (no API type has either; the rule is
// kept so that no struct surprises).
func walkStruct(v reflect.Value, m map[string]any) error {
	names := map[string]int{} // name -> depth it came from
	level := []reflect.Value{v}
	for depth := 0; len(level) > 0; depth++ {
		var next []reflect.Value
		for _, v := range level {
			t := v.Type()
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				fv := v.Field(i)
				if f.Anonymous {
					ft := f.Type
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					if !f.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
					if name == "" && ft.Kind() == reflect.Struct {
						if fv.Kind() == reflect.Pointer {
							if fv.IsNil() {
								continue
							}
							fv = fv.Elem()
						}
						next = append(next, fv)
						continue
					}
				} else if !f.IsExported() {
					continue
				}
				if name == "" {
					name = f.Name
				}
				if hasOpt(opts, "string") {
					return errUnusual // the ",string" form is encoding/json's alone
				}
				if hasOpt(opts, "omitempty") && isEmpty(fv) {
					continue
				}
				if hasOpt(opts, "omitzero") && isZero(fv) {
					continue
				}
				e, err := walk(fv)
				if err != nil {
					return err
				}
				put(m, names, name, e, depth)
			}
		}
		level = next
	}
	return nil
}

func put(m map[string]any, names map[string]int, name string, e any, depth int) {
	d, seen := names[name]
	switch {
	case !seen:
		names[name], m[name] = depth, e
	case d == depth:
		delete(m, name) // a tie: encoding/json drops both
	}
}

func hasOpt(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// isEmpty is encoding/json's omitempty rule.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZero is encoding/json's omitzero rule: an IsZero method if the type
// has one, else the zero value.
func isZero(v reflect.Value) bool {
	type zeroer interface{ IsZero() bool }
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return true
	}
	if z, ok := v.Interface().(zeroer); ok {
		return z.IsZero()
	}
	if v.CanAddr() {
		if z, ok := v.Addr().Interface().(zeroer); ok {
			return z.IsZero()
		}
	}
	return v.IsZero()
}

// errUnusual says the walk met what only encoding/json should decide; the
// whole object then goes through it.
var errUnusual = errors.New("a field only encoding/json encodes")

func viaJSON(v reflect.Value) (any, error) {
	var x any = v.Interface()
	if v.CanAddr() {
		// A MarshalJSON on the pointer (resource.Quantity's) is what
		// encoding/json calls for an addressable value.
		x = v.Addr().Interface()
	}
	b, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	var out any
	if err := utiljson.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}
