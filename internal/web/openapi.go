package web

import (
	"net/http"

	"github.com/relance/relance/docs"
)

// serveOpenAPI serves docs/openapi.json, the one copy of the document.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(docs.OpenAPI)
}
