package web

import (
	"bytes"
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/relance/relance/docs"
	"github.com/relance/relance/internal/importer"
)

// TestOpenAPIDocumentsEveryRoute: docs/openapi.json validates as OpenAPI 3
// (kin-openapi), documents every route the API serves, and serves only
// routes it documents; its row schemas have the importer's columns; the
// document served is the file.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(docs.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("docs/openapi.json does not validate: %v", err)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			documented = append(documented, method+" "+path)
			if op.Security != nil && len(*op.Security) == 0 {
				continue // open to all
			}
			for _, code := range []string{"401", "403"} {
				if op.Responses.Value(code) == nil {
					t.Errorf("%s %s does not document %s", method, path, code)
				}
			}
		}
	}
	api := NewAPI(APIOptions{})
	var served []string
	for _, rt := range api.routes() {
		served = append(served, rt.pattern)
		if strings.Contains(rt.pattern, "openapi") != (rt.level == 0) {
			t.Errorf("%s: level %d", rt.pattern, rt.level)
		}
	}
	sort.Strings(documented)
	sort.Strings(served)
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("served, not documented: %s", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(served, d) {
			t.Errorf("documented, not served: %s", d)
		}
	}
	for schema, columns := range map[string][]string{
		"InvoiceRow": importer.InvoiceColumns(), "PaymentRow": importer.PaymentColumns(), "ClientRow": importer.ClientColumns(),
	} {
		var props []string
		for p := range doc.Components.Schemas[schema].Value.Properties {
			props = append(props, p)
		}
		want := slices.Clone(columns)
		sort.Strings(props)
		sort.Strings(want)
		if !slices.Equal(props, want) {
			t.Errorf("%s documents %v, the importer reads %v", schema, props, want)
		}
	}

	e := newAPIEnv(t, 0)
	r := e.do("GET", "/api/v1/openapi.json", "", nil)
	if r.status != 200 || !bytes.Equal(r.body, docs.OpenAPI) {
		t.Errorf("the served document is not docs/openapi.json: %d", r.status)
	}
}
