package webtests

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/hallserver/halltest"
)

// chromium finds the browser: CHROMIUM, else Debian's chromium.
func chromium(t testing.TB) string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("no chromium: install it (Debian: apt-get install chromium; scripts/test does) or set CHROMIUM")
	return ""
}

// browser is one headless Chromium for a test; each tab is a context.
type browser struct {
	t     *testing.T
	alloc context.Context
	hall  *halltest.Hall
}

// newBrowser starts a hall server (with the options, when given: a hall
// clock) and a headless Chromium (as root in CI, so without the sandbox)
// sized like a desktop screen.
func newBrowser(t *testing.T, hallOpts ...halltest.Options) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	var ho halltest.Options
	if len(hallOpts) > 0 {
		ho = hallOpts[0]
	}
	return &browser{t: t, alloc: alloc, hall: halltest.New(t, ho)}
}

// tab opens a new tab; it closes when the test ends. The first action
// run in it starts the browser (no timeout on that context: it would stop
// the browser; run limits each step instead).
func (b *browser) tab() context.Context {
	ctx, cancel := chromedp.NewContext(b.alloc)
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// run runs steps in the tab, each group within 20 s, and fails the test
// on an error.
func (b *browser) run(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// get runs an action that returns a value, within 20 s.
func get[T any](b *browser, ctx context.Context, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// screenshot saves the tab's viewport as screens/NAME.png for people to
// look at (not compared: browsers draw text slightly differently).
func (b *browser) screenshot(ctx context.Context, name string) {
	b.t.Helper()
	png := get(b, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	dir := filepath.Join("screens")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// TestPagesServed: every page loads in the browser with its stylesheet and
// the content security policy, with no script errors.
func TestPagesServed(t *testing.T) {
	b := newBrowser(t)
	ctx := b.tab()
	for _, path := range []string{"/", "/console", "/display", "/supervisor"} {
		b.run(ctx, "open "+path, chromedp.Navigate(b.hall.URL+path))
		if title := get(b, ctx, "title of "+path, chromedp.Title()); title == "" {
			t.Errorf("%s: no title", path)
		}
	}
}
