package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docsd/docs/pkg/api/apitest"
	"github.com/docsd/docs/pkg/postgres/pgtest"
)

// TestHammer runs three docsd processes on one database, on a SQLite file
// and on PostgreSQL when DOCSD_TEST_POSTGRES is set, and hammers them for a
// few seconds: writers create, edit with If-Match, revert, delete and
// restore their own documents through the three in turn; readers on every
// replica read documents and lists with sessions that are being logged out
// and replaced; an admin demotes and promotes a user who keeps trying an
// edit only an admin may make. Every answer is checked afterwards against
// what was acknowledged before its request was sent:
//
//   - a read shows the last acknowledged version of the document, or a
//     newer one whose write was already sent, never an older one, and
//     never older than what an earlier read, on any replica, showed;
//   - its title and body are exactly those sent for that version;
//   - a document whose delete was acknowledged is a 404, on every replica;
//   - a session whose logout was acknowledged is a 401 on every replica;
//   - a user demoted before the request gets 403 for the edit and for the
//     user list, and 412 and 200 once promoted again.
//
// Each request's send time is taken before it is sent and each write's
// acknowledgement after its answer arrived, so a write concurrent with a
// read may be seen or not: the test does not depend on timing. Afterwards
// every acknowledged version is read back through each replica, and no
// answer may be a 5xx.
func TestHammer(t *testing.T) {
	bin := buildDocsd(t)
	t.Run("sqlite", func(t *testing.T) { testHammer(t, bin, filepath.Join(t.TempDir(), "docs.db")) })
	t.Run("postgres", func(t *testing.T) { testHammer(t, bin, pgtest.URL(t)) })
}

const (
	hammerFor     = 4 * time.Second // how long the load runs at most
	hammerBudget  = 12000           // and how many requests it makes at most
	hammerWriters = 4
	hammerWarm    = 3 // documents each writer has before the load
	readersPerRep = 2
	sessionSlots  = 3
)

// docState is a document as a write left it: a version, its text, or
// deleted.
type docState struct {
	Version     int64
	Title, Body string
	Deleted     bool
}

func (s docState) String() string {
	if s.Deleted && s.Version == 0 {
		return "404" // as an answer shows it
	}
	if s.Deleted {
		return fmt.Sprintf("deleted at version %d (404)", s.Version)
	}
	// The body's start names the version that wrote it.
	return fmt.Sprintf("version %d %q (body %.32q)", s.Version, s.Title, s.Body)
}

// event is one write to a thing the test follows: its state once the write
// is done, when the write was sent, and when its answer arrived (zero while
// it is in flight).
type event[S any] struct {
	state       S
	sent, acked time.Time
}

// history is the writes made to one document, session or role, in order.
// One goroutine writes each thing, so at most the last write is in flight,
// and the state the database holds at any moment is that of one event.
type history[S any] struct {
	mu     sync.Mutex
	events []event[S]
}

// begin records a write about to be sent, leaving s, and returns its index.
func (h *history[S]) begin(s S) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, event[S]{state: s, sent: time.Now()})
	return len(h.events) - 1
}

// ack records that the answer to write i arrived, leaving s.
func (h *history[S]) ack(i int, s S) {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events[i].state, h.events[i].acked = s, now
}

// last is the state of the last event, acknowledged or not.
func (h *history[S]) last() S {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.events[len(h.events)-1].state
}

// observation is one answer about a thing: what it showed (match says
// which states it is consistent with), when its request was sent and when
// its answer arrived.
type observation[S any] struct {
	what      string // "GET /documents/7 on B"
	got       string // what the answer showed, for messages
	sent, rcv time.Time
	match     func(S) bool
	// none says the answer is also consistent with the thing not existing
	// yet (a list that leaves out a document whose create is in flight).
	none bool
}

