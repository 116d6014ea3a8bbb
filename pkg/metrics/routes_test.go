package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/docsd/docs/pkg/metrics"
)

// TestHandlerServesTheTable: the listener answers exactly the routes
// `docsd routes` prints for it.
func TestHandlerServesTheTable(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := metrics.NewHTTP(reg, []string{"success"}); err != nil {
		t.Fatal(err)
	}
	h := metrics.Handler(reg)
	for _, r := range metrics.Routes() {
		t.Run(r.Name+" answers", func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(r.Method, r.Path, nil))
			if w.Code != http.StatusOK {
				t.Errorf("%s %s = %d; want 200", r.Method, r.Path, w.Code)
			}
		})
	}
	t.Run("a path outside the table is not found", func(t *testing.T) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
		if w.Code != http.StatusNotFound {
			t.Errorf("GET /healthz = %d; want 404", w.Code)
		}
	})
	if got, want := metrics.ScrapePath(), "/metrics"; got != want {
		t.Errorf("ScrapePath() = %q; want %q", got, want)
	}
}

// TestLoginsHelpListsTheOutcomes: the help of docsd_logins_total is made
// from the outcomes the API labels logins with, in their order.
func TestLoginsHelpListsTheOutcomes(t *testing.T) {
	reg := prometheus.NewRegistry()
	h, err := metrics.NewHTTP(reg, []string{"success", "error"})
	if err != nil {
		t.Fatal(err)
	}
	h.Logins.WithLabelValues("success").Inc()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "docsd_logins_total" {
			if got, want := f.GetHelp(), "POST /login attempts by outcome: success, error."; got != want {
				t.Errorf("help = %q; want %q", got, want)
			}
			return
		}
	}
	t.Error("docsd_logins_total not gathered")
}
