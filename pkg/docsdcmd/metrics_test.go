package docsdcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/postgres/pgtest"
	"github.com/docsd/docs/pkg/token"
	"github.com/docsd/docs/pkg/version"
)

// TestMetrics scrapes a running docsd after a scripted mix of requests and
// checks that each request, denial, login and session is counted where an
// operator would look for it, and that promtool accepts the exposition.
func TestMetrics(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		testMetrics(t, filepath.Join(t.TempDir(), "d.db"), nil)
	})
	// pgx's pool reports figures database/sql's does not.
	t.Run("PostgreSQL", func(t *testing.T) {
		testMetrics(t, pgtest.URL(t), []string{"docsd_db_acquires_total", "docsd_db_acquire_duration_seconds_total"})
	})
}

// testMetrics runs TestMetrics on database; poolOnly names the pool
// series this backend reports besides those every backend does.
func testMetrics(t *testing.T, database string, poolOnly []string) {
	metricsAddr := freeAddr(t)
	env := map[string]string{
		"DOCSD_DATABASE": database, "DOCSD_AUTH_BCRYPT_COST": "4",
		"DOCSD_AUTH_THROTTLE_MAX_FAILURES": "3",
		"DOCSD_SERVER_METRICS_ADDR":        metricsAddr,
	}
	base := serveSeeded(t, env)
	ctx := context.Background()
	client := &http.Client{}
	send := func(method, path string, cookie *http.Cookie, header map[string]string, body string, want int) apitest.Reply {
		t.Helper()
		r, err := apitest.Send(ctx, client, method, base+path, cookie, header, body)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != want {
			t.Fatalf("%s %s = %d %s; want %d", method, path, r.Status, r.Body, want)
		}
		return r
	}
	login := func(user, password string, want int) *http.Cookie {
		t.Helper()
		r := send("POST", "/login", nil, nil, `{"username":"`+user+`","password":"`+password+`"}`, want)
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == "docs_session" {
				return c
			}
		}
		return nil
	}

	send("GET", "/documents/1", nil, nil, "", 401)
	send("GET", "/documents/1", &http.Cookie{Name: "docs_session", Value: "forged.cookie"}, nil, "", 401)
	login("carol", "wrong-password", 401)
	login("carol", "wrong-password", 401)
	carol := login("carol", "password", 200)
	send("DELETE", "/documents/1", carol, nil, "", 403)
	send("GET", "/users", carol, nil, "", 403)
	send("PATCH", "/documents/6", carol, map[string]string{"Sec-Fetch-Site": "cross-site"}, `{"title":"x"}`, 403)
	send("GET", "/documents/6", carol, nil, "", 200)
	send("GET", "/no/such/path", nil, nil, "", 404)
	send("DELETE", "/logout", carol, nil, "", 204)
	send("GET", "/me", carol, nil, "", 401)
	login("mallory", "whatever-pass", 401)
	login("mallory", "whatever-pass", 401)
	login("mallory", "whatever-pass", 401)
	login("mallory", "whatever-pass", 429)
	alice := login("alice", "password", 200)
	send("GET", "/me", alice, nil, "", 200)
	send("GET", "/me", alice, nil, "", 200)
	send("GET", "/metrics", nil, nil, "", 404) // never on the API's port
	var created struct{ Token string }
	if err := json.Unmarshal(send("POST", "/tokens", alice, nil, `{"name":"ci","scopes":["read"]}`, 201).Body, &created); err != nil {
		t.Fatal(err)
	}
	send("GET", "/me", nil, apitest.Bearer(created.Token), "", 200)
	send("GET", "/users", nil, apitest.Bearer(created.Token), "", 403)
	send("GET", "/me", nil, apitest.Bearer(token.New()), "", 401)

	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /metrics = %d, %v; want 200", resp.StatusCode, err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, text)
	}

	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"docsd_http_requests_total", map[string]string{"route": "document", "method": "GET", "status": "401"}, 2},
		{"docsd_http_requests_total", map[string]string{"route": "document", "method": "GET", "status": "200"}, 1},
		{"docsd_http_requests_total", map[string]string{"route": "login", "method": "POST", "status": "401"}, 5},
		{"docsd_http_requests_total", map[string]string{"route": "me", "method": "GET", "status": "200"}, 3},
		{"docsd_http_requests_total", map[string]string{"route": "unmatched", "method": "GET", "status": "404"}, 2},
		{"docsd_http_denials_total", map[string]string{"route": "document", "status": "401", "reason": "no_session"}, 1},
		{"docsd_http_denials_total", map[string]string{"route": "document", "status": "401", "reason": "invalid_session"}, 1},
		{"docsd_http_denials_total", map[string]string{"route": "me", "status": "401", "reason": "invalid_session"}, 1},
		{"docsd_http_denials_total", map[string]string{"route": "login", "status": "401", "reason": "bad_credentials"}, 5},
		{"docsd_http_denials_total", map[string]string{"route": "login", "status": "429", "reason": "throttled"}, 1},
		{"docsd_http_denials_total", map[string]string{"route": "document_delete", "status": "403", "reason": "not_author"}, 1},
		{"docsd_http_denials_total", map[string]string{"route": "user_list", "status": "403", "reason": "role"}, 1},
		{"docsd_http_denials_total", map[string]string{"route": "document_update", "status": "403", "reason": "cross_origin"}, 1},
		{"docsd_http_denials_total", map[string]string{"route": "me", "status": "401", "reason": "invalid_token"}, 1},
		{"docsd_http_denials_total", map[string]string{"route": "user_list", "status": "403", "reason": "token_scope"}, 1},
		{"docsd_http_requests_by_credential_total", map[string]string{"credential": "token"}, 3},
		{"docsd_http_requests_by_credential_total", map[string]string{"credential": "session"}, 10},
		{"docsd_http_requests_by_credential_total", map[string]string{"credential": "none"}, 12},
		{"docsd_logins_total", map[string]string{"outcome": "success"}, 2},
		{"docsd_logins_total", map[string]string{"outcome": "bad_credentials"}, 5},
		{"docsd_logins_total", map[string]string{"outcome": "throttled"}, 1},
		{"docsd_sessions_created_total", nil, 2},
		{"docsd_sessions_ended_total", map[string]string{"reason": "logout"}, 1},
		{"docsd_build_info", map[string]string{"version": version.String()}, 1},
	} {
		if got, ok := value(families[tc.name], tc.labels); !ok || got != tc.want {
			t.Errorf("%s%v = %v (found: %v); want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	if got, _ := histogramCount(families["docsd_http_request_duration_seconds"], map[string]string{"route": "document"}); got != 3 {
		t.Errorf("docsd_http_request_duration_seconds_count{route=document} = %d; want 3", got)
	}
	for _, name := range append([]string{"docsd_session_cache_hits_total", "docsd_session_cache_misses_total", "docsd_document_cache_misses_total", "docsd_document_cache_bytes", "docsd_db_max_open_connections", "docsd_db_open_connections", "go_goroutines", "process_resident_memory_bytes"}, poolOnly...) {
		if got, ok := value(families[name], nil); !ok || got <= 0 {
			t.Errorf("%s = %v (found: %v); want > 0", name, got, ok)
		}
	}
	// Nothing waits for a connection here, yet an operator's dashboard
	// needs these series on every backend.
	for _, name := range []string{"docsd_document_cache_hits_total", "docsd_db_in_use_connections", "docsd_db_idle_connections", "docsd_db_wait_count_total", "docsd_db_wait_duration_seconds_total"} {
		if _, ok := value(families[name], nil); !ok {
			t.Errorf("%s missing from /metrics; want it on every backend", name)
		}
	}

	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("DOCSD_TEST_PROMTOOL") != "" {
			t.Fatalf("DOCSD_TEST_PROMTOOL is set but promtool is missing: %v", err)
		}
		t.Skip("promtool not installed (Debian package prometheus); .ci/run installs it and sets DOCSD_TEST_PROMTOOL=1")
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// value returns the value of the counter or gauge in f whose labels
// include want.
func value(f *dto.MetricFamily, want map[string]string) (float64, bool) {
	m := find(f, want)
	switch {
	case m == nil:
		return 0, false
	case m.Counter != nil:
		return m.Counter.GetValue(), true
	case m.Gauge != nil:
		return m.Gauge.GetValue(), true
	}
	return 0, false
}

func histogramCount(f *dto.MetricFamily, want map[string]string) (uint64, bool) {
	m := find(f, want)
	if m == nil || m.Histogram == nil {
		return 0, false
	}
	return m.Histogram.GetSampleCount(), true
}

func find(f *dto.MetricFamily, want map[string]string) *dto.Metric {
	if f == nil {
		return nil
	}
next:
	for _, m := range f.Metric {
		for k, v := range want {
			found := false
			for _, l := range m.Label {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		return m
	}
	return nil
}
