package preview

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// The text preview of the seeded portfolio over four days, in French (step
// labels, channels and dates the French way) and in English (the plan's
// names, ISO dates).
func TestWriteTextGolden(t *testing.T) {
	rep, set, _ := previewSeed(t, `
INSERT INTO client (entity_id, code, name, country) VALUES (1, 'C7', 'Eta SARL', 'FR');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
SELECT 1, id, 'H-1', '2025-07-01', '2025-08-01', 90000 FROM client WHERE code = 'C7';
INSERT INTO client (entity_id, code, name, country, emails) VALUES (1, 'C8', 'Theta SAS', 'FR', '{compta@theta.example}');
INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
SELECT 1, id, 'T-1', '2025-07-01', '2025-08-01', 70000 FROM client WHERE code = 'C8';
INSERT INTO pause (client_id, kind, from_on, until, reason, created_by) SELECT id, 'pause', '2025-09-01', '2025-09-30', 'congés', 'test' FROM client WHERE code = 'C8';`)
	for _, locale := range []string{"fr", "en"} {
		var b bytes.Buffer
		if err := WriteText(&b, rep, locale, set); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "preview_"+locale+".txt.golden")
		if *update {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test -update writes it)", err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", locale, path, b.Bytes(), want)
		}
	}
}
