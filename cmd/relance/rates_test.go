package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRatesInFrench(t *testing.T) {
	out, _, err := runCLI(t, nil, "rates", "--as-of", "2026-03-15")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Taux en vigueur le 15/03/2026 (semestre du 01/01/2026 au 30/06/2026)",
		"Taux de l'intérêt légal, autres cas (fr_legal)\n    2,62\u00a0% depuis le 01/01/2026, table connue jusqu'au 01/01/2026\n    source : arrêté du 15 décembre 2025, JORF du 26 décembre 2025\n",
		"3,75\u00a0% depuis le 18/12/2025, table connue jusqu'au 05/02/2026",
		"source : https://www.ecb.europa.eu/",
		"* FR  12,15\u00a0%  taux BCE au 01/01/2026 (2,15\u00a0%) + 10 points ; plancher d'un taux contractuel : 7,86\u00a0% (3 × 2,62\u00a0%)\n",
		// penalties.rule_set is empty by default: every rule set may apply.
		"* DE  10,27\u00a0%  Basiszinssatz au 01/01/2026 (1,27\u00a0%) + 9 points\n",
		"* UK  11,75\u00a0%  Bank Rate au 31/12/2025 (3,75\u00a0%) + 8 points, fixé",
		"* règles en usage : celles du pays de chaque client",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Manquant") || strings.Contains(out, "MANQUANT") {
		t.Errorf("2026 H1 is complete, yet:\n%s", out)
	}
}

// In the second half of 2026 the shipped tables stop short: every rule set
// is flagged, each missing table is named once, and the rates carried
// forward are still shown.
func TestRatesInEnglishNameTheMissingHalfYear(t *testing.T) {
	out, _, err := runCLI(t, []string{"RELANCE_LOCALE=en", "RELANCE_PENALTIES_RULE_SET=UK"}, "rates", "--as-of", "2026-09-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Rates in force on 2026-09-01 (half-year 2026-07-01 to 2026-12-31)",
		"  FR   12.15%  ECB rate on 2026-07-01 (2.15%) + 10 points; floor of a contractual rate: 7.86% (3 × 2.62%) – RATE MISSING\n",
		"* UK   11.75%  Bank Rate on 2026-06-30 (3.75%) + 8 points, fixed for the life of debts whose interest starts this half-year – RATE MISSING\n",
		"Missing: table uk_bank_rate has no rate for the half-year from 2026-07-01 (it needs the rate in force on 2026-06-30; the table is known up to 2026-02-05",
		"Missing: table fr_legal has no rate",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "Missing: table ecb_mro"); n != 1 {
		t.Errorf("ecb_mro named %d times:\n%s", n, out)
	}
}

func TestPlanCheckWarnsAboutAMissingRate(t *testing.T) {
	rates := filepath.Join(t.TempDir(), "rates.yaml")
	os.WriteFile(rates, []byte("fr_legal:\n  - {from: 2025-01-01, rate: \"3.71\"}\n"), 0o600)
	out, stderr, err := runCLI(t, []string{"RELANCE_PENALTIES_RATES_FILE=" + rates}, "plan", "check")
	if err != nil {
		t.Fatalf("a missing rate is a warning, not a failure: %v", err)
	}
	if !strings.Contains(out, "ok: 3 profile(s)") {
		t.Errorf("output:\n%s", out)
	}
	if !strings.Contains(stderr, "warning: penalty rates: FR rules: fr_legal has no entry for the half-year from 2025-07-01") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if _, stderr, _ := runCLI(t, nil, "plan", "check"); strings.Contains(stderr, "warning") {
		t.Errorf("the shipped tables cover the clock's half-year, yet:\n%s", stderr)
	}
}
