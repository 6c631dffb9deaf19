package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/web"
)

// A person action is a confirmed form: the `confirm` box ticked, a reason
// typed where the ledger keeps one. It writes through ledger.Store with the
// principal's Actor on today's business day, then redirects back to the
// client page with a flash (?done=); a form the ledger refuses shows the
// page again with the refusal (409), a form missing a field with what is
// missing (422).

// form is a posted action form, read with its checks.
type form struct {
	r       *http.Request
	missing []string
}

func (f *form) text(name string, required bool) string {
	v := strings.TrimSpace(f.r.PostFormValue(name))
	if v == "" && required {
		f.missing = append(f.missing, name)
	}
	return v
}

func (f *form) date(name string, required bool) time.Time {
	s := f.text(name, required)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		f.missing = append(f.missing, name)
	}
	return t
}

// action reads the form, runs do with the store of the request's entity
// and the principal's act, and answers.
func (d *dashboard) action(done string, do func(ctx context.Context, f *form, s *ledger.Store, by ledger.Act, code string) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return badRequest("form: %v", err)
		}
		p, _ := web.PrincipalFrom(r.Context())
		code, entity := r.PathValue("code"), d.entityParam(r)
		if entity == "" {
			entity = d.opts.Ledger.Entity
		}
		f := &form{r: r}
		if r.PostFormValue("confirm") == "" {
			f.missing = append(f.missing, "confirm")
		}
		by := ledger.Act{Actor: p.Actor(), Day: d.today()}
		var err error
		if len(f.missing) == 0 {
			err = do(r.Context(), f, d.store(entity), by, code)
		}
		switch {
		case len(f.missing) > 0:
			return d.refuse(w, r, http.StatusUnprocessableEntity, "missing: "+strings.Join(f.missing, ", "), "à renseigner : "+strings.Join(f.missing, ", "))
		case web.Refused(err):
			return d.refuse(w, r, http.StatusConflict, err.Error(), err.Error())
		case err != nil:
			return err
		}
		q := url.Values{"entity": {entity}, "done": {done}}
		http.Redirect(w, r, "/clients/"+urlPath(code)+"?"+q.Encode(), http.StatusSeeOther)
		return nil
	}
}

// refuse shows the client page again with why the action was not recorded.
func (d *dashboard) refuse(w http.ResponseWriter, r *http.Request, status int, en, fr string) error {
	r.URL.RawQuery = url.Values{"entity": {d.entityParam(r)}}.Encode()
	v, err := d.clientView(w, r)
	if err != nil {
		return err
	}
	v.Error = v.Say(fr, en)
	return d.render(w, status, "client", v)
}

func (d *dashboard) openDispute(w http.ResponseWriter, r *http.Request) error {
	return d.action("dispute_opened", func(ctx context.Context, f *form, s *ledger.Store, by ledger.Act, code string) error {
		o := ledger.DisputeOpening{Invoice: f.text("invoice", true), Reason: f.text("reason", true),
			Note: f.text("note", false), Until: f.date("until", false)}
		if len(f.missing) > 0 {
			return nil
		}
		if err := d.ownInvoice(ctx, s, code, o.Invoice); err != nil {
			return err
		}
		_, err := s.OpenDispute(ctx, by, o)
		return err
	})(w, r)
}

func (d *dashboard) resolveDispute(w http.ResponseWriter, r *http.Request) error {
	return d.action("dispute_resolved", func(ctx context.Context, f *form, s *ledger.Store, by ledger.Act, code string) error {
		invoice, outcome := f.text("invoice", true), f.text("outcome", true)
		if len(f.missing) > 0 {
			return nil
		}
		if err := d.ownInvoice(ctx, s, code, invoice); err != nil {
			return err
		}
		_, err := s.ResolveDispute(ctx, by, invoice, outcome)
		return err
	})(w, r)
}

func (d *dashboard) recordPromise(w http.ResponseWriter, r *http.Request) error {
	return d.action("promise", func(ctx context.Context, f *form, s *ledger.Store, by ledger.Act, code string) error {
		req := ledger.PromiseRequest{Target: "client:" + code, PayBy: f.date("pay_by", true), Note: f.text("note", false)}
		if n := f.text("invoice", false); n != "" {
			req.Target = "invoice:" + n
		}
		if a := f.text("amount", false); a != "" {
			amount, err := money.Parse(a)
			if err != nil {
				f.missing = append(f.missing, "amount")
			}
			req.Amount = amount
		}
		if len(f.missing) > 0 {
			return nil
		}
		if n, ok := strings.CutPrefix(req.Target, "invoice:"); ok {
			if err := d.ownInvoice(ctx, s, code, n); err != nil {
				return err
			}
		}
		_, err := s.RecordPromise(ctx, by, req)
		return err
	})(w, r)
}

func (d *dashboard) pauseClient(w http.ResponseWriter, r *http.Request) error {
	return d.action("paused", func(ctx context.Context, f *form, s *ledger.Store, by ledger.Act, code string) error {
		reason, until := f.text("reason", true), f.date("until", false)
		if len(f.missing) > 0 {
			return nil
		}
		_, err := s.PauseClient(ctx, by, code, reason, until)
		return err
	})(w, r)
}

func (d *dashboard) resumeClient(w http.ResponseWriter, r *http.Request) error {
	return d.action("resumed", func(ctx context.Context, f *form, s *ledger.Store, by ledger.Act, code string) error {
		reason := f.text("reason", true)
		if len(f.missing) > 0 {
			return nil
		}
		_, err := s.ResumeClient(ctx, by, code, reason)
		return err
	})(w, r)
}

func (d *dashboard) recordInsolvency(w http.ResponseWriter, r *http.Request) error {
	return d.action("insolvency", func(ctx context.Context, f *form, s *ledger.Store, by ledger.Act, code string) error {
		in := ledger.Insolvency{Kind: f.text("kind", true), Opened: f.date("opened", true), Published: f.date("published", false)}
		switch in.Kind {
		case ledger.Sauvegarde, ledger.Redressement, ledger.Liquidation, "":
		default:
			f.missing = append(f.missing, "kind")
		}
		if len(f.missing) > 0 {
			return nil
		}
		return s.RecordInsolvency(ctx, by, code, in)
	})(w, r)
}

func (d *dashboard) clearBounce(w http.ResponseWriter, r *http.Request) error {
	return d.action("bounce_cleared", func(ctx context.Context, f *form, s *ledger.Store, by ledger.Act, code string) error {
		reason := f.text("reason", true)
		if len(f.missing) > 0 {
			return nil
		}
		return s.ClearBounce(ctx, by, code, reason)
	})(w, r)
}

// ownInvoice refuses an invoice of another client than the page's: a form
// posted to one client's page acts on that client's invoices only.
func (d *dashboard) ownInvoice(ctx context.Context, s *ledger.Store, code, number string) error {
	inv, err := s.Invoice(ctx, number)
	if err != nil {
		return err
	}
	if inv.Client != code {
		return fmt.Errorf("invoice %s belongs to client %s, not %s", number, inv.Client, code)
	}
	return nil
}