// check judges every observation of h: each must show the state of an
// event that is no older than the last one acknowledged before the request
// was sent, nor than one an answer received before it was sent showed,
// and that was sent before the answer arrived. It returns one message per
// observation that does not.
func check[S fmt.Stringer](h *history[S], obs []observation[S], start time.Time) []string {
	events := h.events
	bySent := slices.Clone(obs)
	slices.SortFunc(bySent, func(a, b observation[S]) int { return a.sent.Compare(b.sent) })
	// seen holds, for each observation judged, the event it showed, and
	// when its answer arrived; later requests may show nothing older.
	type seen struct {
		rcv   time.Time
		index int
	}
	var shown []seen
	var failures []string
	at := func(t time.Time) string { return fmt.Sprintf("%.3fs", t.Sub(start).Seconds()) }
	for _, o := range bySent {
		floor, cause := -1, ""
		for i, e := range events {
			if !e.acked.IsZero() && e.acked.Before(o.sent) {
				floor, cause = i, fmt.Sprintf("%s acknowledged at %s", e.state, at(e.acked))
			}
		}
		for _, s := range shown {
			if s.rcv.Before(o.sent) && s.index > floor {
				floor, cause = s.index, fmt.Sprintf("%s shown by an answer received at %s", events[s.index].state, at(s.rcv))
			}
		}
		index := -1
		for j := max(floor, 0); j < len(events) && events[j].sent.Before(o.rcv); j++ {
			if o.match(events[j].state) {
				index = j
				break
			}
		}
		switch {
		case index >= 0:
			shown = append(shown, seen{o.rcv, index})
		case floor < 0 && o.none:
		default:
			var could []string
			for j := max(floor, 0); j < len(events) && events[j].sent.Before(o.rcv); j++ {
				could = append(could, events[j].state.String())
			}
			msg := fmt.Sprintf("%s sent at %s, answered at %s: got %s; want %s", o.what, at(o.sent), at(o.rcv), o.got, strings.Join(could, " or "))
			if cause != "" {
				msg += " (" + cause + ", before the request was sent)"
			}
			failures = append(failures, msg)
		}
	}
	return failures
}

// boolState is a session (live or logged out) or a role (admin or not).
type boolState struct {
	on      bool
	yes, no string
}

func (b boolState) String() string {
	if b.on {
		return b.yes
	}
	return b.no
}

// slotSession is one login of a reader's slot: its cookie and its history
// (logged in, then logged out).
type slotSession struct {
	cookie *http.Cookie
	h      *history[boolState]
	obs    []observation[boolState]
	mu     sync.Mutex
}

func (s *slotSession) observe(o observation[boolState]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.obs = append(s.obs, o)
}

// document is one document a writer owns, with what every answer showed
// of it.
type document struct {
	id     int64
	writer int
	h      *history[docState]
}

// hammer is the run's shared state.
type hammer struct {
	reps   []*proc
	client *http.Client
	start  time.Time
	stop   time.Time
	budget atomic.Int64
	reqs   atomic.Int64
	writes atomic.Int64
	mu     sync.Mutex
	docs   map[int64]*document
	ids    []int64
	errs   []string
	// obs is what every answer showed of each document, by id.
	obs     map[int64][]observation[docState]
	slots   [sessionSlots]atomic.Pointer[slotSession]
	ended   []*slotSession // every session a slot held
	endedMu sync.Mutex
}

func (hm *hammer) observe(id int64, o observation[docState]) {
	hm.mu.Lock()
	defer hm.mu.Unlock()
	hm.obs[id] = append(hm.obs[id], o)
}

func (hm *hammer) fail(format string, args ...any) {
	hm.mu.Lock()
	defer hm.mu.Unlock()
	hm.errs = append(hm.errs, fmt.Sprintf(format, args...))
}

// going reports whether the load may make one more request.
func (hm *hammer) going() bool {
	return time.Now().Before(hm.stop) && hm.budget.Add(-1) >= 0
}

// send makes one request through replica n%3 and returns the answer with
// the time taken just before sending and just after the answer arrived.
// A transport error or a 5xx is a failure, and the answer's status 0.
func (hm *hammer) send(n int, method, path string, cookie *http.Cookie, header map[string]string, body string) (apitest.Reply, string, time.Time, time.Time) {
	p := hm.reps[n%len(hm.reps)]
	what := fmt.Sprintf("%s %s on %c", method, path, 'A'+n%len(hm.reps))
	hm.reqs.Add(1)
	sent := time.Now()
	r, err := apitest.Send(context.Background(), hm.client, method, p.base+path, cookie, header, body)
	rcv := time.Now()
	if err != nil {
		hm.fail("%s: %v", what, err)
		return apitest.Reply{}, what, sent, rcv
	}
	if r.Status >= 500 {
		hm.fail("%s: got %d %s; want no 5xx", what, r.Status, r.Body)
		r.Status = 0
	}
	return r, what, sent, rcv
}

