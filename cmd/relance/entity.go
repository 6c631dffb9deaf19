package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/relance/relance/internal/ledger"
)

func newEntityCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "entity",
		Short: "Add, change and list entities: the creditor companies named on every reminder",
		Long: `An entity is a company that invoices: its name, postal address, SIREN, VAT
number and IBAN are printed on every email and registered letter, and every
client, invoice and payment belongs to one. A database starts with the entity
"default"; a group holds several (--parent).

Every command works in the configured entity (entity: in the config file, or
RELANCE_ENTITY), or the one --entity names; it must exist.`,
		Example: `  relance entity add acme --name "Acme Industrie SAS" --siren "732 829 320" \
      --address "12 rue des Tanneurs" --postcode 69002 --city Lyon \
      --iban "FR76 3000 6000 0112 3456 7890 189" --email compta@acme.example
  relance entity set acme --phone "04 72 00 00 00"
  relance entity list
  RELANCE_ENTITY=acme relance client list`,
	}
	cmd.AddCommand(newEntityListCmd(a), newEntityShowCmd(a), newEntityAddCmd(a), newEntitySetCmd(a))
	return cmd
}

// entityFlags are the fields `entity add` and `entity set` take.
type entityFlags struct {
	name, parent, country, locale, currency string
	address                                 []string
	postcode, city                          string
	siren, vat, iban, bic, email, phone     string
	letterChannel                           string
}

func (f *entityFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.name, "name", "", "legal name, e.g. \"Atelier Durand SAS\"")
	fs.StringVar(&f.parent, "parent", "", "the group's entity `CODE` (\"\" for none)")
	fs.StringVar(&f.country, "country", "", "ISO country code [FR]")
	fs.StringVar(&f.locale, "locale", "", "language of its messages when a client has none: fr or en [fr]")
	fs.StringVar(&f.currency, "currency", "", "ISO currency code [EUR]")
	fs.StringArrayVar(&f.address, "address", nil, "an address `LINE` (street; give it twice for a second line)")
	fs.StringVar(&f.postcode, "postcode", "", "postcode")
	fs.StringVar(&f.city, "city", "", "city")
	fs.StringVar(&f.siren, "siren", "", "SIREN, 9 digits (spaces allowed)")
	fs.StringVar(&f.vat, "vat", "", "intra-community VAT number, e.g. FR44732829320")
	fs.StringVar(&f.iban, "iban", "", "IBAN printed on reminders for payment by transfer")
	fs.StringVar(&f.bic, "bic", "", "BIC of that account")
	fs.StringVar(&f.email, "email", "", "contact address printed on messages (else mail.reply_to)")
	fs.StringVar(&f.phone, "phone", "", "contact phone printed on messages")
	fs.StringVar(&f.letterChannel, "letter-channel", "", "how its registered letters leave: outbox (PDF + manifest for a person to post) or webhook (POSTed to letters.webhook.url) [outbox]")
}

// apply copies the flags given on the command line onto e.
func (f *entityFlags) apply(fs *pflag.FlagSet, e *ledger.Entity) {
	set := func(name string, dst *string, v string) { setChanged(fs, name, dst, v) }
	set("name", &e.Name, f.name)
	set("parent", &e.Parent, f.parent)
	set("country", &e.Country, f.country)
	set("locale", &e.Locale, f.locale)
	set("currency", &e.Currency, f.currency)
	set("postcode", &e.Address.Postcode, f.postcode)
	set("city", &e.Address.City, f.city)
	set("siren", &e.SIREN, f.siren)
	set("vat", &e.VAT, f.vat)
	set("iban", &e.IBAN, f.iban)
	set("bic", &e.BIC, f.bic)
	set("email", &e.Email, f.email)
	set("phone", &e.Phone, f.phone)
	set("letter-channel", &e.LetterChannel, f.letterChannel)
	if fs.Changed("address") {
		e.Address.Line1, e.Address.Line2 = addressLines(f.address)
	}
}

// setChanged copies a flag's value to dst when it was given on the command
// line: `set` commands change only what they are told to.
func setChanged(fs *pflag.FlagSet, name string, dst *string, v string) {
	if fs.Changed(name) {
		*dst = v
	}
}

// addressLines reads up to two --address lines.
func addressLines(lines []string) (string, string) {
	switch len(lines) {
	case 0:
		return "", ""
	case 1:
		return lines[0], ""
	}
	return lines[0], strings.Join(lines[1:], ", ")
}

