package api_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/docsd/docs/pkg/api/apitest"
)

// waitingBody is a request body that calls waiting when its reader asks
// for more after the first bytes arrived: the moment a body announced in
// full and sent in part holds whatever the server set aside for it.
type waitingBody struct {
	io.ReadCloser
	received int
	waiting  func()
}

func (b *waitingBody) Read(p []byte) (int, error) {
	if b.received > 0 {
		b.waiting()
	}
	n, err := b.ReadCloser.Read(p)
	b.received += n
	return n, err
}

// TestAnnouncedBodySizeIsNotAllocated opens 400 connections that each
// announce a 2 MiB login body and send one byte of it. While they wait,
// the heap must hold about what was received, not what was announced:
// under 100 MiB more than before.
func TestAnnouncedBodySizeIsNotAllocated(t *testing.T) {
	const (
		conns     = 400
		announced = 2 << 20
		bound     = 100 << 20
	)
	srv := apitest.NewServer(t)
	var (
		waiting  sync.WaitGroup
		answered atomic.Int32
	)
	waiting.Add(conns)
	engine := srv.Config.Handler
	// The real engine, behind a front that only watches the body.
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var once sync.Once
		r.Body = &waitingBody{ReadCloser: r.Body, waiting: func() { once.Do(waiting.Done) }}
		engine.ServeHTTP(w, r)
		once.Do(func() { answered.Add(1); waiting.Done() })
	}))
	t.Cleanup(front.Close)

	idle := heapInUse()
	open := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	for range conns {
		c, err := net.Dial("tcp", front.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, c)
		if _, err := fmt.Fprintf(c, "POST /login HTTP/1.1\r\nHost: docsd\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", announced); err != nil {
			t.Fatal(err)
		}
	}
	waiting.Wait()
	if n := answered.Load(); n > 0 {
		t.Fatalf("%d of %d requests were answered before their body arrived; want every one waiting for it", n, conns)
	}
	held := heapInUse()
	t.Logf("heap: %d MiB idle, %d MiB with %d bodies of %d bytes announced and 1 sent", idle>>20, held>>20, conns, announced)
	if held > idle+bound {
		t.Errorf("heap with %d half-sent bodies = %d MiB, idle %d MiB: got %d MiB more, want under %d MiB",
			conns, held>>20, idle>>20, (held-idle)>>20, bound>>20)
	}
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
