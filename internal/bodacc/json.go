package bodacc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// judgment is the BODACC's jugement field, a JSON object written as a
// string inside the record: {"type", "famille", "nature", "date",
// "complementJugement"}.
type judgment struct {
	Nature     string `json:"nature"`
	Date       string `json:"date"`
	Complement string `json:"complementJugement"`
}

func parseJudgment(s string) (judgment, error) {
	var j judgment
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") {
		// Some exports flatten the judgment to its nature.
		return judgment{Nature: s}, nil
	}
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return j, fmt.Errorf("not a judgment: %s", quote(err.Error()))
	}
	return j, nil
}

// parseJSON reads the JSON forms of the export: an array of records, the
// API's {"results": [records]} or {"records": [{"fields": record}]}, or
// one record per line. Records are decoded one at a time.
func parseJSON(br *bufio.Reader) (Result, error) {
	res := Result{fields: map[string]string{}}
	c := &capped{r: br, max: MaxRecord}
	dec := json.NewDecoder(c)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return res, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if tok == json.Delim('[') {
		return res, elements(dec, c, &res, 0)
	}
	// An object: the API's wrapper, or the first of one record per line.
	first, wrapped, err := wrapper(dec, c, &res)
	if err != nil || wrapped {
		return res, err
	}
	res.addJSON(first, 1)
	for i := 2; ; i++ {
		c.n = 0
		var raw map[string]json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return res, nil
		} else if err != nil {
			return res, jsonError(err, i)
		}
		res.addJSON(raw, i)
	}
}

// wrapper reads the object just opened: when a key "results" or "records"
// holds an array, its records are read and wrapped is true; otherwise the
// object is a record, returned whole.
func wrapper(dec *json.Decoder, c *capped, res *Result) (first map[string]json.RawMessage, wrapped bool, err error) {
	first = map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false, jsonError(err, 1)
		}
		k, _ := tok.(string)
		if k == "results" || k == "records" {
			if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
				return nil, false, fmt.Errorf("%w: %q is not a list of records", ErrFormat, k)
			}
			if err := elements(dec, c, res, 0); err != nil {
				return nil, false, err
			}
			wrapped = true
			continue
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false, jsonError(err, 1)
		}
		first[k] = v
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, false, jsonError(err, 1)
	}
	return first, wrapped, nil
}

// elements reads the records of an array just opened, up to its end.
func elements(dec *json.Decoder, c *capped, res *Result, offset int) error {
	for i := offset + 1; dec.More(); i++ {
		c.n = 0
		var raw map[string]json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return jsonError(err, i)
		}
		res.addJSON(raw, i)
	}
	_, err := dec.Token() // the closing bracket
	if err != nil {
		return jsonError(err, 0)
	}
	return nil
}

func jsonError(err error, i int) error {
	if errors.Is(err, errTooLong) {
		return fmt.Errorf("record %d: %w", i, err)
	}
	if i == 0 {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return fmt.Errorf("%w: record %d: %v", ErrFormat, i, err)
}

// addJSON reads one record: its fields are at the top, or under "fields"
// (the API's v1). A field is a string, a list (registre) or, for
// jugement, a string holding JSON or the object itself.
func (res *Result) addJSON(raw map[string]json.RawMessage, i int) {
	res.Records++
	if f, ok := raw["fields"]; ok {
		var inner map[string]json.RawMessage
		if json.Unmarshal(f, &inner) == nil {
			raw = inner
		}
	}
	r := record{line: i}
	for name, v := range raw {
		field, ok := res.fields[name]
		if !ok && len(res.fields) < 1000 {
			field = fieldNames[key(name)]
			res.fields[name] = field
		} else if !ok {
			field = fieldNames[key(name)]
		}
		if field == "" {
			continue
		}
		if field == "jugement" && bytes.HasPrefix(bytes.TrimSpace(v), []byte("{")) {
			var j judgment
			if json.Unmarshal(v, &j) == nil {
				r.nature, r.judgmentDate, r.complement = j.Nature, j.Date, j.Complement
			} else {
				r.jugement = string(v) // reported as unreadable
			}
			continue
		}
		r.set(field, text(v, 0))
	}
	res.add(r)
}

// text renders a JSON value as the parser reads fields: a string as is, a
// list as its items joined by commas (lists in lists, two deep), a number
// as written, null as "".
func text(v json.RawMessage, depth int) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var list []json.RawMessage
	if depth < 2 && json.Unmarshal(v, &list) == nil {
		parts := make([]string, 0, len(list))
		for _, x := range list {
			parts = append(parts, text(x, depth+1))
		}
		return strings.Join(parts, ",")
	}
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return ""
	}
	return string(v)
}
