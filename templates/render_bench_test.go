package templates

import "testing"

// BenchmarkRender renders the level 3 reminder (subject, text and HTML, with
// penalties) for two invoices: the per-message cost of the send worker.
func BenchmarkRender(b *testing.B) {
	set, err := Load("")
	if err != nil {
		b.Fatal(err)
	}
	msg := fixedMessage()
	b.ReportAllocs()
	for b.Loop() {
		r, err := set.Render("level3", msg)
		if err != nil {
			b.Fatal(err)
		}
		if r.HTML == "" {
			b.Fatal("empty HTML")
		}
	}
}
