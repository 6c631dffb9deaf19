package ledger

import (
	"testing"

	"github.com/relance/relance/internal/money"
)

// What a re-import says of the client of a row it leaves out (ClientSaid)
// is what a staged row's COPY stages of it, hashed as the clientSayings
// that number them hash it and as the pgx path hashed the boxed values
// (pgxSaidHash): the client's said hash compares the one with the other.
func TestClientSaidIsWhatTheRowStages(t *testing.T) {
	s := func(v string) *string { return &v }
	limit := money.Amount(500000)
	rows := []BatchInvoice{
		{Number: "F-1", ClientCode: "C1"},
		{Number: "F-2", ClientCode: "C2", Client: ClientPatch{Name: s("Beta"), Emails: &[]string{"a@b.fr", "c@b.fr"},
			CC: &[]string{"d@b.fr"}, Locale: s("fr"), Profile: s("pme"), Segment: s("s"), Country: s("BE"),
			Line1: s("1 rue"), Line2: s("bis"), Postcode: s("1000"), City: s("Bruxelles"), Contact: s("M. B"),
			Phone: s("02"), SIREN: s("1"), SIRET: s("2"), VAT: s("BE0"), CreditLimit: &limit}},
	}
	for _, r := range rows {
		got := r.ClientSaid()
		if got.Client != r.Client || got.Code != r.ClientCode {
			t.Errorf("%s: ClientSaid %+v, the row says %+v", r.Number, got.Client, r.Client)
		}
		var said clientSayings
		said.id(r.ClientCode, &r.Client)
		if h := said.pending[0].hash; h != got.Hash {
			t.Errorf("%s: ClientSaid's hash %v, the row's staged hash %v", r.Number, got.Hash, h)
		}
		if h := pgxSaidHash(pgxSaidFields(&r.Client)); h != got.Hash {
			t.Errorf("%s: ClientSaid's hash %v, the pgx path's %v", r.Number, got.Hash, h)
		}
	}
	if rows[0].ClientSaid().Hash == rows[1].ClientSaid().Hash {
		t.Error("two rows saying different things of their clients have the same hash")
	}
}
