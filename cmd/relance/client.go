package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
)

func newClientCmd(a *app) *cobra.Command {
	var r recording
	cmd := &cobra.Command{
		Use:   "client",
		Short: "See and change clients: contacts, address, country, pauses, exclusion, insolvency, timeline",
		Long: `client shows and changes what relance knows of a debtor, and records what
stops its dunning: a pause (with a reason and an optional end), an exclusion
(until it is included again), an insolvency proceeding. Each change is kept
on the client's timeline with who made it (cli:<OS user>), when (--as-of,
the day it takes effect; today by default) and why.

The client's country picks its holiday calendar and, unless
penalties.rule_set fixes one, its late-penalty rules (FR, DE, GB → UK,
others → EU).`,
		Example: `  relance client list
  relance client show C042
  relance client set C042 --country DE --address "Hauptstraße 5" --postcode 10115 --city Berlin --locale en
  relance client pause C042 --reason "rachat en cours" --until 2025-10-31
  relance client exclude C042 --reason "grand compte suivi par le commercial"
  relance client timeline C042`,
	}
	r.registerEntity(cmd)
	cmd.AddCommand(newClientListCmd(a, &r), newClientShowCmd(a, &r), newClientSetCmd(a, &r),
		newClientPauseCmd(a, &r), newClientResumeCmd(a, &r), newClientExcludeCmd(a, &r), newClientIncludeCmd(a, &r),
		newClientClearBounceCmd(a, &r), newClientInsolvencyCmd(a, &r), newClientTimelineCmd(a, &r))
	return cmd
}

func newClientListCmd(a *app, r *recording) *cobra.Command {
	var state string
	cmd := &cobra.Command{
		Use:   "list [--state paused|excluded|bouncing|insolvent|overdue]",
		Short: "List the clients with their balance and what holds their dunning",
		Example: `  relance client list
  relance client list --state paused
  relance client list --state overdue --as-of 2025-09-30`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch state {
			case "", "paused", "excluded", "bouncing", "insolvent", "overdue":
			default:
				return fmt.Errorf("--state %q: want paused, excluded, bouncing, insolvent or overdue", state)
			}
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			list, err := s.store.Clients(cmd.Context(), s.day)
			if err != nil {
				return err
			}
			l := s.locale()
			w := table(a.stdout)
			fmt.Fprintln(w, say(l, "CODE\tNOM\tPAYS\tSOLDE\tÉCHU\tPROFIL\tNOTE\tÉTAT", "CODE\tNAME\tCOUNTRY\tBALANCE\tOVERDUE\tPROFILE\tSCORE\tSTATE"))
			for _, c := range list {
				in := map[string]bool{"": true, "paused": c.Paused, "excluded": c.Excluded, "bouncing": c.Bouncing,
					"insolvent": c.Insolvent, "overdue": c.Overdue > 0}
				if !in[state] {
					continue
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Code, c.Name, c.Country,
					fmtAmount(c.Balance, "", l), fmtAmount(c.Overdue, "", l), c.Profile, c.PayerScore, strings.Join(clientStates(c, l), ", "))
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&state, "state", "", "only the clients in this state")
	cmd.Flags().StringVar(&r.asOf, "as-of", "", "states and overdue on that day, YYYY-MM-DD (default: today)")
	return cmd
}

var stateFR = map[string]string{"paused": "en pause", "excluded": "exclu", "bouncing": "adresse en échec", "insolvent": "procédure collective"}

func clientStates(c ledger.ClientSummary, l string) []string {
	var out []string
	for _, s := range []struct {
		on   bool
		name string
	}{{c.Paused, "paused"}, {c.Excluded, "excluded"}, {c.Bouncing, "bouncing"}, {c.Insolvent, "insolvent"}} {
		if s.on {
			out = append(out, say(l, stateFR[s.name], s.name))
		}
	}
	return out
}

func newClientShowCmd(a *app, r *recording) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "show CLIENT",
		Short:   "Show everything recorded about a client, its open invoices and what holds them",
		Example: "  relance client show C042\n  relance client show C042 --as-of 2025-09-30",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.openLedger(ctx, *r)
			if err != nil {
				return err
			}
			defer s.close()
			c, err := s.store.Client(ctx, args[0], s.day)
			if err != nil {
				return err
			}
			e, err := s.store.Entity(ctx, c.Entity)
			if err != nil {
				return err
			}
			invoices, err := s.store.Invoices(ctx, c.Code, true)
			if err != nil {
				return err
			}
			disputes, err := s.store.Disputes(ctx, ledger.DisputeFilter{Client: c.Code, HoldingOn: s.day})
			if err != nil {
				return err
			}
			promises, err := s.store.Promises(ctx, c.Code)
			if err != nil {
				return err
			}
			printClient(a.stdout, s, c, e)
			printOpenItems(a.stdout, s, invoices, disputes, promises)
			return nil
		},
	}
	cmd.Flags().StringVar(&r.asOf, "as-of", "", "show its state on that day, YYYY-MM-DD (default: today)")
	return cmd
}

