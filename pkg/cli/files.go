package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
)

// Documents as files, for docs pull and docs push: one Markdown file per
// document, and a state file beside them that remembers what was pulled.

// docFile is a document as a file: a front matter block, then the body
// byte for byte.
//
//	---
//	id: 7
//	title: "Release notes"
//	author: "alice"
//	version: 3
//	updated: 2026-12-06T21:02:01.123456789Z
//	---
//	the body
type docFile struct {
	ID      int64 // 0 for a file not pushed yet
	Title   string
	Author  string
	Version int64
	Updated time.Time
	Body    string
}

func fileOf(d *client.Document) docFile {
	return docFile{ID: d.ID, Title: d.Title, Author: d.Author.Username, Version: d.Version, Updated: d.UpdatedAt, Body: d.Body}
}

// marshal writes the front matter as YAML that any YAML reader takes:
// strings double-quoted (Go's escapes are a subset of YAML's), numbers
// and the time plain.
func (f docFile) marshal() []byte {
	var b bytes.Buffer
	b.WriteString("---\n")
	fmt.Fprintf(&b, "id: %d\n", f.ID)
	fmt.Fprintf(&b, "title: %s\n", strconv.Quote(f.Title))
	fmt.Fprintf(&b, "author: %s\n", strconv.Quote(f.Author))
	fmt.Fprintf(&b, "version: %d\n", f.Version)
	fmt.Fprintf(&b, "updated: %s\n", f.Updated.UTC().Format(time.RFC3339Nano))
	b.WriteString("---\n")
	b.WriteString(f.Body)
	return b.Bytes()
}

// errNoFrontMatter is a file that does not begin with a "---" line: not a
// document file, as a README beside the documents is not.
var errNoFrontMatter = errors.New("no front matter: a document file begins with a line ---")

// parseDocFile reads a document file. Of the front matter it reads only
// "key: value" lines, a value being a double-quoted string or plain text
// to the end of the line; keys it does not know are left alone. A file
// someone wrote by hand needs only a title; id is what makes it a pulled
// document, and a file without one is a new document to push.
func parseDocFile(b []byte) (docFile, error) {
	var f docFile
	s := string(b)
	if !strings.HasPrefix(s, "---\n") {
		return f, errNoFrontMatter
	}
	s = s[len("---\n"):]
	end := strings.Index(s, "\n---\n")
	var head string
	switch {
	case strings.HasPrefix(s, "---\n"):
		head, f.Body = "", s[len("---\n"):]
	case end >= 0:
		head, f.Body = s[:end], s[end+len("\n---\n"):]
	default:
		return f, errors.New("the front matter has no closing line ---")
	}
	for i, line := range strings.Split(head, "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return f, fmt.Errorf("front matter line %d: want key: value, got %q", i+2, line)
		}
		value = strings.TrimSpace(value)
		if strings.HasPrefix(value, `"`) {
			v, err := strconv.Unquote(value)
			if err != nil {
				return f, fmt.Errorf("front matter line %d: invalid quoted string %s", i+2, value)
			}
			value = v
		}
		var err error
		switch strings.TrimSpace(key) {
		case "id":
			f.ID, err = strconv.ParseInt(value, 10, 64)
			if err == nil && f.ID < 1 {
				err = errors.New("not positive")
			}
		case "title":
			f.Title = value
		case "author":
			f.Author = value
		case "version":
			f.Version, err = strconv.ParseInt(value, 10, 64)
		case "updated":
			f.Updated, err = time.Parse(time.RFC3339Nano, value)
		}
		if err != nil {
			return f, fmt.Errorf("front matter line %d: invalid %s %q", i+2, strings.TrimSpace(key), value)
		}
	}
	return f, nil
}

// maxSlug bounds the title part of a file name, so that a long title
// still makes a name every file system takes.
const maxSlug = 48

// fileName is a document's file name: "<id>-<slug>.md", the slug the
// title's ASCII letters and digits in lower case, each run of anything
// else one '-'. A title with no ASCII letter or digit gives "<id>.md".
func fileName(id int64, title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	slug := b.String()
	if len(slug) > maxSlug {
		slug = strings.TrimRight(slug[:maxSlug], "-")
	}
	if slug == "" {
		return fmt.Sprintf("%d.md", id)
	}
	return fmt.Sprintf("%d-%s.md", id, slug)
}

// stateDir is the directory, inside the one pulled into, where docs keeps
// what it pulled.
const stateDir = ".docs"

// pullState is DIR/.docs/state.json: the server the files came from and,
// for each document, its file and what was pulled (or last pushed), so
// that a change made here can be told from one made on the server.
type pullState struct {
	Server    string               `json:"server"`
	Documents map[int64]*pulledDoc `json:"documents"`
}

// pulledDoc is one document as docs last wrote or sent it.
type pulledDoc struct {
	File       string `json:"file"` // in the directory, no path
	Version    int64  `json:"version"`
	Title      string `json:"title"`
	BodySHA256 string `json:"body_sha256"`
}

