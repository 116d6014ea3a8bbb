package api_test

import (
	"net/http/httptest"
	"testing"

	"github.com/docsd/docs/pkg/api/apitest"
)

// BenchmarkGuard is the session guard alone: cookie, signature, the joined
// session-and-user read and the timeout checks, as every private request
// pays it.
func BenchmarkGuard(b *testing.B) {
	srv := apitest.NewServer(b)
	cookie := srv.Login(b, "alice")
	req := httptest.NewRequest("GET", "/me", nil)
	req.AddCookie(cookie)
	b.ReportAllocs()
	for b.Loop() {
		u, reason, err := srv.Sessions.Authenticate(req)
		if u == nil || err != nil {
			b.Fatalf("Authenticate = %v, %q, %v; want alice", u, reason, err)
		}
	}
}