func printClient(out io.Writer, s *ledgerSession, c ledger.Client, e ledger.Entity) {
	l := s.locale()
	w := table(out)
	row := func(fr, en, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %s\t%s\n", say(l, fr, en), v)
		}
	}
	row("code", "code", c.Code)
	row("nom", "name", c.Name)
	row("pays", "country", c.Country)
	row("adresse", "address", strings.Join(c.Address.Lines(c.Country, e.Country, l), ", "))
	row("contact", "contact", c.Contact)
	row("téléphone", "phone", c.Phone)
	row("e-mails", "emails", strings.Join(c.Emails, ", "))
	row("copie", "cc", strings.Join(c.CC, ", "))
	row("SIREN", "SIREN", ledger.FormatSIREN(c.SIREN))
	row("SIRET", "SIRET", ledger.FormatSIREN(c.SIRET))
	row("TVA", "VAT", c.VAT)
	if c.CreditLimit != nil {
		row("encours max", "credit limit", fmtAmount(*c.CreditLimit, e.Currency, l))
	}
	row("segment", "segment", c.Segment)
	row("profil", "profile", c.Profile)
	row("langue", "locale", c.Locale)
	row("note de paiement", "payer score", c.PayerScore)
	row("solde", "balance", fmtAmount(c.Balance, e.Currency, l))
	row("échu", "overdue", fmtAmount(c.Overdue, e.Currency, l))
	if c.Paused {
		until := say(l, "sans fin", "until resumed")
		if !c.PausedUntil.IsZero() {
			until = say(l, "jusqu'au ", "until ") + fmtDay(c.PausedUntil, l)
		}
		row("pause", "paused", until)
	}
	if c.Excluded {
		row("exclu", "excluded", c.ExcludedReason)
	}
	if !c.BouncingSince.IsZero() {
		row("adresse en échec", "bouncing since", fmtDay(c.BouncingSince, l)+" ("+c.BounceReason+")")
	}
	if c.Insolvency.Kind != "" {
		v := c.Insolvency.Kind + say(l, ", ouverte le ", ", opened ") + fmtDay(c.Insolvency.Opened, l)
		if !c.Insolvency.Published.IsZero() {
			v += say(l, ", publiée le ", ", published ") + fmtDay(c.Insolvency.Published, l) +
				say(l, ", déclaration de créance avant le ", ", claim due by ") + fmtDay(c.Insolvency.ClaimDeadline(), l)
		}
		row("procédure collective", "insolvency", v)
	}
	_ = w.Flush()
}

func printOpenItems(out io.Writer, s *ledgerSession, invoices []ledger.Invoice, disputes []ledger.Dispute, promises []ledger.Promise) {
	l := s.locale()
	if len(invoices) == 0 {
		return
	}
	held := map[string]string{}
	for _, d := range disputes {
		held[d.Invoice] = say(l, "litige ", "dispute ") + s.cfg.DisputeLabel(d.Reason, l)
	}
	for _, p := range promises {
		if p.Status == ledger.PromiseOpen && !p.PromisedOn.After(s.day) && !p.Until.Before(s.day) {
			for _, n := range p.Invoices {
				if held[n] == "" {
					held[n] = say(l, "promesse jusqu'au ", "promise until ") + fmtDay(p.Until, l)
				}
			}
		}
	}
	fmt.Fprintln(out)
	w := table(out)
	fmt.Fprintln(w, say(l, "FACTURE\tÉCHÉANCE\tMONTANT\tRESTE DÛ\tSUSPENDUE", "INVOICE\tDUE\tAMOUNT\tOUTSTANDING\tHELD"))
	for _, i := range invoices {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", i.Number, fmtDay(i.Due, l), fmtAmount(i.Amount, i.Currency, l),
			fmtAmount(i.Outstanding, i.Currency, l), held[i.Number])
	}
	_ = w.Flush()
}