func pulledFrom(name string, f docFile) *pulledDoc {
	return &pulledDoc{File: name, Version: f.Version, Title: f.Title, BodySHA256: bodyHash(f.Body)}
}

func bodyHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// changedSince reports whether f's title or body differ from what was
// pulled.
func (p *pulledDoc) changedSince(f docFile) bool {
	return f.Title != p.Title || bodyHash(f.Body) != p.BodySHA256
}

// loadState reads dir's state, or an empty one for server. A directory
// pulled from another server is refused: its IDs name other documents.
func loadState(dir, server string) (*pullState, error) {
	st := &pullState{Server: server, Documents: map[int64]*pulledDoc{}}
	b, err := os.ReadFile(filepath.Join(dir, stateDir, "state.json")) //nolint:gosec // G304: the state of the directory the user named
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Join(dir, stateDir, "state.json"), err)
	}
	if st.Server != server {
		return nil, exitcode.Usagef("%s holds documents pulled from %s, not %s: use another directory for this server", dir, st.Server, server)
	}
	if st.Documents == nil {
		st.Documents = map[int64]*pulledDoc{}
	}
	return st, nil
}

func saveState(dir string, st *pullState) error {
	if err := os.MkdirAll(filepath.Join(dir, stateDir), 0o755); err != nil { //nolint:gosec // G301: the user's own directory, readable as the files beside it are
		return err
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, stateDir, "state.json"), append(b, '\n'))
}

// writeFileAtomic writes a temporary file beside path and renames it over
// path, so that a reader, or a crash, never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".docs-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file private; a document is as readable as
	// any file the user writes.
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { //nolint:gosec // G302: see above
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// fileConflictError is a document whose file and server copy both
// changed: docs neither overwrites the file nor sends it. It exits 7, as
// a conflict the server reports does; err is the server's 412, if any.
type fileConflictError struct {
	msg  string
	hint string
	err  error
}

func (e *fileConflictError) Error() string { return e.msg }
func (e *fileConflictError) Unwrap() error { return e.err }
func (e *fileConflictError) Hint() string  { return e.hint }

// ProblemExtensions puts in the -o json problem document what the text
// says: the server's 412 speaks of a version, not of the file kept here
// and how to merge it.
func (e *fileConflictError) ProblemExtensions() map[string]any {
	return map[string]any{"detail": e.msg, "hint": e.hint}
}

// mergeHint is how to resolve a conflict over file in dir: set the local
// text aside, pull the server's, merge, push.
func mergeHint(dir, file string) string {
	q := shellQuote(filepath.Join(dir, file))
	pull := "docs pull"
	if dir != "." {
		pull += " " + shellQuote(dir)
	}
	return fmt.Sprintf("To merge: mv %s %s.mine; %s; then bring your changes from %s.mine into %s, and push.", q, q, pull, q, q)
}

// diffFileRun is docs diff ID [FILE]: from the document's current version
// to the file, or to the file docs pull wrote for it into ".".
func diffFileRun(ctx context.Context, opts *diffOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	path := opts.File
	if path == "" {
		st, err := loadState(".", sess.Server)
		if err != nil {
			return err
		}
		p := st.Documents[opts.ID]
		if p == nil {
			return exitcode.Usagef("document %d was not pulled into this directory: name a file, or give --version", opts.ID)
		}
		path = p.File
	}
	f, err := readDocFile(path)
	if err != nil {
		return exitcode.Usagef("cannot compare with %s: %v", path, err)
	}
	d, err := sess.Client.GetDocument(ctx, opts.ID)
	if err != nil {
		return sess.check(err)
	}
	a := docVersion{d.Version, d.Title, d.Body}
	b := docVersion{title: f.Title, body: f.Body}
	return printDiff(opts, udiff.Unified(fmt.Sprintf("document %d version %d", d.ID, d.Version), path, a.text(), b.text()))
}

// fileResult is what docs pull or docs push did with one document: with
// -o json, each is printed as one JSON object as it is done, so that a
// script reads what happened to each file.
type fileResult struct {
	ID     int64  `json:"id"`   // 0 for a file whose document could not be created
	File   string `json:"file"` // as messages name it: the directory joined with the name; "" when there is none
	Action string `json:"action"`
	Error  string `json:"error,omitempty"` // with action "conflict" or "failed"
}

// fileResultFields are fileResult's members, for addJSONFlags.
var fileResultFields = []string{"id", "file", "action", "error"}

// fileResults prints fileResults with -o json, and nothing otherwise (the
// messages on stderr say it for a person).
type fileResults struct {
	w    io.Writer
	json bool
}

// report prints what was done with document id in file: action, or, when
// err is not nil, "conflict" (exit 7) or "failed" with the error.
func (r fileResults) report(id int64, file, action string, err error) error {
	if !r.json {
		return nil
	}
	res := fileResult{ID: id, File: file, Action: action}
	if err != nil {
		res.Action, res.Error = "failed", err.Error()
		if exitCode(err) == exitConflict {
			res.Action = "conflict"
		}
	}
	return writeJSON(r.w, res)
}