func testHammer(t *testing.T, bin, database string) {
	cli := func(stdin string, args ...string) {
		t.Helper()
		runDocsd(t, bin, database, stdin, args...)
	}
	cli("", "seed")
	for i := range hammerWriters {
		cli("password\n", "user", "add", fmt.Sprintf("writer%d", i), "--password-stdin")
	}
	cli("password\n", "user", "add", "dana", "--password-stdin", "--role", "admin")
	reps := []*proc{startDocsd(t, bin, database), startDocsd(t, bin, database), startDocsd(t, bin, database)}
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	defer transport.CloseIdleConnections()
	hm := &hammer{reps: reps, client: describedClient(t, transport), docs: map[int64]*document{}, obs: map[int64][]observation[docState]{}}
	login := func(n int, user string) *http.Cookie {
		t.Helper()
		return procLogin(t, hm.client, reps[n%3].base, user)
	}
	alice, dana := login(0, "alice"), login(1, "dana")
	var danaID struct{ ID int64 }
	if r := reps[2].send(t, hm.client, "GET", "/me", dana, nil, ""); r.Status != 200 || json.Unmarshal(r.Body, &danaID) != nil {
		t.Fatalf("GET /me as dana = %d %s; want 200", r.Status, r.Body)
	}
	// The probe is alice's document at version 2: an admin's PATCH with
	// If-Match "1" is a 412 that changes nothing, a member's a 403.
	r := reps[0].send(t, hm.client, "POST", "/documents", alice, nil, `{"title":"Probe","body":"v1"}`)
	var probe struct{ ID int64 }
	if r.Status != 201 || json.Unmarshal(r.Body, &probe) != nil {
		t.Fatalf("POST /documents as alice = %d %s; want 201", r.Status, r.Body)
	}
	probePath := fmt.Sprintf("/documents/%d", probe.ID)
	if r := reps[1].send(t, hm.client, "PATCH", probePath, alice, map[string]string{"If-Match": `"1"`}, `{"body":"v2"}`); r.Status != 200 {
		t.Fatalf("PATCH %s as alice = %d %s; want 200", probePath, r.Status, r.Body)
	}
	for i := range hm.slots {
		s := hm.newSession(i, []string{"bob", "carol"}[i%2])
		if s == nil {
			t.Fatal(hm.errs)
		}
		hm.slots[i].Store(s)
	}

	hm.budget.Store(hammerBudget)
	hm.start = time.Now()
	// Each writer starts with documents that every replica has read, so
	// that each holds them in its cache when the load begins: the first
	// write through one replica is the first test of the others'.
	writers := make([][]*document, hammerWriters)
	cookies := make([]*http.Cookie, hammerWriters)
	for w := range hammerWriters {
		cookies[w] = login(w, fmt.Sprintf("writer%d", w))
		for k := range hammerWarm {
			d := hm.create(w+k, w, k, cookies[w])
			if d == nil {
				t.Fatal(strings.Join(hm.errs, "\n"))
			}
			writers[w] = append(writers[w], d)
		}
	}
	for _, ds := range writers {
		for _, d := range ds {
			for n := range 2 * len(reps) {
				hm.readDoc(n, d, alice)
			}
		}
	}
	if len(hm.errs) > 0 {
		t.Fatal(strings.Join(hm.errs, "\n"))
	}
	loadStart, warmUp := time.Now(), hm.reqs.Load()
	hm.stop = loadStart.Add(hammerFor)
	var wg sync.WaitGroup
	for w := range hammerWriters {
		wg.Go(func() { hm.write(w, cookies[w], writers[w]) })
	}
	for n := range 3 * readersPerRep {
		wg.Go(func() { hm.read(n) })
	}
	// dana is an admin to begin with (docsd user add --role admin).
	role := &history[boolState]{}
	admin := boolState{on: true, yes: "admin (412 for the edit, 200 for GET /users)", no: "member (403)"}
	role.ack(role.begin(admin), admin)
	var (
		roleObs []observation[boolState]
		roleMu  sync.Mutex
	)
	for n := range 3 {
		wg.Go(func() {
			obs := hm.probe(n, dana, probePath)
			roleMu.Lock()
			defer roleMu.Unlock()
			roleObs = append(roleObs, obs...)
		})
	}
	wg.Go(func() { hm.changeRoles(alice, danaID.ID, role, admin) })
	wg.Go(func() { hm.churnSessions() })
	wg.Wait()
	loadTook := time.Since(loadStart)

	var failures []string
	failures = append(failures, hm.errs...)
	checked := 0
	for id, obs := range hm.obs {
		checked += len(obs)
		d := hm.docs[id]
		if d == nil {
			failures = append(failures, fmt.Sprintf("%s: showed document %d, which no acknowledged create made", obs[0].what, id))
			continue
		}
		failures = append(failures, check(d.h, obs, hm.start)...)
	}
	sessionsChecked := 0
	for _, s := range hm.ended {
		sessionsChecked += len(s.obs)
		failures = append(failures, check(s.h, s.obs, hm.start)...)
	}
	failures = append(failures, check(role, roleObs, hm.start)...)

	// Every acknowledged write, read back through each replica: the
	// document as its last write left it, and each version it took.
	readBack := 0
	for n, p := range reps {
		for _, id := range hm.ids {
			d := hm.docs[id]
			final := d.h.last()
			path := fmt.Sprintf("/documents/%d", id)
			r := p.send(t, hm.client, "GET", path, alice, nil, "")
			readBack++
			if got, ok := decodeDoc(r); !ok || got.Deleted != final.Deleted || !final.Deleted && got != final {
				failures = append(failures, fmt.Sprintf("GET %s on %c after the load: got %d %s; want %s", path, 'A'+n, r.Status, shown(r), final))
			}
			for _, e := range d.h.events {
				if e.state.Deleted || e.acked.IsZero() {
					continue
				}
				path := fmt.Sprintf("/documents/%d/revisions/%d", id, e.state.Version)
				r := p.send(t, hm.client, "GET", path, alice, nil, "")
				readBack++
				var got struct{ Title, Body string }
				if r.Status != 200 || json.Unmarshal(r.Body, &got) != nil || got.Title != e.state.Title || got.Body != e.state.Body {
					failures = append(failures, fmt.Sprintf("GET %s on %c after the load: got %d %.200s; want 200 with %s as acknowledged", path, 'A'+n, r.Status, r.Body, e.state))
				}
			}
		}
	}
	for n, p := range reps {
		if b, _ := os.ReadFile(p.log); regexp.MustCompile(`status=5\d\d`).Match(b) {
			failures = append(failures, fmt.Sprintf("replica %c logged a 5xx:\n%s", 'A'+n, p.tail()))
		}
	}
	for i, f := range failures {
		if i == 20 {
			t.Errorf("... and %d more", len(failures)-i)
			break
		}
		t.Error(f)
	}
	t.Logf("%d requests in %.1fs of load over three replicas, after %d to set up and warm the caches; %d writes acknowledged on %d documents; %d reads of documents and lists checked, %d session checks over %d sessions (logged out while in use), %d role checks over %d role changes; %d reads back after the load",
		hm.reqs.Load()-warmUp, loadTook.Seconds(), warmUp, hm.writes.Load(), len(hm.ids), checked, sessionsChecked, len(hm.ended), len(roleObs), len(role.events)-1, readBack)
}

