package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
)

func managed(raw string) []metav1.ManagedFieldsEntry {
	return []metav1.ManagedFieldsEntry{{Manager: "kubectl-create", Operation: metav1.ManagedFieldsOperationUpdate,
		FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(raw)}}
}

func TestKeysFromManagedFields(t *testing.T) {
	two := append(managed(`{"f:data":{".":{},"f:app.properties":{}}}`),
		managed(`{"f:data":{"f:log-level":{}},"f:binaryData":{".":{},"f:logo.png":{}},"f:metadata":{"f:labels":{"f:app":{}}}}`)...)
	tests := map[string]struct {
		entries []metav1.ManagedFieldsEntry
		keys    []string
		ok      bool
	}{
		"one writer":                    {managed(`{"f:data":{".":{},"f:a":{},"f:b.txt":{}}}`), []string{"a", "b.txt"}, true},
		"writers and binaryData merged": {two, []string{"app.properties", "log-level", "logo.png"}, true},
		"no data":                       {managed(`{"f:metadata":{"f:labels":{}}}`), nil, true},
		"no managedFields":              {nil, nil, false},
		"garbage":                       {managed(`not json`), nil, false},
	}
	for name, tc := range tests {
		keys, ok := keysFromManagedFields(tc.entries)
		if !reflect.DeepEqual(keys, tc.keys) || ok != tc.ok {
			t.Errorf("%s: got %q, %v; want %q, %v", name, keys, ok, tc.keys, tc.ok)
		}
	}
}

// fakeTableServer serves configmaps as Tables of pages of pageSize rows
// and records the query of each request.
type fakeTableServer struct {
	rows int
	mu   sync.Mutex
	seen []string
}

func (f *fakeTableServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, r.URL.RawQuery)
	f.mu.Unlock()
	if !strings.Contains(r.Header.Get("Accept"), "as=Table") {
		http.Error(w, "want a Table", http.StatusNotAcceptable)
		return
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	start, _ := strconv.Atoi(q.Get("continue"))
	end := min(start+limit, f.rows)
	t := metav1.Table{
		TypeMeta:          metav1.TypeMeta{APIVersion: "meta.k8s.io/v1", Kind: "Table"},
		ColumnDefinitions: []metav1.TableColumnDefinition{{Name: "Name"}, {Name: "Data"}, {Name: "Age"}},
	}
	for i := start; i < end; i++ {
		t.Rows = append(t.Rows, metav1.TableRow{Cells: []any{fmt.Sprintf("cm-%04d", i), int64(1), "5m"}})
	}
	if end < f.rows {
		t.Continue = strconv.Itoa(end)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(t)
}

func TestListNamesPages(t *testing.T) {
	fake := &fakeTableServer{rows: 1234}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, err := NewClient(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	names, _, err := listNames(context.Background(), c.Core, "team-a", "configmaps", metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1234 || names[0] != "cm-0000" || names[1233] != "cm-1233" {
		t.Fatalf("%d names, first %q", len(names), names[0])
	}
	if len(fake.seen) != 3 {
		t.Fatalf("%d requests, want 3 pages of at most 500: %q", len(fake.seen), fake.seen)
	}
	for _, q := range fake.seen {
		if !strings.Contains(q, "limit=500") || !strings.Contains(q, "includeObject=None") {
			t.Errorf("query %q lacks limit=500 or includeObject=None", q)
		}
	}
}

func TestRowMetadata(t *testing.T) {
	raw := `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"n1","labels":{"disktype":"ssd"}}}`
	m := rowMetadata(metav1.TableRow{Object: runtime.RawExtension{Raw: []byte(raw)}})
	if m.Name != "n1" || m.Labels["disktype"] != "ssd" {
		t.Errorf("rowMetadata = %+v", m.ObjectMeta)
	}
}
