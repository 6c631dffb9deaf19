// Package docs embeds the documents the daemon serves: the OpenAPI
// document of the JSON API (openapi.json), kept here beside the other
// contracts so that the file a reader opens is the one served.
package docs

import _ "embed"

// OpenAPI is the OpenAPI 3 document of the API under /api/v1, served at
// /api/v1/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte
