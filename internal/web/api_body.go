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
	"strings"

	"github.com/tidwall/gjson"

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

// The items of a batch are read with gjson rather than encoding/json: a
// body of 10,000 invoices decoded into maps took longer than the file
// import of the same rows, and the API must go in as fast (make bench).
// gjson validates the body in one pass and reads each value in place.

// cell turns a value of an item into the text a file's cell would hold: a
// string as it is, a number as written (never through a float: "1200.50"
// and 1200.50 are the same amount), null as nothing, an array of strings
// (email, cc) joined with ", ".
func cell(v gjson.Result) (string, error) {
	switch v.Type {
	case gjson.String:
		return v.Str, nil
	case gjson.Number:
		return v.Raw, nil
	case gjson.Null:
		return "", nil
	case gjson.JSON:
		if v.IsArray() {
			var list []string
			ok := true
			v.ForEach(func(_, e gjson.Result) bool {
				ok = e.Type == gjson.String
				list = append(list, e.Str)
				return ok
			})
			if ok {
				return strings.Join(list, ", "), nil
			}
			return "", errors.New("want a string or an array of strings")
		}
	}
	return "", fmt.Errorf("want a string, not %s", v.Raw)
}

// records turns a batch's items (JSON objects) into the importer's
// records: the header is every column some item names, in the order of
// columns; a column an item does not name is "" for it (it says nothing),
// as an empty cell. set gives values from elsewhere (the path of a PUT). An
// unknown field or a value that is not text is refused, naming it as
// list[i].field ("field" alone for a single item, list "").
func records(list string, items []gjson.Result, columns []string, set map[string]string, name string, body []byte) (importer.Records, error) {
	sum := sha256.Sum256(body)
	recs := importer.Records{Name: name, Checksum: hex.EncodeToString(sum[:])}
	path := func(i int, field string) string {
		if list == "" {
			return field
		}
		return fmt.Sprintf("%s[%d].%s", list, i, field)
	}
	bad := &apiError{status: http.StatusBadRequest, msg: "invalid request"}
	index := make(map[string]int, len(columns))
	for i, c := range columns {
		index[c] = i
	}
	said := make([]bool, len(columns))
	for k := range set {
		said[index[k]] = true
	}
	// One pass over each item (a 10,000-item body is 3.5 MB): its cells by
	// column, then the columns no item names are left out of the header.
	cells := make([]string, len(items)*len(columns))
	for i, it := range items {
		row := cells[i*len(columns) : (i+1)*len(columns)]
		it.ForEach(func(k, v gjson.Result) bool {
			j, ok := index[k.Str]
			if !ok {
				bad.fields = append(bad.fields, fieldReason{path(i, k.Str), "unknown field"})
				return true
			}
			said[j] = true
			c, err := cell(v)
			if err != nil {
				bad.fields = append(bad.fields, fieldReason{path(i, k.Str), err.Error()})
			}
			row[j] = c
			return true
		})
		for k, v := range set {
			row[index[k]] = v
		}
	}
	var keep []int // the columns said, in order
	for j, c := range columns {
		if said[j] {
			keep = append(keep, j)
			recs.Header = append(recs.Header, c)
		}
	}
	recs.Rows = make([][]string, len(items))
	for i := range items {
		if len(keep) == len(columns) {
			recs.Rows[i] = cells[i*len(columns) : (i+1)*len(columns) : (i+1)*len(columns)]
			continue
		}
		row := make([]string, len(keep))
		for n, j := range keep {
			row[n] = cells[i*len(columns)+j]
		}
		recs.Rows[i] = row
	}
	if len(bad.fields) > 0 {
		return recs, bad
	}
	return recs, nil
}

// parseJSON validates body and returns it parsed; an invalid body is
// decoded again by encoding/json for an error that says where.
func parseJSON(body []byte) (gjson.Result, error) {
	if !gjson.ValidBytes(body) {
		var v any
		return gjson.Result{}, jsonError(json.Unmarshal(body, &v))
	}
	top := gjson.ParseBytes(body)
	if !top.IsObject() {
		return top, fieldError("body", "a JSON object expected")
	}
	return top, nil
}

// batchItems reads a batch body {"<list>": [ {…}, … ]}: one to MaxBatch
// objects.
func batchItems(body []byte, list string) ([]gjson.Result, error) {
	top, err := parseJSON(body)
	if err != nil {
		return nil, err
	}
	var refused error
	var arr gjson.Result // taken here: a Get would scan the body again
	top.ForEach(func(k, v gjson.Result) bool {
		if k.Str != list {
			refused = fieldError(k.Str, fmt.Sprintf("unknown field (the body is {%q: [...]})", list))
		}
		arr = v
		return refused == nil
	})
	if refused != nil {
		return nil, refused
	}
	if !arr.IsArray() {
		return nil, fieldError(list, "want an array of objects")
	}
	items := arr.Array()
	for i, it := range items {
		if !it.IsObject() {
			return nil, fieldError(fmt.Sprintf("%s[%d]", list, i), "want an object")
		}
	}
	switch {
	case len(items) == 0:
		return nil, fieldError(list, "no items: send 1 to 10000")
	case len(items) > MaxBatch:
		return nil, fieldError(list, fmt.Sprintf("%d items: at most %d in one request, send several", len(items), MaxBatch))
	}
	return items, nil
}

// singleItem reads a body that is one item, whose key (invoice_number,
// client_id) comes from the path: the body may repeat it, not change it.
func singleItem(body []byte, key, value string) (gjson.Result, error) {
	it, err := parseJSON(body)
	if err != nil {
		return it, err
	}
	if raw := it.Get(gjson.Escape(key)); raw.Exists() {
		if v, err := cell(raw); err != nil || v != value {
			return it, fieldError(key, fmt.Sprintf("%s in the body differs from %q in the path", raw.Raw, value))
		}
	}
	return it, nil
}
