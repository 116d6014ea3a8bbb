package httpserver

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/docsd/docs/internal/syncbuf"
)

func TestLogWriter(t *testing.T) {
	t.Run("a line reaches the writer without Close, by the next flush", func(t *testing.T) {
		var out syncbuf.Buffer
		lw := NewLogWriter(&out)
		defer lw.Close()
		if _, err := io.WriteString(lw, "one\n"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for out.String() != "one\n" {
			if time.Now().After(deadline) {
				t.Fatalf("written %q after 10s; want %q", out.String(), "one\n")
			}
			time.Sleep(flushEvery / 4)
		}
	})
	t.Run("Close writes out what is buffered and stops the flusher", func(t *testing.T) {
		var out syncbuf.Buffer
		lw := NewLogWriter(&out)
		want := strings.Repeat("a request log line\n", 100)
		if _, err := io.WriteString(lw, want); err != nil {
			t.Fatal(err)
		}
		if err := lw.Close(); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != want {
			t.Errorf("written after Close: %d bytes; want the %d written", len(got), len(want))
		}
		select {
		case <-lw.done:
		default:
			t.Error("the flusher is still running after Close")
		}
	})
}

// TestConnStatesWait: a shutdown waits for a connection with a request
// being answered, and for one that may still send a request (just
// accepted, or idle after an answer that kept it open) until it has been
// silent for quietGrace; not for one that is closed.
func TestConnStatesWait(t *testing.T) {
	c := newConnStates()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	quiet := func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		return c.wait(ctx) == nil
	}
	// silent makes conn look silent for longer than quietGrace.
	silent := func(conn net.Conn) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.open[conn] = time.Now().Add(-quietGrace)
	}
	if !quiet() {
		t.Fatal("wait with no connection did not return; want it to return at once")
	}
	c.track(a, http.StateNew)
	if quiet() {
		t.Errorf("wait returned with a connection just accepted; want it to wait up to %v for its request", quietGrace)
	}
	c.track(a, http.StateActive)
	if quiet() {
		t.Error("wait returned with a request being answered; want it to wait")
	}
	c.track(a, http.StateIdle)
	if quiet() {
		t.Errorf("wait returned with a connection idle since its answer; want it to wait up to %v for the next request", quietGrace)
	}
	silent(a)
	if !quiet() {
		t.Errorf("wait did not return with the connection idle for %v", quietGrace)
	}
	c.track(b, http.StateNew)
	silent(b)
	if !quiet() {
		t.Errorf("wait did not return with a new connection silent for %v", quietGrace)
	}
	c.track(a, http.StateActive)
	c.track(a, http.StateClosed)
	c.track(b, http.StateClosed)
	if !quiet() {
		t.Error("wait did not return with every connection closed")
	}
}

// TestServerCloseAnswersRequestsInFlight: Close answers the request in a
// handler, and one a client writes after Close began to a connection kept
// open since an earlier answer (as nginx does), telling it to close; it
// refuses new connections meanwhile.
func TestServerCloseAnswersRequestsInFlight(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	srv := New(Config{
		Addr: "127.0.0.1:0",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/hold" {
				close(entered)
				<-release
			}
			_, _ = io.WriteString(w, "answered") // the client reports a short answer
		}),
		ShutdownTimeout: 30 * time.Second,
	})
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Errorf("URL() = %q; want http://127.0.0.1:port", srv.URL())
	}

	kept, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	keptReader := bufio.NewReader(kept)
	get := func() (*http.Response, error) {
		if _, err := io.WriteString(kept, "GET / HTTP/1.1\r\nHost: docsd\r\n\r\n"); err != nil {
			return nil, err
		}
		resp, err := http.ReadResponse(keptReader, nil)
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp, err
	}
	if resp, err := get(); err != nil || resp.Close { //nolint:bodyclose // get reads and closes it
		t.Fatalf("GET / before Close: got %v (closing: %v); want an answer that keeps the connection", err, resp != nil && resp.Close)
	}

	type reply struct {
		body string
		err  error
	}
	replied := make(chan reply, 1)
	go func() {
		// Not kept open: only the connection above is left to Close.
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := client.Get(srv.URL() + "/hold")
		if err != nil {
			replied <- reply{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		replied <- reply{string(b), err}
	}()
	<-entered
	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	<-srv.Done()
	if _, err := net.Dial("tcp", srv.Addr().String()); err == nil {
		t.Error("a connection after Close began was accepted; want it refused")
	}
	resp, err := get() //nolint:bodyclose // get reads and closes it
	if err != nil || resp.StatusCode != 200 || !resp.Close {
		t.Errorf("GET / on the kept connection after Close began: got %v, %v (closing: %v); want 200 with Connection: close", resp, err, resp != nil && resp.Close)
	}
	if _, err := keptReader.ReadByte(); err != io.EOF {
		t.Errorf("the kept connection after its answer with Connection: close: read %v; want EOF", err)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned %v with a request in its handler; want it to wait", err)
	default:
	}
	close(release)
	if r := <-replied; r.err != nil || r.body != "answered" {
		t.Errorf("the request in flight got %q, %v; want its answer", r.body, r.err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close() = %v; want nil", err)
	}
	if err := srv.Err(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Err() after Close = %v; want net.ErrClosed", err)
	}
}

func TestServerCloseGivesUpAfterShutdownTimeout(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	srv := New(Config{
		Addr: "127.0.0.1:0",
		Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			close(entered)
			<-release
		}),
		ShutdownTimeout: 50 * time.Millisecond,
	})
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	go func() {
		if resp, err := http.Get(srv.URL() + "/"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	if err := srv.Close(); !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "shutdown: ") {
		t.Errorf("Close() with a handler that never returns = %v; want a shutdown error past the deadline", err)
	}
}
