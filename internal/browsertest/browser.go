package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds each browser test's whole conversation with Chromium.
const Timeout = 90 * time.Second

// Chromium returns the browser's path: $CHROMIUM when set, else chromium
// or chromium-browser on PATH. A missing browser fails t.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("browsertest: chromium not found: run `make deps-browser` (apt-get install chromium) or set CHROMIUM")
	return ""
}

// New starts a headless Chromium with a profile of its own for t, asking
// for French pages (Accept-Language: fr-FR), and returns the context of its
// first tab; the browser ends with the test.
func New(t testing.TB) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// relance's users are French: pages come in French, as the
		// configured locale would give them.
		chromedp.Flag("lang", "fr-FR"),
		chromedp.Flag("accept-lang", "fr-FR,fr"),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, Timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("browsertest: start chromium: %v", err)
	}
	return ctx
}

// Tab opens another tab of the browser of ctx (for a second user, open a
// second New: tabs share cookies).
func Tab(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	return tab
}

// Login logs email in through base's login form and waits for the page it
// lands on: the page asked for, or the form again with its error.
func Login(t testing.TB, ctx context.Context, base, email, password string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
	)
	if err == nil {
		err = waitJS(ctx, `document.readyState === "complete" &&
			(location.pathname !== "/login" || document.querySelector("[role=alert]") !== null)`)
	}
	if err != nil {
		t.Fatalf("browsertest: log %s in at %s: %v", email, base, err)
	}
}

// Navigate opens url and waits for its body.
func Navigate(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("browsertest: open %s: %v", url, err)
	}
}

// Click clicks the first element matching the CSS selector sel (a box to
// tick) with the mouse, as a person would: it must be visible.
func Click(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("browsertest: click %s: %v", sel, err)
	}
}

// Follow clicks the first element matching sel (a link, a bar of a chart,
// a form's button) and waits for the page it leads to: a new document,
// loaded, whether its address changed or not.
func Follow(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.browsertestLeft = true`))
	if err == nil {
		err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel)))
	}
	if err == nil {
		err = waitJS(ctx, `window.browsertestLeft === undefined && document.readyState === "complete"`)
	}
	if err != nil {
		t.Fatalf("browsertest: follow %s: %v", sel, err)
	}
}

// SetValue sets the value of the field matching sel (an input, a select).
func SetValue(t testing.TB, ctx context.Context, sel, value string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(sel), value)); err != nil {
		t.Fatalf("browsertest: set %s to %q: %v", sel, value, err)
	}
}

// Text is the text the page shows.
func Text(t testing.TB, ctx context.Context) string {
	t.Helper()
	// Evaluated, not chromedp.Text: a DOM query waits for a node of the
	// document chromedp last saw, which a form's POST may have replaced
	// without its knowing (the wrong-password page waited forever).
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		t.Fatalf("browsertest: read the page: %v", err)
	}
	return s
}

// WaitText waits until the page shows s (a page drawn by a script, as
// River UI's, shows it after its requests), failing t at Timeout.
func WaitText(t testing.TB, ctx context.Context, s string) {
	t.Helper()
	if err := waitJS(ctx, `document.body !== null && document.body.innerText.includes(`+quote(s)+`)`); err != nil {
		t.Fatalf("browsertest: the page never showed %q: %v\n%s", s, err, Text(t, ctx))
	}
}

// waitJS evaluates the boolean expr every 100ms until it holds, through
// navigations (which lose the page's context for a moment), until ctx ends.
func waitJS(ctx context.Context, expr string) error {
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last error: %v)", expr, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Count is how many elements match the CSS selector sel.
func Count(t testing.TB, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+quote(sel)+`).length`))
	if err != nil {
		t.Fatalf("browsertest: count %s: %v", sel, err)
	}
	return n
}

// Screenshot saves the whole page as a PNG at path.
func Screenshot(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: a PNG; any other quality gives a JPEG
	if err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// quote is s as a JavaScript string literal.
func quote(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch r {
		case '"', '\\':
			b = append(b, '\\', byte(r))
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}

// Eval runs the JavaScript expression in the page and returns its value,
// waiting for it when it is a promise (a fetch).
func Eval[T any](t testing.TB, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("browsertest: evaluate %s: %v", expr, err)
	}
	return v
}