// clientFlags are the fields `client set` takes.
type clientFlags struct {
	name, country, postcode, city, contact, phone string
	address                                       []string
	emails, cc                                    string
	siren, siret, vat, creditLimit                string
	segment, profile, locale                      string
}

func (f *clientFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.name, "name", "", "company name")
	fs.StringVar(&f.country, "country", "", "ISO country code: holidays and default penalty rules (FR, DE, GB…)")
	fs.StringArrayVar(&f.address, "address", nil, "an address `LINE` (street; give it twice for a second line)")
	fs.StringVar(&f.postcode, "postcode", "", "postcode")
	fs.StringVar(&f.city, "city", "", "city")
	fs.StringVar(&f.contact, "contact", "", "the person reminders are for")
	fs.StringVar(&f.phone, "phone", "", "phone")
	fs.StringVar(&f.emails, "email", "", "To: addresses, separated by ; or , (replaces the list; \"\" empties it)")
	fs.StringVar(&f.cc, "cc", "", "Cc: addresses, separated by ; or ,")
	fs.StringVar(&f.siren, "siren", "", "SIREN, 9 digits")
	fs.StringVar(&f.siret, "siret", "", "SIRET, 14 digits (gives the SIREN when none is set)")
	fs.StringVar(&f.vat, "vat", "", "intra-community VAT number")
	fs.StringVar(&f.creditLimit, "credit-limit", "", "authorised outstanding (encours max), e.g. \"50 000,00\"; \"\" for none")
	fs.StringVar(&f.segment, "segment", "", "segment, for plan assignment rules")
	fs.StringVar(&f.profile, "profile", "", "plan profile (standard, key_account, risky…); \"\" lets the rules choose")
	fs.StringVar(&f.locale, "locale", "", "language of its messages: fr or en; \"\" for the entity's")
}

// apply copies the flags given on the command line onto c.
func (f *clientFlags) apply(fs *pflag.FlagSet, c *ledger.Client) error {
	set := func(name string, dst *string, v string) { setChanged(fs, name, dst, v) }
	set("name", &c.Name, f.name)
	set("country", &c.Country, f.country)
	set("postcode", &c.Address.Postcode, f.postcode)
	set("city", &c.Address.City, f.city)
	set("contact", &c.Contact, f.contact)
	set("phone", &c.Phone, f.phone)
	set("siren", &c.SIREN, f.siren)
	set("siret", &c.SIRET, f.siret)
	set("vat", &c.VAT, f.vat)
	set("segment", &c.Segment, f.segment)
	set("profile", &c.Profile, f.profile)
	set("locale", &c.Locale, f.locale)
	if fs.Changed("address") {
		c.Address.Line1, c.Address.Line2 = addressLines(f.address)
	}
	if fs.Changed("email") {
		c.Emails = []string{f.emails}
	}
	if fs.Changed("cc") {
		c.CC = []string{f.cc}
	}
	if fs.Changed("credit-limit") {
		c.CreditLimit = nil
		if strings.TrimSpace(f.creditLimit) != "" {
			v, err := money.Parse(f.creditLimit)
			if err != nil {
				return fmt.Errorf("--credit-limit: %w", err)
			}
			c.CreditLimit = &v
		}
	}
	return nil
}

