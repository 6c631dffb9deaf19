package bodacc

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/relance/relance/internal/ledger"
)

// Actor is who records what a BODACC import finds (ledger.Act).
const Actor = "import:bodacc"

// Ledger is what Apply needs of the ledger (*ledger.Store).
type Ledger interface {
	DebtorsBySIREN(ctx context.Context, sirens []string) ([]ledger.Debtor, error)
	RecordInsolvency(ctx context.Context, by ledger.Act, code string, in ledger.Insolvency) error
}

// Change is one client whose proceeding an import recorded or changed.
type Change struct {
	Client   string
	SIREN    string
	Debtor   string // the name the BODACC gives
	What     string // recorded, converted (a later judgment's kind), published (the publication now known)
	Before   ledger.Insolvency
	After    ledger.Insolvency
	NoticeID string // the notice that decided it
	Line     int
}

// Outcome says what Apply did.
type Outcome struct {
	Openings  int // notices of a judgment opening a proceeding
	Matched   int // clients named by one of them
	Unchanged int // of Matched, those whose proceeding was already recorded as the file says
	Changes   []Change
}

// severity orders the kinds: a conversion only ever goes up.
var severity = map[string]int{ledger.Sauvegarde: 1, ledger.Redressement: 2, ledger.Liquidation: 3}

// Apply matches the openings among notices to the store's clients by
// SIREN, in one query, and records each client's proceeding through l,
// with by's day and actor (Actor): a client without one gets the kind, the
// judgment's date as the opening and the publication; a client with one
// keeps its opening, takes a later judgment's kind when more severe (a
// redressement converted to liquidation) and its publication when it had
// none. Nothing else changes, so the same notices again change nothing.
func Apply(ctx context.Context, l Ledger, notices []Notice, by ledger.Act) (Outcome, error) {
	var out Outcome
	bySIREN := map[string][]Notice{}
	for _, n := range notices {
		if n.Kind == "" {
			continue
		}
		out.Openings++
		for _, s := range n.SIRENs {
			bySIREN[s] = append(bySIREN[s], n)
		}
	}
	if len(bySIREN) == 0 {
		return out, nil
	}
	sirens := make([]string, 0, len(bySIREN))
	for s := range bySIREN {
		sirens = append(sirens, s)
	}
	sort.Strings(sirens)
	debtors, err := l.DebtorsBySIREN(ctx, sirens)
	if err != nil {
		return out, fmt.Errorf("bodacc: %w", err)
	}
	for _, d := range debtors {
		out.Matched++
		c, changed := decide(d, bySIREN[d.SIREN])
		if !changed {
			out.Unchanged++
			continue
		}
		if err := l.RecordInsolvency(ctx, by, d.Code, c.After); err != nil {
			return out, fmt.Errorf("bodacc: notice %s (line %d): %w", c.NoticeID, c.Line, err)
		}
		out.Changes = append(out.Changes, c)
	}
	return out, nil
}

// decide folds a client's notices, oldest judgment first, over what the
// ledger has, and says what changes.
func decide(d ledger.Debtor, notices []Notice) (Change, bool) {
	sort.SliceStable(notices, func(i, j int) bool {
		if !notices[i].Judgment.Equal(notices[j].Judgment) {
			return notices[i].Judgment.Before(notices[j].Judgment)
		}
		return notices[i].Published.Before(notices[j].Published)
	})
	c := Change{Client: d.Code, SIREN: d.SIREN, Before: d.Insolvency, After: d.Insolvency}
	cur := &c.After
	for _, n := range notices {
		what := ""
		switch {
		case cur.Kind == "":
			*cur = ledger.Insolvency{Kind: n.Kind, Opened: n.Judgment, Published: n.Published}
			what = "recorded"
		case n.Judgment.Before(cur.Opened):
			continue // the ledger's proceeding opened later: a person recorded it, leave it
		case severity[n.Kind] > severity[cur.Kind]:
			cur.Kind = n.Kind
			what = "converted"
		case cur.Published.IsZero() && n.Judgment.Equal(cur.Opened) && !n.Published.Before(cur.Opened):
			cur.Published = n.Published
			what = "published"
		default:
			continue
		}
		if c.What == "" || c.What == "published" {
			c.What = what
		}
		c.Debtor, c.NoticeID, c.Line = n.Debtor, n.ID, n.Line
	}
	return c, !sameInsolvency(c.Before, c.After)
}

func sameInsolvency(a, b ledger.Insolvency) bool {
	return a.Kind == b.Kind && a.Opened.Equal(b.Opened) && a.Published.Equal(b.Published)
}

// ClaimDeadline is when the claim of a change must be declared by.
func (c Change) ClaimDeadline() time.Time { return c.After.ClaimDeadline() }