// shown is what a document answer showed, for messages.
func shown(r apitest.Reply) string {
	if got, ok := decodeDoc(r); ok {
		return got.String()
	}
	return fmt.Sprintf("%.200s", r.Body)
}

// decodeDoc reads a document answer: 200 with a document, or 404 for a
// deleted one.
func decodeDoc(r apitest.Reply) (docState, bool) {
	var got docState
	switch r.Status {
	case 200:
		var d struct {
			Title, Body string
			Version     int64
		}
		if err := json.Unmarshal(r.Body, &d); err != nil {
			return got, false
		}
		return docState{Version: d.Version, Title: d.Title, Body: d.Body}, true
	case 404:
		return docState{Deleted: true}, true
	}
	return got, false
}

// newSession logs user in through replica n and records the login; it
// returns nil when the login fails.
func (hm *hammer) newSession(n int, user string) *slotSession {
	s := &slotSession{h: &history[boolState]{}}
	live := boolState{on: true, yes: "logged in (200)", no: "logged out (401)"}
	i := s.h.begin(live)
	r, what, _, _ := hm.send(n, "POST", "/login", nil, nil, fmt.Sprintf(`{"username":%q,"password":"password"}`, user))
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "docs_session" {
			s.cookie = c
		}
	}
	if r.Status != 200 || s.cookie == nil {
		hm.fail("%s: got %d %s; want 200 with a session cookie", what, r.Status, r.Body)
		return nil
	}
	s.h.ack(i, live)
	hm.endedMu.Lock()
	hm.ended = append(hm.ended, s)
	hm.endedMu.Unlock()
	return s
}

