package ledger_test

import (
	"context"
	"testing"
	"time"
)

func TestPauseResumeExcludeInclude(t *testing.T) {
	f, s := newFixture(t)
	ctx := context.Background()
	id := f.client("C1")
	p, err := s.PauseClient(ctx, by("2025-09-05"), "C1", "rachat en cours", d("2025-09-30"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Covers(d("2025-09-05")) || !p.Covers(d("2025-09-30")) || p.Covers(d("2025-10-01")) || p.Covers(d("2025-09-04")) {
		t.Errorf("pause %+v covers the wrong days", p)
	}
	_, err = s.PauseClient(ctx, by("2025-09-10"), "C1", "encore", time.Time{})
	wantErr(t, err, "ledger: pause client C1", "already paused from 2025-09-05 until 2025-09-30 (rachat en cours)")
	if _, err := s.ResumeClient(ctx, by("2025-09-12"), "C1", "accord trouvé"); err != nil {
		t.Fatal(err)
	}
	c, _ := s.Client(ctx, "C1", d("2025-09-11"))
	if !c.Paused || !c.PausedUntil.Equal(d("2025-09-30")) {
		t.Errorf("on 09-11 (before the resumption): %+v", c)
	}
	if c, _ = s.Client(ctx, "C1", d("2025-09-12")); c.Paused {
		t.Error("still paused the day it was resumed")
	}
	_, err = s.ResumeClient(ctx, by("2025-09-13"), "C1", "again")
	wantErr(t, err, "not paused on 2025-09-13")

	if _, err := s.ExcludeClient(ctx, by("2025-09-15"), "C1", "grand compte suivi par le commercial"); err != nil {
		t.Fatal(err)
	}
	_, err = s.ExcludeClient(ctx, by("2025-09-16"), "C1", "again")
	wantErr(t, err, "already excluded from 2025-09-15")
	if c, _ = s.Client(ctx, "C1", d("2025-09-16")); !c.Excluded || c.ExcludedReason != "grand compte suivi par le commercial" {
		t.Errorf("not excluded: %+v", c)
	}
	if err := s.IncludeClient(ctx, by("2025-10-01"), "C1", "retour en relance"); err != nil {
		t.Fatal(err)
	}
	if c, _ = s.Client(ctx, "C1", d("2025-10-01")); c.Excluded {
		t.Error("still excluded")
	}
	wantErr(t, s.IncludeClient(ctx, by("2025-10-02"), "C1", "x"), "not excluded")
	ps, err := s.Pauses(ctx, "C1")
	if err != nil || len(ps) != 2 || ps[0].Kind != "pause" || !ps[0].ResumedOn.Equal(d("2025-09-12")) ||
		ps[1].Kind != "exclusion" || !ps[1].ResumedOn.Equal(d("2025-10-01")) || ps[1].ResumedBy != "cli:alice" {
		t.Errorf("pauses %+v, %v", ps, err)
	}
	want := []string{
		"client_paused cli:alice 2025-09-05 rachat en cours",
		"client_resumed cli:alice 2025-09-12 accord trouvé",
		"client_excluded cli:alice 2025-09-15 grand compte suivi par le commercial",
		"client_included cli:alice 2025-10-01 retour en relance",
	}
	got := f.events(id)
	if len(got) != len(want) {
		t.Fatalf("events %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: %q, want %q", i, got[i], want[i])
		}
	}
	wantErr(t, func() error { _, err := s.PauseClient(ctx, by("2025-09-05"), "C1", "", time.Time{}); return err }(), "reason is required")
}
