package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestAPI(t *testing.T) {
	t.Run("GET sends the stored session and prints the body", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		wantExit(t, h, h.run(t, "api", "me"), exitOK, "api me")
		var me struct{ Username string }
		if err := json.Unmarshal(h.out.Bytes(), &me); err != nil || me.Username != "alice" {
			t.Errorf("stdout = %q; want alice's user as JSON", h.out)
		}
	})
	t.Run("fields are sent as a JSON object with POST", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		wantExit(t, h, h.run(t, "api", "documents", "-f", "title=From api", "-f", "body=a=b"), exitOK, "api documents -f")
		var d struct {
			ID    int64
			Title string
			Body  string
		}
		if err := json.Unmarshal(h.out.Bytes(), &d); err != nil || d.Title != "From api" || d.Body != "a=b" {
			t.Fatalf("stdout = %q; want the created document", h.out)
		}
		wantExit(t, h, h.run(t, "get", itoa(d.ID)), exitOK, "get")
	})
	t.Run("--input - sends standard input with -X", func(t *testing.T) {
		h := newHarness(t, false, `{"title":"Renamed"}`)
		h.loginAs(t, "alice")
		wantExit(t, h, h.run(t, "api", "-X", "patch", "documents/1", "--input", "-"), exitOK, "api -X patch --input -")
		if !strings.Contains(h.out.String(), `"title":"Renamed"`) {
			t.Errorf("stdout = %q; want the renamed document", h.out)
		}
	})
	t.Run("a 403 prints the problem document and exits 5", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "carol")
		wantExit(t, h, h.run(t, "api", "-X", "DELETE", "documents/1"), exitForbidden, "api -X DELETE documents/1")
		if !strings.Contains(h.out.String(), `"status":403`) || !strings.HasPrefix(h.err.String(), "Error: 403 Forbidden") {
			t.Errorf("stdout %q, stderr %q; want the problem on stdout and the error on stderr", h.out, h.err)
		}
	})
	t.Run("a 404 exits 6", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		wantExit(t, h, h.run(t, "api", "documents/999"), exitNotFound, "api documents/999")
	})
	t.Run("a 401 with nothing stored exits 4 and says to log in", func(t *testing.T) {
		h := newHarness(t, false, "")
		wantExit(t, h, h.run(t, "api", "/me"), exitAuth, "api /me")
		if !strings.Contains(h.err.String(), "docs login") {
			t.Errorf("stderr = %q; want the login hint", h.err)
		}
	})
	t.Run("-i prints the status line and headers first", func(t *testing.T) {
		h := newHarness(t, false, "")
		wantExit(t, h, h.run(t, "api", "documents?limit=1", "-i"), exitOK, "api -i")
		if !strings.HasPrefix(h.out.String(), "HTTP/1.1 200 OK\n") || !strings.Contains(h.out.String(), "\nLink: <documents?after=1&limit=1>; rel=\"next\"\n") {
			t.Errorf("stdout = %q; want the status line and the Link header", h.out)
		}
	})
	t.Run("fields and --input together are a usage error", func(t *testing.T) {
		h := noRequests(t, false, "")
		wantExit(t, h, h.run(t, "api", "documents", "-f", "a=b", "--input", "x"), exitUsage, "api -f --input")
	})
	t.Run("an absolute URL is a usage error: the server is --server's", func(t *testing.T) {
		h := noRequests(t, false, "")
		wantExit(t, h, h.run(t, "api", "http://host/me"), exitUsage, "api http://host/me")
		if !strings.Contains(h.err.String(), `invalid API path "http://host/me"`) {
			t.Errorf("stderr = %q; want the path named", h.err)
		}
	})
}

func TestToken(t *testing.T) {
	t.Run("prints the stored session, with no note to a pipe", func(t *testing.T) {
		h := newHarness(t, false, "")
		h.loginAs(t, "alice")
		wantExit(t, h, h.run(t, "token"), exitOK, "token")
		if got, want := h.out.String(), h.sessionValue(t)+"\n"; got != want || h.err.Len() != 0 {
			t.Errorf("stdout %q, stderr %q; want %q and nothing on stderr", got, h.err, want)
		}
	})
	t.Run("says it is a secret on a terminal", func(t *testing.T) {
		h := newHarness(t, true, "")
		h.loginAs(t, "alice")
		wantExit(t, h, h.run(t, "token"), exitOK, "token")
		if !strings.Contains(h.err.String(), "secret") {
			t.Errorf("stderr = %q; want the secret named", h.err)
		}
	})
	t.Run("not logged in exits 4", func(t *testing.T) {
		h := newHarness(t, false, "")
		wantExit(t, h, h.run(t, "token"), exitAuth, "token")
		if h.out.Len() != 0 {
			t.Errorf("stdout = %q; want nothing", h.out)
		}
	})
}

// echoServer answers every request with its body, as JSON when it is.
func echoServer(t *testing.T, contentType string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if len(b) == 0 {
			b = []byte(`{"a":1}`)
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestAPITypedFieldsAndOutput(t *testing.T) {
	t.Run("-F types its values as gh api -F does, beside -f strings", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "v.txt")
		if err := os.WriteFile(file, []byte("from a file\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		h := newHarnessAt(t, echoServer(t, "application/json"), false, "")
		wantExit(t, h, h.run(t, "api", "echo", "-F", "n=30", "-F", "t=true", "-F", "f=false", "-F", "z=null", "-F", "s=abc", "-F", "file=@"+file, "-f", "raw=30"), exitOK, "api -F")
		var got map[string]any
		if err := json.Unmarshal(h.out.Bytes(), &got); err != nil {
			t.Fatalf("stdout %q: %v", h.out, err)
		}
		want := map[string]any{"n": 30.0, "t": true, "f": false, "z": nil, "s": "abc", "file": "from a file\n", "raw": "30"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("sent %v; want %v", got, want)
		}
	})
	t.Run("an unreadable @file is a usage error", func(t *testing.T) {
		h := newHarnessAt(t, echoServer(t, "application/json"), false, "")
		wantExit(t, h, h.run(t, "api", "echo", "-F", "x=@"+filepath.Join(t.TempDir(), "nope")), exitUsage, "api -F x=@nope")
	})
	for _, tc := range []struct {
		name, contentType string
		tty               bool
		want              string
	}{
		{"piped JSON is as it came, ending with a newline", "application/json", false, "{\"a\":1}\n"},
		{"JSON on a terminal is pretty-printed", "application/json", true, "{\n  \"a\": 1\n}\n"},
		{"piped text is as it came", "text/plain", false, "{\"a\":1}"},
		{"text on a terminal ends with a newline", "text/plain", true, "{\"a\":1}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarnessAt(t, echoServer(t, tc.contentType), tc.tty, "")
			wantExit(t, h, h.run(t, "api", "echo"), exitOK, "api echo")
			if h.out.String() != tc.want {
				t.Errorf("stdout = %q; want %q", h.out, tc.want)
			}
		})
	}
}
