package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/relance/relance/internal/importer"
)

// readBody checks that a write sends JSON and reads its body, up to limit
// bytes: 415 for another content type, 413 past the limit.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *apiError) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return nil, &apiError{status: http.StatusUnsupportedMediaType,
			msg: fmt.Sprintf("Content-Type %q: send application/json (UTF-8)", r.Header.Get("Content-Type"))}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &apiError{status: http.StatusRequestEntityTooLarge,
			msg: fmt.Sprintf("the body is over %d bytes (server.api_body_limit): send the batch in several requests", limit)}
	}
	if err != nil {
		return nil, &apiError{status: http.StatusBadRequest, msg: "reading the body: " + err.Error()}
	}
	return body, nil
}

// decodeObject decodes a JSON object body into v, refusing unknown fields
// and naming the field of a value of the wrong type.
func decodeObject(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return fieldError("body", "one JSON object expected, more follows")
	}
	return nil
}

// jsonError names what a JSON decoding error is about.
func jsonError(err error) *apiError {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return fieldError(field, fmt.Sprintf("want a JSON %s, not %s", jsonKind(te.Type.Kind().String()), te.Value))
	case errors.As(err, &se):
		return fieldError("body", fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, err))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fieldError(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fieldError("body", "invalid JSON: the body ends early")
	case errors.Is(err, io.EOF):
		return fieldError("body", "empty body: a JSON object expected")
	}
	return fieldError("body", err.Error())
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	}
	return goKind
}

// item is one object of a batch: its fields' raw JSON values.
type item map[string]json.RawMessage

// cell turns a value of an item into the text a file's cell would hold: a
// string as it is, a number as written (never through a float: "1200.50"
// and 1200.50 are the same amount), null as nothing, an array of strings
// (email, cc) joined with ", ".
func cell(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case c == 'n' && string(raw) == "null":
		return "", nil
	case c == '-' || (c >= '0' && c <= '9'):
		return string(raw), nil
	case c == '[':
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			return "", errors.New("want a string or an array of strings")
		}
		return strings.Join(list, ", "), nil
	}
	return "", fmt.Errorf("want a string, not %s", raw)
}

// records turns a batch's items into the importer's records: the header is
// every column some item names, in the order of columns; a column an item
// does not name is "" for it (it says nothing), as an empty cell. An
// unknown field or a value that is not text is refused, naming it as
// list[i].field ("field" alone for a single item, list "").
func records(list string, items []item, columns []string, name string, body []byte) (importer.Records, error) {
	sum := sha256.Sum256(body)
	recs := importer.Records{Name: name, Checksum: hex.EncodeToString(sum[:])}
	path := func(i int, field string) string {
		if list == "" {
			return field
		}
		return fmt.Sprintf("%s[%d].%s", list, i, field)
	}
	bad := &apiError{status: http.StatusBadRequest, msg: "invalid request"}
	said := map[string]bool{}
	for i, it := range items {
		for k := range it {
			if !slices.Contains(columns, k) {
				bad.fields = append(bad.fields, fieldReason{path(i, k), "unknown field"})
			}
			said[k] = true
		}
	}
	for _, c := range columns {
		if said[c] {
			recs.Header = append(recs.Header, c)
		}
	}
	recs.Rows = make([][]string, len(items))
	for i, it := range items {
		row := make([]string, len(recs.Header))
		for j, c := range recs.Header {
			v, err := cell(it[c])
			if err != nil {
				bad.fields = append(bad.fields, fieldReason{path(i, c), err.Error()})
			}
			row[j] = v
		}
		recs.Rows[i] = row
	}
	if len(bad.fields) > 0 {
		return recs, bad
	}
	return recs, nil
}

// batchItems decodes a batch body {"<list>": [ {…}, … ]}: one to MaxBatch
// items.
func batchItems(body []byte, list string) ([]item, error) {
	var top map[string]json.RawMessage
	if err := decodeObject(body, &top); err != nil {
		return nil, err
	}
	for k := range top {
		if k != list {
			return nil, fieldError(k, fmt.Sprintf("unknown field (the body is {%q: [...]})", list))
		}
	}
	var items []item
	if err := json.Unmarshal(top[list], &items); err != nil {
		return nil, fieldError(list, "want an array of objects")
	}
	switch {
	case len(items) == 0:
		return nil, fieldError(list, "no items: send 1 to 10000")
	case len(items) > MaxBatch:
		return nil, fieldError(list, fmt.Sprintf("%d items: at most %d in one request, send several", len(items), MaxBatch))
	}
	return items, nil
}

// singleItem decodes a body that is one item, whose key (invoice_number,
// client_id) comes from the path: the body may repeat it, not change it.
func singleItem(body []byte, key, value string) (item, error) {
	var it item
	if err := decodeObject(body, &it); err != nil {
		return nil, err
	}
	if it == nil {
		return nil, fieldError("body", "a JSON object expected")
	}
	if raw, ok := it[key]; ok {
		if v, err := cell(raw); err != nil || v != value {
			return nil, fieldError(key, fmt.Sprintf("%s in the body differs from %q in the path", raw, value))
		}
	}
	quoted, _ := json.Marshal(value)
	it[key] = quoted
	return it, nil
}
