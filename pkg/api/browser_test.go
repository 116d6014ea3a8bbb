package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/docsd/docs/internal/syncbuf"
	"github.com/docsd/docs/pkg/api"
	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/docs"
)

// requireBrowserEnv, when set (as .ci/run sets it), turns a missing
// Chromium from a skip into a failure.
const requireBrowserEnv = "DOCSD_TEST_BROWSER"

// attackJS makes the requests a cross-site request forgery would, with
// credentials, against docsd at target: a fetch DELETE of document id, a
// fetch POST of JSON and one of text/plain (each creating a document), and
// an auto-submitted HTML form POST into an iframe. window.attack is a
// promise of what the page saw of each (a status, or the error that hid
// it). A GET /me first shows whether the browser sends the cookie at all.
const attackJS = `
window.attack = (async (target, id) => {
	const seen = {};
	const send = async (name, path, init) => {
		try {
			const r = await fetch(target + path, Object.assign({credentials: "include"}, init));
			seen[name] = String(r.status);
		} catch (e) {
			seen[name] = e.name;
		}
	};
	await send("GET /me", "/me", {});
	await send("fetch DELETE", "/documents/" + id, {method: "DELETE"});
	await send("fetch POST json", "/documents", {method: "POST",
		headers: {"Content-Type": "application/json"},
		body: JSON.stringify({title: "forged json", body: "x"})});
	await send("fetch POST text/plain", "/documents", {method: "POST",
		headers: {"Content-Type": "text/plain"},
		body: JSON.stringify({title: "forged text", body: "x"})});
	// The classic form trick: with enctype text/plain, the input's name and
	// value join into a JSON body.
	const frame = document.createElement("iframe");
	frame.name = "sink";
	document.body.appendChild(frame);
	const loaded = new Promise(resolve => { frame.onload = resolve; });
	const form = document.createElement("form");
	form.method = "POST";
	form.action = target + "/documents";
	form.enctype = "text/plain";
	form.target = "sink";
	const input = document.createElement("input");
	input.name = '{"title":"forged form","body":"';
	input.value = '"}';
	form.appendChild(input);
	document.body.appendChild(form);
	form.submit();
	await loaded;
	try {
		seen["form POST"] = JSON.parse(frame.contentDocument.body.innerText).status.toString();
	} catch (e) {
		seen["form POST"] = "sent (answer unreadable from this origin)";
	}
	return seen;
})`

var attackPage = template.Must(template.New("attack").Parse(`<!doctype html>
<html><head><title>attacker</title></head><body>
<script>{{.JS}}({{.Target}}, {{.ID}});</script>
</body></html>`))

// logLine is what the test reads of a docsd request log line.
type logLine struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Status int    `json:"status"`
	User   int64  `json:"user"`
	Reason string `json:"reason"`
	// Client, RequestID, Login and Outcome are read by TestRequestLog.
	Client    string `json:"client"`
	RequestID string `json:"request_id"`
	Login     string `json:"login"`
	Outcome   string `json:"outcome"`
}

// logBuffer collects docsd's JSON log lines; the engine writes from its
// handler goroutines while the test reads.
type logBuffer struct{ syncbuf.Buffer }

// lines returns the request lines logged so far, from the n-th on.
func (b *logBuffer) lines(t *testing.T, from int) []logLine {
	t.Helper()
	var out []logLine
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	for i := 0; sc.Scan(); i++ {
		if i < from {
			continue
		}
		var l logLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("docsd log line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

func (b *logBuffer) count(t *testing.T) int {
	return len(b.lines(t, 0))
}

// chromium returns the browser to drive, or skips the test without one
// unless DOCSD_TEST_BROWSER says it is required.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv(requireBrowserEnv) != "" {
		t.Fatalf("no chromium on PATH, and %s is set: install it (apt-get install chromium)", requireBrowserEnv)
	}
	t.Skipf("browser test skipped: no chromium on PATH (apt-get install chromium; .ci/run installs it and sets %s=1 to require it)", requireBrowserEnv)
	return ""
}

// serveAttacker serves the attack page on addr ("127.0.0.1:0" for another
// port of docsd's host, "127.0.0.2:0" for another site) and returns its URL.
func serveAttacker(t *testing.T, addr, target string, id int64) string {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s for the attacker page: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = attackPage.Execute(w, map[string]any{"JS": template.JS(attackJS), "Target": target, "ID": id})
	}))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestBrowserCrossOriginRequestsAreRefused drives a real headless Chromium