// create has writer w create its document k through replica n, and
// records it; it returns nil when the create fails.
func (hm *hammer) create(n, w, k int, cookie *http.Cookie) *document {
	title := fmt.Sprintf("writer%d doc %d v1", w, k)
	body := strings.Repeat(fmt.Sprintf("writer%d doc %d version 1. ", w, k), 8)
	h := &history[docState]{}
	i := h.begin(docState{Version: 1, Title: title, Body: body})
	in, _ := json.Marshal(map[string]string{"title": title, "body": body})
	r, what, _, _ := hm.send(n, "POST", "/documents", cookie, nil, string(in))
	var got struct{ ID int64 }
	if r.Status != 201 || json.Unmarshal(r.Body, &got) != nil {
		hm.fail("%s: got %d %s; want 201", what, r.Status, r.Body)
		return nil
	}
	h.ack(i, docState{Version: 1, Title: title, Body: body})
	d := &document{id: got.ID, writer: w, h: h}
	hm.mu.Lock()
	hm.docs[d.id] = d
	hm.ids = append(hm.ids, d.id)
	hm.mu.Unlock()
	hm.writes.Add(1)
	return d
}

// readDoc reads document d through replica n with cookie and records what
// the answer showed of it.
func (hm *hammer) readDoc(n int, d *document, cookie *http.Cookie) (apitest.Reply, string, time.Time, time.Time) {
	r, what, sent, rcv := hm.send(n, "GET", fmt.Sprintf("/documents/%d", d.id), cookie, nil, "")
	if r.Status != 200 && r.Status != 404 {
		return r, what, sent, rcv
	}
	got, ok := decodeDoc(r)
	if !ok {
		hm.fail("%s: got %d %s; want a document", what, r.Status, r.Body)
		return apitest.Reply{}, what, sent, rcv
	}
	hm.observe(d.id, observation[docState]{what: what, got: got.String(), sent: sent, rcv: rcv, match: func(s docState) bool {
		if got.Deleted {
			return s.Deleted
		}
		return !s.Deleted && s == got
	}})
	return r, what, sent, rcv
}