func newClientSetCmd(a *app, r *recording) *cobra.Command {
	var f clientFlags
	cmd := &cobra.Command{
		Use:   "set CLIENT [--country …] [--email …] …",
		Short: "Change a client's contacts, address, country, identifiers, credit limit, profile or language",
		Long: `client set changes only the fields given; "" empties one. Emails are
checked one by one (net/mail) and may be given as the ERP writes them:
"compta@martin.fr; Paul Martin <paul@martin.fr>". The change is kept on the
client's timeline with the fields it touched.`,
		Example: `  relance client set C042 --email "compta@martin.fr; paul@martin.fr" --cc credit@durand.fr
  relance client set DE01 --country DE --locale en --address "Hauptstraße 5" --postcode 10115 --city Berlin
  relance client set C042 --siret "732 829 320 00017" --credit-limit "50 000,00" --profile key_account`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.openLedger(ctx, *r)
			if err != nil {
				return err
			}
			defer s.close()
			if cmd.Flags().Changed("profile") && f.profile != "" {
				set, err := loadPlans(s.cfg)
				if err != nil {
					return err
				}
				if set.Profile(f.profile) == nil {
					var names []string
					for _, p := range set.Profiles {
						names = append(names, p.Name)
					}
					return fmt.Errorf("--profile %q: no such plan profile (have %s)", f.profile, strings.Join(names, ", "))
				}
			}
			c, err := s.store.SetClient(ctx, a.act(s.day), args[0], func(c *ledger.Client) error {
				return f.apply(cmd.Flags(), c)
			})
			if err != nil {
				return err
			}
			e, err := s.store.Entity(ctx, c.Entity)
			if err != nil {
				return err
			}
			printClient(a.stdout, s, c, e)
			return nil
		},
	}
	f.register(cmd.Flags())
	r.registerAsOf(cmd)
	return cmd
}

func newClientPauseCmd(a *app, r *recording) *cobra.Command {
	var reason, until string
	cmd := &cobra.Command{
		Use:   "pause CLIENT --reason TEXT [--until DATE]",
		Short: "Stop every message and action for a client, from --as-of to --until or until resumed",
		Long: `client pause holds all of a client's dunning (messages and actions) from the
day it takes effect (--as-of, today by default) through --until, or until
` + "`client resume`" + `. The ladder then resumes where it stopped.`,
		Example: `  relance client pause C042 --reason "rachat en cours" --until 2025-10-31
  relance client pause C042 --reason "échéancier négocié" --as-of 2025-09-15`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			end, err := parseDay("until", until)
			if err != nil {
				return err
			}
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			p, err := s.store.PauseClient(cmd.Context(), a.act(s.day), args[0], reason, end)
			if err != nil {
				return err
			}
			l := s.locale()
			msg := say(l, "%s en pause à partir du %s", "%s paused from %s")
			if !p.Until.IsZero() {
				msg += say(l, " jusqu'au ", " until ") + fmtDay(p.Until, l)
			}
			fmt.Fprintf(a.stdout, msg+"\n", args[0], fmtDay(p.From, l))
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (kept on the timeline)")
	cmd.Flags().StringVar(&until, "until", "", "last day of the pause, YYYY-MM-DD (default: until resumed)")
	_ = cmd.MarkFlagRequired("reason")
	r.registerAsOf(cmd)
	return cmd
}

// newClientSimpleCmd builds the state commands that take a client and a
// reason and say what they did.
func newClientSimpleCmd(a *app, r *recording, use, short, long, example, done string, reasonRequired bool,
	run func(ctx context.Context, s *ledgerSession, client, reason string) error) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use: use, Short: short, Long: long, Example: example,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			if err := run(cmd.Context(), s, args[0], reason); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, done+"\n", args[0], fmtDay(s.day, s.locale()))
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (kept on the timeline)")
	if reasonRequired {
		_ = cmd.MarkFlagRequired("reason")
	}
	r.registerAsOf(cmd)
	return cmd
}

func newClientResumeCmd(a *app, r *recording) *cobra.Command {
	return newClientSimpleCmd(a, r, "resume CLIENT [--reason TEXT]", "End a client's pause: dunning resumes where it stopped",
		"client resume ends, on --as-of (today by default), the pause in force; a pause recorded for later days is cancelled.",
		"  relance client resume C042 --reason \"accord trouvé\"", "%s: pause ended on %s", false,
		func(ctx context.Context, s *ledgerSession, client, reason string) error {
			_, err := s.store.ResumeClient(ctx, a.act(s.day), client, reason)
			return err
		})
}

