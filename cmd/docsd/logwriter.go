package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logWriter buffers the request log and writes it out every flushEvery, so
// a busy server makes one write system call per batch of lines rather than
// one per request. Close flushes what is left; a SIGKILL loses at most
// flushEvery of log lines, never a request.
type logWriter struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

const flushEvery = 100 * time.Millisecond

func newLogWriter(w io.Writer) *logWriter {
	lw := &logWriter{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go lw.loop()
	return lw
}

func (lw *logWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.buf.Write(p)
}

func (lw *logWriter) flush() {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.buf.Flush()
}

func (lw *logWriter) loop() {
	defer close(lw.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			lw.flush()
		case <-lw.stop:
			lw.flush()
			return
		}
	}
}

// Close stops the flusher and writes out the rest.
func (lw *logWriter) Close() error {
	close(lw.stop)
	<-lw.done
	return nil
}