// write creates, edits, reverts, deletes and restores writer w's own
// documents, through the three replicas in turn, recording each write.
func (hm *hammer) write(w int, cookie *http.Cookie, mine []*document) {
	rng := rand.New(rand.NewPCG(uint64(w), 23))
	n := w
	for k := len(mine); hm.going(); k++ {
		n++
		if len(mine) == 0 || (len(mine) < 12 && rng.IntN(6) == 0) {
			d := hm.create(n, w, k, cookie)
			if d == nil {
				return
			}
			mine = append(mine, d)
			continue
		}
		d := mine[rng.IntN(len(mine))]
		cur := d.h.last()
		path := fmt.Sprintf("/documents/%d", d.id)
		ifMatch := map[string]string{"If-Match": fmt.Sprintf(`"%d"`, cur.Version)}
		var (
			next   docState
			method = "PATCH"
			target = path
			body   string
			want   = 200
		)
		switch op := rng.IntN(10); {
		case cur.Deleted:
			// A restore brings the text back as the next version.
			next = docState{Version: cur.Version + 1, Title: cur.Title, Body: cur.Body}
			method, target, ifMatch = "POST", path+"/restore", nil
		case op < 6:
			v := cur.Version + 1
			next = docState{Version: v, Title: cur.Title, Body: strings.Repeat(fmt.Sprintf("writer%d document %d version %d. ", w, d.id, v), 8)}
			in := map[string]string{"body": next.Body}
			if op < 4 {
				// Title and body both change, so a read that mixed two
				// versions would show a pair no write sent.
				next.Title = fmt.Sprintf("writer%d document %d v%d", w, d.id, v)
				in["title"] = next.Title
			}
			b, _ := json.Marshal(in)
			body = string(b)
		case op < 8 && cur.Version > 1:
			// Revert takes an earlier version's text as the next version.
			back := d.h.events[rng.IntN(len(d.h.events))].state
			for back.Deleted || back.Version >= cur.Version {
				back = d.h.events[0].state
			}
			next = docState{Version: cur.Version + 1, Title: back.Title, Body: back.Body}
			method, target, body = "POST", path+"/revert", fmt.Sprintf(`{"version":%d}`, back.Version)
		default:
			next = docState{Version: cur.Version, Title: cur.Title, Body: cur.Body, Deleted: true}
			method, ifMatch, want = "DELETE", nil, 204
		}
		i := d.h.begin(next)
		r, what, _, _ := hm.send(n, method, target, cookie, ifMatch, body)
		if r.Status != want {
			hm.fail("%s: got %d %s; want %d", what, r.Status, r.Body, want)
			return
		}
		if want == 200 {
			if got, ok := decodeDoc(r); !ok || got != next {
				hm.fail("%s: got %s; want %s", what, got, next)
				return
			}
		}
		d.h.ack(i, next)
		hm.writes.Add(1)
	}
}

// read reads documents, the writers' lists and /me through replica n with
// the session a slot holds at the moment, recording what each answer
// showed of the documents and of the session.
func (hm *hammer) read(n int) {
	rng := rand.New(rand.NewPCG(uint64(n), 42))
	for hm.going() {
		s := hm.slots[rng.IntN(sessionSlots)].Load()
		hm.mu.Lock()
		var d *document
		if len(hm.ids) > 0 {
			d = hm.docs[hm.ids[rng.IntN(len(hm.ids))]]
		}
		hm.mu.Unlock()
		var (
			r         apitest.Reply
			what      string
			sent, rcv time.Time
		)
		switch op := rng.IntN(10); {
		case d != nil && op < 7:
			r, what, sent, rcv = hm.readDoc(n, d, s.cookie)
		case op < 9:
			w := rng.IntN(hammerWriters)
			r, what, sent, rcv = hm.send(n, "GET", fmt.Sprintf("/documents?author=writer%d&limit=1000", w), s.cookie, nil, "")
			if r.Status == 200 {
				hm.observeList(w, r, what, sent, rcv)
			}
			// The list is public: an ended session reads it as anyone
			// may, so the answer says nothing of the session.
			continue
		default:
			r, what, sent, rcv = hm.send(n, "GET", "/me", s.cookie, nil, "")
		}
		switch r.Status {
		case 0:
		case 401:
			s.observe(observation[boolState]{what: what, got: "401", sent: sent, rcv: rcv, match: func(b boolState) bool { return !b.on }})
		case 200, 404:
			s.observe(observation[boolState]{what: what, got: fmt.Sprint(r.Status), sent: sent, rcv: rcv, match: func(b boolState) bool { return b.on }})
		default:
			hm.fail("%s: got %d %s; want 200, 404 or 401", what, r.Status, r.Body)
		}
	}
}

