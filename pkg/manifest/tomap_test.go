package manifest

import (
	"encoding/json"
	"reflect"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/randfill"
)

// viaEncodingJSON is what toMap stands for: json.Marshal, then util/json.
func viaEncodingJSON(t *testing.T, obj any) any {
	t.Helper()
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := utiljson.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestToMapIsJSON fills Jobs and CronJobs at random, every field of every
// type they reach (nil, empty and set), and wants the walk to give exactly
// what encoding/json gives.
func TestToMapIsJSON(t *testing.T) {
	f := randfill.NewWithSeed(1).NilChance(0.3).NumElements(0, 2).MaxDepth(12).Funcs(
		// Types whose random bytes would not marshal at all.
		func(q *resource.Quantity, c randfill.Continue) {
			*q = *resource.NewMilliQuantity(c.Int63n(1<<40), []resource.Format{resource.DecimalSI, resource.BinarySI, resource.DecimalExponent}[c.Intn(3)])
		},
		func(fv *metav1.FieldsV1, c randfill.Continue) { fv.SetRawString(`{"f:spec":{}}`) },
		func(tm *metav1.Time, c randfill.Continue) {
			if c.Intn(3) > 0 {
				tm.Time = metav1.Unix(c.Int63n(1<<33), 0).Time
			}
		},
	)
	for i := 0; i < 300; i++ {
		var obj any = &batchv1.Job{}
		if i%2 == 1 {
			obj = &batchv1.CronJob{}
		}
		f.Fill(obj)
		got, err := toMap(obj)
		if err != nil {
			t.Fatal(err)
		}
		if want := viaEncodingJSON(t, obj); !reflect.DeepEqual(got, want) {
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(want)
			t.Fatalf("run %d: toMap differs from encoding/json\n got: %s\nwant: %s", i, gb, wb)
		}
	}
}

// TestToMapEdges covers what API types do not have but encoding/json
// decides: embedding, name ties, omitzero, ",string", large and float
// numbers, bytes, bad UTF-8.
func TestToMapEdges(t *testing.T) {
	// Untagged, so that go vet does not take the ties for mistakes.
	type inner struct {
		A string
		B string `json:"b,omitempty"`
	}
	type other struct {
		A string
		C int `json:"c"`
	}
	type deep struct{ other }
	type named string
	cases := map[string]any{
		"embedded": &struct{ inner }{inner{A: "x"}},
		"shallow wins": &struct {
			A string
			inner
		}{A: "top", inner: inner{A: "in"}},
		"tie dropped": &struct {
			inner
			other
		}{inner{A: "1"}, other{A: "2", C: 3}},
		"deeper loses": &struct {
			deep
			inner
		}{deep{other{A: "d"}}, inner{A: "i"}},
		"embedded ptr": &struct{ *inner }{&inner{A: "p"}},
		"nil embedded": &struct{ *inner }{},
		"named embed":  &struct{ named }{"n"},
		"omitzero": &struct {
			T metav1.Time `json:"t,omitzero"`
			N int         `json:"n,omitzero"`
			S []int       `json:"s,omitzero"`
		}{S: []int{}},
		"string opt": &struct {
			N int `json:"n,string"`
		}{N: 5},
		"numbers": &struct {
			U uint64
			F float64
			G float64
			H float32
		}{U: 1<<64 - 1, F: 1.5, G: 2, H: 1e30},
		"bytes": &struct {
			B []byte
			A [2]byte
		}{B: []byte("hi"), A: [2]byte{1, 2}},
		"bad utf8":  &struct{ S string }{"a\xffb"},
		"int keys":  &struct{ M map[int]string }{map[int]string{1: "a"}},
		"iface":     &struct{ I any }{I: map[string]any{"k": []any{1, "x"}}},
		"nil slice": &struct{ S []string }{},
	}
	for name, obj := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := toMap(obj)
			if err != nil {
				t.Fatal(err)
			}
			if want := viaEncodingJSON(t, obj); !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v\nwant %#v", got, want)
			}
		})
	}
}