func newEntityAddCmd(a *app) *cobra.Command {
	var f entityFlags
	r := recording{entities: true}
	cmd := &cobra.Command{
		Use:   "add CODE --name NAME",
		Short: "Create an entity",
		Long: `entity add creates an entity: CODE is what --entity and RELANCE_ENTITY name
(a word: letters, digits, - or _). Identifiers are checked (SIREN and SIRET
keys, the French VAT key, IBAN check digits) and stored without spaces.`,
		Example: `  relance entity add acme --name "Acme Industrie SAS" --siren "732 829 320" --vat FR44732829320 \
      --address "12 rue des Tanneurs" --postcode 69002 --city Lyon --email compta@acme.example
  relance entity add acme-de --name "Acme GmbH" --parent acme --country DE --locale en`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openLedger(cmd.Context(), r)
			if err != nil {
				return err
			}
			defer s.close()
			e := ledger.Entity{Code: args[0]}
			f.apply(cmd.Flags(), &e)
			e, err = s.store.AddEntity(cmd.Context(), a.act(s.day), e)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, say(s.locale(), "entité créée :", "entity added:"))
			printEntity(a.stdout, e, s.locale())
			a.warnLetterChannel(e, s)
			return nil
		},
	}
	f.register(cmd.Flags())
	r.registerAsOf(cmd)
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func newEntitySetCmd(a *app) *cobra.Command {
	var f entityFlags
	r := recording{entities: true}
	cmd := &cobra.Command{
		Use:   "set CODE [--name …] [--address …] …",
		Short: "Change an entity's name, address, identifiers or contacts",
		Long: `entity set changes only the fields given; "" empties one (--vat "").
The change is recorded in the event trail with who made it.`,
		Example: `  relance entity set default --name "Atelier Durand SAS" --siren "732 829 320" --iban "FR76 3000 6000 0112 3456 7890 189"
  relance entity set acme --address "12 rue des Tanneurs" --address "Bâtiment B" --postcode 69002 --city Lyon
  relance entity set acme --letter-channel webhook   # formal notices go to letters.webhook.url`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openLedger(cmd.Context(), r)
			if err != nil {
				return err
			}
			defer s.close()
			e, err := s.store.SetEntity(cmd.Context(), a.act(s.day), args[0], func(e *ledger.Entity) error {
				f.apply(cmd.Flags(), e)
				return nil
			})
			if err != nil {
				return err
			}
			printEntity(a.stdout, e, s.locale())
			a.warnLetterChannel(e, s)
			return nil
		},
	}
	f.register(cmd.Flags())
	r.registerAsOf(cmd)
	return cmd
}

// warnLetterChannel says when an entity sends its letters by webhook while
// no provider is configured: they would wait until one is.
func (a *app) warnLetterChannel(e ledger.Entity, s *ledgerSession) {
	if e.LetterChannel == ledger.LetterWebhook && s.cfg.Letters.Webhook.URL == "" {
		fmt.Fprintln(a.stderr, say(s.locale(),
			"attention : letters.webhook.url n'est pas configurée ; les courriers de "+e.Code+" attendront qu'elle le soit",
			"warning: letters.webhook.url is not set; "+e.Code+"'s letters will wait until it is"))
	}
}

func newEntityListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List the entities",
		Example: "  relance entity list",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.openLedger(cmd.Context(), recording{entities: true})
			if err != nil {
				return err
			}
			defer s.close()
			all, err := s.store.Entities(cmd.Context())
			if err != nil {
				return err
			}
			l := s.locale()
			w := table(a.stdout)
			fmt.Fprintln(w, say(l, "CODE\tNOM\tGROUPE\tPAYS\tDEVISE\tSIREN", "CODE\tNAME\tGROUP\tCOUNTRY\tCURRENCY\tSIREN"))
			for _, e := range all {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Code, e.Name, e.Parent, e.Country, e.Currency, ledger.FormatSIREN(e.SIREN))
			}
			return w.Flush()
		},
	}
}

func newEntityShowCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "show CODE",
		Short:   "Show everything recorded about an entity",
		Example: "  relance entity show acme",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openLedger(cmd.Context(), recording{entities: true})
			if err != nil {
				return err
			}
			defer s.close()
			e, err := s.store.Entity(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			printEntity(a.stdout, e, s.locale())
			return nil
		},
	}
}

func printEntity(out io.Writer, e ledger.Entity, l string) {
	w := table(out)
	row := func(fr, en, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %s\t%s\n", say(l, fr, en), v)
		}
	}
	row("code", "code", e.Code)
	row("nom", "name", e.Name)
	row("groupe", "group", e.Parent)
	row("adresse", "address", strings.Join(e.Address.Lines(e.Country, "", l), ", "))
	row("pays", "country", e.Country)
	row("langue", "locale", e.Locale)
	row("devise", "currency", e.Currency)
	row("SIREN", "SIREN", ledger.FormatSIREN(e.SIREN))
	row("TVA", "VAT", e.VAT)
	row("IBAN", "IBAN", ledger.FormatIBAN(e.IBAN))
	row("BIC", "BIC", e.BIC)
	row("e-mail", "email", e.Email)
	row("téléphone", "phone", e.Phone)
	row("courriers recommandés", "registered letters", e.LetterChannel)
	_ = w.Flush()
}