// holding a valid docsd session against attacker pages of another origin:
// another port of docsd's host (same-site, so SameSite=Lax does not keep
// the cookie back and only the origin check stands in the way) and another
// site. Neither deletes nor creates anything, and docsd logs every
// state-changing request that reaches it as a cross-origin 403. The same
// requests from docsd's own origin succeed, so the test would notice a
// browser that sent no cookie at all.
func TestBrowserCrossOriginRequestsAreRefused(t *testing.T) {
	browser := chromium(t)
	logs := &logBuffer{}
	srv := apitest.NewServerWith(t, apitest.Options{Config: &api.Config{
		PublicRoutes:      api.DefaultSkipList(),
		AllowRegistration: true,
		Logger:            slog.New(slog.NewJSONHandler(logs, nil)),
	}})
	ctx := t.Context()
	id := srv.CreateDocument(t, "alice", "keep me", "the attacker wants this gone")
	alice := srv.Users["alice"]

	// One bound for the whole browser session; it kills the browser when
	// it passes, so every wait below ends.
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	var chromeOut bytes.Buffer
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(browser),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.UserDataDir(t.TempDir()),
			chromedp.CombinedOutput(&chromeOut),
		)...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()
	defer func() {
		if t.Failed() {
			t.Logf("chromium output:\n%s", chromeOut.String())
		}
	}()

	// Log in through a same-origin fetch, as docsd's own pages would.
	loginJS := `fetch("/login", {method: "POST", credentials: "include",
		headers: {"Content-Type": "application/json"},
		body: JSON.stringify({username: "alice", password: "password"})}).then(r => r.status)`
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/healthz")); err != nil {
		t.Fatalf("open %s/healthz in chromium: %v", srv.URL, err)
	}
	if status, err := chromedp.Run(ctx, chromedp.Evaluate[int](loginJS, chromedp.EvalAwaitPromise)); err != nil || status != http.StatusOK {
		t.Fatalf("same-origin login from the browser = %d, %v; want 200", status, err)
	}

	attackers := []struct {
		name, addr string
		// sameSite: the browser sends the Lax cookie with the attacker's
		// requests, as GET /me shows.
		sameSite bool
	}{
		{"another port of docsd's host (same-site, cross-origin)", "127.0.0.1:0", true},
		{"another site (127.0.0.2)", "127.0.0.2:0", false},
	}
	for _, a := range attackers {
		t.Run("a page on "+a.name+" changes nothing", func(t *testing.T) {
			page := serveAttacker(t, a.addr, srv.URL, id)
			from := logs.count(t)
			if err := chromedp.Do(ctx, chromedp.Navigate(page)); err != nil {
				t.Fatalf("open the attacker page %s: %v", page, err)
			}
			// The page reports when every request has had its answer.
			seen, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string]("window.attack", chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("the attacker page at %s did not finish: %v", page, err)
			}
			t.Logf("the attacker page saw %v", seen)
			wantUntouched(t, srv, id)

			refused, me := 0, 0
			for _, l := range logs.lines(t, from) {
				switch {
				case l.Method == http.MethodGet && l.Path == "/me":
					me++
					want := http.StatusUnauthorized
					if a.sameSite {
						want = http.StatusOK
					}
					if l.Status != want {
						t.Errorf("GET /me from the attacker page = %d (user %d); want %d", l.Status, l.User, want)
					}
					if a.sameSite && l.User != alice {
						t.Errorf("GET /me from the same-site page ran as user %d; want alice (%d): the cookie was not sent, so the refusals below prove nothing", l.User, alice)
					}
				case l.Method == http.MethodGet || l.Method == http.MethodHead:
					// Changes nothing; the browser may still be asking
					// docsd for its favicon.
				case l.Method == http.MethodOptions:
					// A CORS preflight: docsd grants nothing, so the
					// browser never sends the request it asked about.
				case l.Status == http.StatusForbidden && strings.HasPrefix(l.Reason, "cross-origin request"):
					refused++
				default:
					t.Errorf("docsd logged %s %s = %d (reason %q) from the attacker page; want a cross-origin 403", l.Method, l.Path, l.Status, l.Reason)
				}
			}
			if me != 1 {
				t.Errorf("docsd logged %d GET /me from the attacker page; want 1", me)
			}
			// The text/plain fetch and the form need no preflight: they
			// reach docsd, and it must refuse them itself.
			if refused < 2 {
				t.Errorf("docsd logged %d cross-origin refusals; want at least 2 (the text/plain fetch and the form)\nlog: %+v", refused, logs.lines(t, from))
			}
		})
	}

	t.Run("the same requests from docsd's own origin succeed", func(t *testing.T) {
		from := logs.count(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/healthz")); err != nil {
			t.Fatal(err)
		}
		seen, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](
			fmt.Sprintf("%s(%q, %d)", attackJS, srv.URL, id), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("the requests from docsd's origin did not finish: %v", err)
		}
		// The JSON requests go through; text/plain bodies pass the origin
		// check and meet the content type check instead.
		want := map[string]string{
			"GET /me":               "200",
			"fetch DELETE":          "204",
			"fetch POST json":       "201",
			"fetch POST text/plain": "415",
			"form POST":             "415",
		}
		for k, w := range want {
			if seen[k] != w {
				t.Errorf("%s from docsd's own origin = %s; want %s", k, seen[k], w)
			}
		}
		if _, err := srv.DB.DocumentByID(ctx, id); !docs.IsNotFound(err) {
			t.Errorf("document %d after the same-origin DELETE: %v; want it gone", id, err)
		}
		for _, l := range logs.lines(t, from) {
			if l.Status == http.StatusForbidden {
				t.Errorf("docsd refused %s %s from its own origin: %q", l.Method, l.Path, l.Reason)
			}
		}
	})
}

// wantUntouched requires document id to exist and no forged document to
// have been created.
func wantUntouched(t *testing.T, srv *apitest.Server, id int64) {
	t.Helper()
	if _, err := srv.DB.DocumentByID(context.Background(), id); err != nil {
		t.Errorf("document %d after the attack: %v; want it still there", id, err)
	}
	all, err := srv.DB.ListDocuments(context.Background(), docs.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range all {
		if strings.HasPrefix(d.Title, "forged") {
			t.Errorf("document %d %q was created by the attacker page", d.ID, d.Title)
		}
	}
}