// observeList records what a complete list of writer w's documents showed
// of each of them: a title and version, or its absence (deleted).
func (hm *hammer) observeList(w int, r apitest.Reply, what string, sent, rcv time.Time) {
	var items []struct {
		ID      int64
		Title   string
		Version int64
	}
	if err := json.Unmarshal(r.Body, &items); err != nil || r.Header.Get("Link") != "" {
		hm.fail("%s: got %s (Link %q); want the whole list on one page", what, r.Body, r.Header.Get("Link"))
		return
	}
	listed := map[int64]bool{}
	for _, it := range items {
		listed[it.ID] = true
		// A document whose create is in flight may be listed before the
		// writer knows its id: the check runs once every id is known.
		hm.observe(it.ID, observation[docState]{what: what, got: fmt.Sprintf("version %d %q listed", it.Version, it.Title), sent: sent, rcv: rcv, match: func(s docState) bool {
			return !s.Deleted && s.Version == it.Version && s.Title == it.Title
		}})
	}
	hm.mu.Lock()
	var absent []*document
	for _, id := range hm.ids {
		if d := hm.docs[id]; d.writer == w && !listed[id] {
			absent = append(absent, d)
		}
	}
	hm.mu.Unlock()
	for _, d := range absent {
		hm.observe(d.id, observation[docState]{what: what, got: "not listed", sent: sent, rcv: rcv, none: true, match: func(s docState) bool { return s.Deleted }})
	}
}

// probe tries, through replica n with dana's session, what only an admin
// may do: an edit of alice's probe document with a stale If-Match (412 for
// an admin, which changes nothing; 403 for a member) and the user list
// (200 or 403), and returns what each answer showed of dana's role.
func (hm *hammer) probe(n int, dana *http.Cookie, probePath string) []observation[boolState] {
	var obs []observation[boolState]
	for k := 0; hm.going(); k++ {
		method, path, header, body, yes := "GET", "/users", map[string]string(nil), "", 200
		if k%2 == 0 {
			method, path, header, body, yes = "PATCH", probePath, map[string]string{"If-Match": `"1"`}, `{"body":"never"}`, 412
		}
		r, what, sent, rcv := hm.send(n, method, path, dana, header, body)
		switch r.Status {
		case 0:
		case yes:
			obs = append(obs, observation[boolState]{what: what + " as dana", got: fmt.Sprint(r.Status), sent: sent, rcv: rcv, match: func(b boolState) bool { return b.on }})
		case 403:
			obs = append(obs, observation[boolState]{what: what + " as dana", got: "403", sent: sent, rcv: rcv, match: func(b boolState) bool { return !b.on }})
		default:
			hm.fail("%s as dana: got %d %s; want %d or 403", what, r.Status, r.Body, yes)
		}
	}
	return obs
}

// changeRoles has alice demote dana to member and promote her back to
// admin, through the replicas in turn, recording each change.
func (hm *hammer) changeRoles(alice *http.Cookie, dana int64, role *history[boolState], admin boolState) {
	path := fmt.Sprintf("/users/%d", dana)
	for n := 0; hm.going(); n++ {
		time.Sleep(40 * time.Millisecond)
		next := admin
		next.on = n%2 == 1
		i := role.begin(next)
		r, what, _, _ := hm.send(n, "PATCH", path, alice, nil, fmt.Sprintf(`{"role":%q}`, map[bool]string{true: "admin", false: "member"}[next.on]))
		if r.Status != 200 {
			hm.fail("%s: got %d %s; want 200", what, r.Status, r.Body)
			return
		}
		role.ack(i, next)
	}
}

// churnSessions logs out the session of each slot in turn, through the
// replicas in turn, leaves it in use for a moment, then logs its user in
// again through the next replica and puts the new session in the slot.
func (hm *hammer) churnSessions() {
	for n := 0; hm.going(); n++ {
		slot := n % sessionSlots
		s := hm.slots[slot].Load()
		out := boolState{yes: "logged in (200)", no: "logged out (401)"}
		i := s.h.begin(out)
		r, what, _, _ := hm.send(n, "DELETE", "/logout", s.cookie, nil, "")
		if r.Status != 204 {
			hm.fail("%s: got %d %s; want 204", what, r.Status, r.Body)
			return
		}
		s.h.ack(i, out)
		// Readers keep using the ended session for a while.
		time.Sleep(60 * time.Millisecond)
		next := hm.newSession(n+1, []string{"bob", "carol"}[n%2])
		if next == nil {
			return
		}
		hm.slots[slot].Store(next)
	}
}
