package api

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
)

// referenceDocument is the wire format written the slow, obvious way.
type referenceDocument struct {
	ID     int64   `json:"id"`
	Title  string  `json:"title"`
	Body   *string `json:"body,omitempty"`
	Author struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
	} `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

func reference(d *docs.Document, withBody bool) []byte {
	var r referenceDocument
	r.ID, r.Title, r.Version = d.ID, d.Title, d.Version
	r.Author.ID, r.Author.Username = d.Author.ID, d.Author.Username
	r.CreatedAt, r.UpdatedAt = d.CreatedAt, d.UpdatedAt
	if withBody {
		body := d.Body
		r.Body = &body
	}
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	return b
}

var encodingCases = []string{
	"", "plain", `quote " and backslash \`, "new\nline\ttab\rreturn\b\f", "\x00\x01\x1f\x7f",
	"<script>&amp;</script>", "é ü 日本語 🙂", "line\u2028sep\u2029para", "bad \xff utf-8 \xc3",
}

func TestDocumentEncodingMatchesEncodingJSON(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 11, 25, 20, 47, 1, 788675000, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	for _, s := range encodingCases {
		for _, at := range times {
			d := &docs.Document{ID: 7, Title: s, Body: s + s, Author: docs.Author{ID: 1, Username: "alice"}, CreatedAt: at, UpdatedAt: at.Add(time.Microsecond), Version: 3}
			for _, withBody := range []bool{true, false} {
				got, want := appendDocument(nil, d, withBody), reference(d, withBody)
				if string(got) != string(want) {
					t.Errorf("appendDocument(%q, body %v) =\n%s\nwant\n%s", s, withBody, got, want)
				}
			}
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range encodingCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendString(nil, s)
		want, _ := json.Marshal(s)
		if string(got) != string(want) {
			t.Errorf("appendString(%q) = %s; want %s", s, got, want)
		}
	})
}

func TestProblemEncodingMatchesEncodingJSON(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for _, p := range []Problem{
		{Type: "about:blank", Title: "Unauthorized", Status: 401, Detail: "log in first: this route needs a session"},
		{Type: "about:blank", Title: "Bad Request", Status: 400, Detail: `title "<x>" must be 1 to 200 characters`, Field: "title"},
		{Type: "about:blank", Title: "Not Found", Status: 404},
	} {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		writeProblem(c, p)
		want, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if w.Code != p.Status || w.Body.String() != string(want) || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("writeProblem(%+v) = %d %s %q; want %d %s application/problem+json", p, w.Code, w.Body, w.Header().Get("Content-Type"), p.Status, want)
		}
	}
}

func TestRevisionEncodingMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 25, 20, 47, 1, 788675000, time.UTC)
	for _, s := range encodingCases {
		for _, by := range []docs.Author{{}, {ID: 2, Username: s}} {
			r := &docs.Revision{DocumentID: 7, Version: 3, Title: s, Body: s + s, Author: docs.Author{ID: 1, Username: "alice"}, By: by, CreatedAt: at}
			summary := revisionSummaryJSON{DocumentID: 7, Version: 3, Title: s, Author: authorJSON{ID: 1, Username: "alice"}, CreatedAt: at}
			if by.ID != 0 {
				summary.By = &authorJSON{ID: by.ID, Username: by.Username}
			}
			for _, tc := range []struct {
				withBody bool
				value    any
			}{{false, summary}, {true, revisionJSON{revisionSummaryJSON: summary, Body: s + s}}} {
				want, err := json.Marshal(tc.value)
				if err != nil {
					t.Fatal(err)
				}
				if got := appendRevision(nil, r, tc.withBody); string(got) != string(want) {
					t.Errorf("appendRevision(%q, by %d, body %v) =\n%s\nwant\n%s", s, by.ID, tc.withBody, got, want)
				}
			}
		}
	}
}
