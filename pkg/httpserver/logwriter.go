package httpserver

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// LogWriter buffers the request log and writes it out every flushEvery, so
// a busy server makes one write system call per batch of lines rather than
// one per request. Close flushes what is left; a SIGKILL loses at most
// flushEvery of log lines, never a request.
type LogWriter struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

const flushEvery = 100 * time.Millisecond

// NewLogWriter returns a LogWriter writing to w; Close it to stop the
// flusher.
func NewLogWriter(w io.Writer) *LogWriter {
	lw := &LogWriter{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go lw.loop()
	return lw
}

// Write buffers p until the next flush.
func (lw *LogWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.buf.Write(p)
}

func (lw *LogWriter) flush() {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.buf.Flush()
}

func (lw *LogWriter) loop() {
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
func (lw *LogWriter) Close() error {
	close(lw.stop)
	<-lw.done
	return nil
}