func newClientExcludeCmd(a *app, r *recording) *cobra.Command {
	return newClientSimpleCmd(a, r, "exclude CLIENT --reason TEXT", "Take a client out of dunning altogether, until included again",
		`client exclude stops every message and action for the client from --as-of
(today by default) until `+"`client include`"+`: a key account followed by hand,
a group company.`,
		"  relance client exclude C042 --reason \"grand compte suivi par le commercial\"", "%s: excluded from %s", true,
		func(ctx context.Context, s *ledgerSession, client, reason string) error {
			_, err := s.store.ExcludeClient(ctx, a.act(s.day), client, reason)
			return err
		})
}

func newClientIncludeCmd(a *app, r *recording) *cobra.Command {
	return newClientSimpleCmd(a, r, "include CLIENT --reason TEXT", "Put an excluded client back into dunning",
		"client include ends the client's exclusion on --as-of (today by default).",
		"  relance client include C042 --reason \"retour au suivi normal\"", "%s: included again from %s", true,
		func(ctx context.Context, s *ledgerSession, client, reason string) error {
			return s.store.IncludeClient(ctx, a.act(s.day), client, reason)
		})
}

func newClientClearBounceCmd(a *app, r *recording) *cobra.Command {
	return newClientSimpleCmd(a, r, "clear-bounce CLIENT [--reason TEXT]", "Lift the bouncing mark of a client's address once it is fixed",
		`A permanent rejection of the client's address (5xx on RCPT TO) marks it
bouncing, and no email step is decided for it. Fix the address (client set
--email), then clear the mark: email steps are decided again from the next
sweep.`,
		"  relance client set C042 --email compta@martin.fr\n  relance client clear-bounce C042 --reason \"nouvelle adresse\"",
		"%s: bounce cleared on %s", false,
		func(ctx context.Context, s *ledgerSession, client, reason string) error {
			return s.store.ClearBounce(ctx, a.act(s.day), client, reason)
		})
}

func newClientInsolvencyCmd(a *app, r *recording) *cobra.Command {
	var kind, opened, published string
	cmd := &cobra.Command{
		Use:   "insolvency CLIENT --kind sauvegarde|redressement|liquidation --opened DATE [--published DATE]",
		Short: "Record a client's insolvency proceeding (procédure collective): dunning and penalties freeze",
		Long: `client insolvency records the judgment opening a proceeding. From --opened,
no message or action goes to the client and penalties stop accruing. The
next sweep makes every invoice issued before the opening doubtful, whatever
its age: the 411 → 416 reclassification and a provision at
provision.insolvency_rate (100% by default, tax-deductible), see relance
provisions. Once the BODACC publication is known (--published, which may be
recorded later by running the command again), the sweep creates the
claim-declaration task, due two months after the publication (the next
business day when that is a day off); relance tasks shows the amount to
declare and relance claim prints it and lays out the declaration.`,
		Example: `  relance client insolvency C042 --kind redressement --opened 2025-10-02
  relance client insolvency C042 --kind redressement --opened 2025-10-02 --published 2025-10-15`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := ledger.Insolvency{Kind: kind}
			var err error
			if in.Opened, err = parseDay("opened", opened); err != nil {
				return err
			}
			if in.Published, err = parseDay("published", published); err != nil {
				return err
			}
			s, err := a.openLedger(cmd.Context(), *r)
			if err != nil {
				return err
			}
			defer s.close()
			if err := s.store.RecordInsolvency(cmd.Context(), a.act(s.day), args[0], in); err != nil {
				return err
			}
			l := s.locale()
			fmt.Fprintf(a.stdout, say(l, "%s : %s ouverte le %s", "%s: %s opened %s")+"\n", args[0], kind, fmtDay(in.Opened, l))
			if !in.Published.IsZero() {
				fmt.Fprintf(a.stdout, say(l, "déclaration de créance avant le %s", "claim to declare by %s")+"\n", fmtDay(in.ClaimDeadline(), l))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "sauvegarde, redressement or liquidation")
	cmd.Flags().StringVar(&opened, "opened", "", "date of the opening judgment, YYYY-MM-DD")
	cmd.Flags().StringVar(&published, "published", "", "date of the BODACC publication, YYYY-MM-DD")
	_ = cmd.MarkFlagRequired("kind")
	_ = cmd.MarkFlagRequired("opened")
	r.registerAsOf(cmd)
	return cmd
}
