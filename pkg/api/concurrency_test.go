package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/docsd/docs/pkg/api/apitest"
)

// TestRacingIfMatchWrites sends 200 PATCHes of one document at once, all
// with the same If-Match, from alice (admin), bob (editor) and carol (the
// author), round after round on the ETag the last round produced. Exactly
// one write wins per version, every other is a 412 problem, and the stored
// document is the winner's title and body together: no lost update, no
// torn write.
func TestRacingIfMatchWrites(t *testing.T) {
	const writers = 200
	rounds := 4
	if testing.Short() {
		rounds = 1
	}
	ctx := context.Background()
	srv := apitest.NewServer(t)
	id := srv.CreateDocument(t, "carol", "raced", "the first body")
	url := fmt.Sprintf("%s/documents/%d", srv.URL, id)
	// A few sessions per user, so that the writers do not all share one.
	var cookies []*http.Cookie
	for range 3 {
		for _, u := range []string{"alice", "bob", "carol"} {
			cookies = append(cookies, srv.Login(t, u))
		}
	}
	client := srv.ClientWith(t, &http.Transport{MaxIdleConnsPerHost: writers, MaxConnsPerHost: writers})
	defer client.CloseIdleConnections()

	type write struct{ Title, Body string }
	for round := range rounds {
		cur, err := apitest.Send(ctx, client, "GET", url, cookies[0], nil, "")
		if err != nil || cur.Status != 200 {
			t.Fatalf("round %d: GET = %d, %v; want 200", round, cur.Status, err)
		}
		etag := cur.Header.Get("ETag")
		var before documentOut
		if err := json.Unmarshal(cur.Body, &before); err != nil {
			t.Fatal(err)
		}

		wrote := make([]write, writers)
		replies := make([]apitest.Reply, writers)
		errs := make([]error, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			// Title and body both name the writer, and the body is long,
			// so a write stitched from two writers cannot pass for one.
			wrote[i] = write{
				Title: fmt.Sprintf("round %d writer %d", round, i),
				Body:  strings.Repeat(fmt.Sprintf("round %d writer %d|", round, i), 100),
			}
			body, _ := json.Marshal(map[string]string{"title": wrote[i].Title, "body": wrote[i].Body})
			wg.Go(func() {
				<-start
				replies[i], errs[i] = apitest.Send(ctx, client, "PATCH", url, cookies[i%len(cookies)], map[string]string{"If-Match": etag}, string(body))
			})
		}
		close(start)
		wg.Wait()

		winner := -1
		statuses := map[int]int{}
		for i, r := range replies {
			if errs[i] != nil {
				t.Fatalf("round %d writer %d: %v", round, i, errs[i])
			}
			statuses[r.Status]++
			switch r.Status {
			case 200:
				winner = i
			case 412:
				if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("round %d writer %d: 412 with Content-Type %q; want application/problem+json", round, i, ct)
				}
			}
		}
		if statuses[200] != 1 || statuses[412] != writers-1 {
			t.Fatalf("round %d on ETag %s: statuses %v; want one 200 and %d 412", round, etag, statuses, writers-1)
		}

		wantVersion := before.Version + 1
		var won documentOut
		if err := json.Unmarshal(replies[winner].Body, &won); err != nil {
			t.Fatal(err)
		}
		if got := replies[winner].Header.Get("ETag"); got != fmt.Sprintf(`"%d"`, wantVersion) {
			t.Errorf("round %d: winner's ETag = %s; want \"%d\"", round, got, wantVersion)
		}
		if won.Version != wantVersion || won.Title != wrote[winner].Title || won.Body == nil || *won.Body != wrote[winner].Body {
			t.Errorf("round %d: winner's response = version %d, title %q; want version %d and writer %d's write", round, won.Version, won.Title, wantVersion, winner)
		}

		after, err := apitest.Send(ctx, client, "GET", url, cookies[1], nil, "")
		if err != nil || after.Status != 200 {
			t.Fatalf("round %d: GET after = %d, %v; want 200", round, after.Status, err)
		}
		var stored documentOut
		if err := json.Unmarshal(after.Body, &stored); err != nil {
			t.Fatal(err)
		}
		if stored.Version != wantVersion || stored.Title != wrote[winner].Title || stored.Body == nil || *stored.Body != wrote[winner].Body {
			body := ""
			if stored.Body != nil {
				body = *stored.Body
			}
			t.Fatalf("round %d: stored version %d, title %q, body %q...; want version %d and writer %d's title and body",
				round, stored.Version, stored.Title, body[:min(len(body), 60)], wantVersion, winner)
		}
		if stored.Author.Username != "carol" {
			t.Errorf("round %d: author = %q; want carol (an edit never changes the author)", round, stored.Author.Username)
		}
	}
}
