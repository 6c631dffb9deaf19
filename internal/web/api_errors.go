package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/relance/relance/internal/aging"
	"github.com/relance/relance/internal/importer"
	"github.com/relance/relance/internal/ledger"
)

// apiError is an error the API answers with: its status, a message, and for
// a 400 or a 409 on a batch, each field at fault.
type apiError struct {
	status int
	msg    string
	fields []fieldReason
}

// fieldReason names one refused field: "invoices[3].paid", "as_of", and why,
// in the words a file import uses.
type fieldReason struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e *apiError) Error() string { return e.msg }

// errorBody is the JSON of every error the API answers.
type errorBody struct {
	Error  string        `json:"error"`
	Fields []fieldReason `json:"fields,omitempty"`
}

// fieldError is a 400 naming one field.
func fieldError(field, reason string) *apiError {
	return &apiError{status: http.StatusBadRequest, msg: "invalid request: " + field + ": " + reason,
		fields: []fieldReason{{field, reason}}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, errorBody{Error: e.msg, Fields: e.fields})
}

// apiUnauthenticated and apiGuard answer in JSON, with the challenge RFC 6750
// asks for.
func apiUnauthenticated(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="relance"`)
	writeError(w, &apiError{status: http.StatusUnauthorized, msg: "authentication required: send Authorization: Bearer <token> (relance token create)"})
}

var apiGuard = Guard{
	Unauthenticated: apiUnauthenticated,
	Forbidden: func(w http.ResponseWriter, r *http.Request) {
		p, _ := PrincipalFrom(r.Context())
		writeError(w, &apiError{status: http.StatusForbidden, msg: fmt.Sprintf("token %s (role %s) may not do this", p.Name, p.Role)})
	},
}

// toAPIError maps what a handler returns to its answer:
//   - the ledger's *InvalidError: 400, each field named;
//   - an import's *ImportError (list names the body's array: "invoices"):
//     400, each row's field named as invoices[i].column; a *ConflictError:
//     409 the same way;
//   - ledger.ErrNotFound, aging.ErrNotFound: 404;
//   - a failure of the database or the request's context: 500, logged,
//     its details kept from the caller;
//   - any other error is the ledger refusing what the ledger has (an
//     invoice already paid, a dispute already open): 409 with its words.
func toAPIError(err error, list string, log *slog.Logger) *apiError {
	var ae *apiError
	var invalid *ledger.InvalidError
	var conflict *importer.ConflictError
	var imp *importer.ImportError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &invalid):
		e := &apiError{status: http.StatusBadRequest, msg: "invalid request"}
		for _, f := range invalid.Fields {
			e.fields = append(e.fields, fieldReason{f.Field, f.Err.Error()})
		}
		return e
	case errors.As(err, &conflict):
		e := rowErrors(&conflict.ImportError, list)
		e.status, e.msg = http.StatusConflict, "conflict: nothing written"
		return e
	case errors.As(err, &imp):
		return rowErrors(imp, list)
	case errors.Is(err, ledger.ErrNotFound), errors.Is(err, aging.ErrNotFound):
		return &apiError{status: http.StatusNotFound, msg: err.Error()}
	case internal(err):
		log.Error("api: internal error", "err", err)
		return &apiError{status: http.StatusInternalServerError, msg: "internal error (see the daemon's log)"}
	}
	return &apiError{status: http.StatusConflict, msg: err.Error()}
}

// rowErrors names each row's field of an import error: invoices[3].paid.
// list is "" for a single item, whose fields are named alone.
func rowErrors(imp *importer.ImportError, list string) *apiError {
	e := &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf("%d error(s), nothing written", imp.Total)}
	for _, re := range imp.Errors {
		field := re.Column
		if list != "" {
			field = fmt.Sprintf("%s[%d]", list, re.Line)
			if re.Column != "" {
				field += "." + re.Column
			}
		}
		e.fields = append(e.fields, fieldReason{field, re.Reason})
	}
	return e
}

// internal tells a failure of ours (the database, the network, a request
// cancelled) from the ledger refusing a request; a constraint of the ledger
// (class 23: an open dispute, a pause in force) is a refusal.
func internal(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return len(pe.Code) < 2 || pe.Code[:2] != "23"
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.As(err, &ne) || errors.As(err, &ce) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || pgconn.SafeToRetry(err)
}
