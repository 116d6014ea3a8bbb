package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
)

// The wire types of a document's history, which appendRevision writes by
// hand: they exist for the OpenAPI description, against which the API
// tests validate every answer.

type revisionSummaryJSON struct {
	DocumentID int64      `json:"document_id"`
	Version    int64      `json:"version"`
	Title      string     `json:"title"`
	Author     authorJSON `json:"author"`
	// By is the user who made the change; absent for a change no user
	// made through the API (the reassignment of `docsd user rm
	// --reassign-to`, or the version a document had when docsd began to
	// keep history).
	By        *authorJSON `json:"by,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
}

// revisionJSON is a revision with its body, as one revision is sent.
type revisionJSON struct {
	revisionSummaryJSON
	Body string `json:"body"`
}

type revertInput struct {
	Version *int64 `json:"version" openapi:"required"`
}

// immutable is the Cache-Control of a revision on a public route: it
// never changes, so anyone may keep it for a year.
var immutable = []string{"public, max-age=31536000, immutable"}

// historyOf parses :id and checks that the caller may read the history of
// that document: anyone who may read the document (the guard has decided
// that) while it exists; once it is deleted, its author or an admin
// (ReadDeletedHistory), and to anyone else who is not logged in it is
// 404, as the document is.
func (s *Server) historyOf(c *gin.Context) (int64, error) {
	e, err := s.loadDocument(c)
	if err == nil {
		return e.ID, nil
	}
	if !docs.IsNotFound(err) {
		return 0, err
	}
	u, uerr := currentUser(c)
	if uerr != nil {
		return 0, err
	}
	d, derr := s.loadDeletedDocument(c)
	if docs.IsNotFound(derr) {
		return 0, err
	}
	if derr != nil {
		return 0, derr
	}
	if err := authorize(u, ReadDeletedHistory, d); err != nil {
		// The route has no policy of its own to classify the refusal by.
		c.Set(ctxDenial, denyNotAuthor)
		return 0, err
	}
	return d.ID, nil
}

// loadDeletedDocument parses :id and loads the deleted document: 400 for
// a bad id, 404 for one that never existed, 409 for one that is not
// deleted.
func (s *Server) loadDeletedDocument(c *gin.Context) (*docs.Document, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return s.Documents.DeletedDocument(c.Request.Context(), id)
}

func (s *Server) listRevisions(c *gin.Context) error {
	id, err := s.historyOf(c)
	if err != nil {
		return err
	}
	list, err := listPage(c, func(ctx context.Context, p docs.Page) ([]*docs.Revision, error) {
		return s.Documents.Revisions(ctx, id, p)
	}, func(r *docs.Revision) int64 { return r.Version })
	if err != nil {
		return err
	}
	b := make([]byte, 0, 2+200*len(list))
	b = append(b, '[')
	for i, r := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRevision(b, r, false)
	}
	c.Data(http.StatusOK, jsonContentType, append(b, ']'))
	return nil
}

// appendRevision writes a revision as encoding/json writes revisionJSON
// (without "body" when withBody is false), by hand as documents are (see
// appendDocument); TestRevisionEncodingMatchesEncodingJSON holds the two
// together.
func appendRevision(b []byte, r *docs.Revision, withBody bool) []byte {
	b = append(b, `{"document_id":`...)
	b = strconv.AppendInt(b, r.DocumentID, 10)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, r.Version, 10)
	b = append(b, `,"title":`...)
	b = appendString(b, r.Title)
	b = append(b, `,"author":`...)
	b = appendAuthor(b, r.Author)
	if r.By.ID != 0 {
		b = append(b, `,"by":`...)
		b = appendAuthor(b, r.By)
	}
	b = append(b, `,"created_at":"`...)
	b = r.CreatedAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if withBody {
		b = append(b, `,"body":`...)
		b = appendString(b, r.Body)
	}
	return append(b, '}')
}

func appendAuthor(b []byte, a docs.Author) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, a.ID, 10)
	b = append(b, `,"username":`...)
	b = appendString(b, a.Username)
	return append(b, '}')
}

// getRevision sends one revision. It never changes, so its ETag is
// strong, and on a public route an anonymous answer may be kept for a
// year; a private route's answer stays no-store, set by the guard.
func (s *Server) getRevision(c *gin.Context) error {
	raw := c.Param("version")
	version, perr := strconv.ParseInt(raw, 10, 64)
	if perr != nil || version < 1 || raw[0] == '+' {
		return docs.FieldErrorf("version", "version must be a positive integer, not %q", raw)
	}
	id, err := s.historyOf(c)
	if err != nil {
		return err
	}
	r, err := s.Documents.Revision(c.Request.Context(), id, version)
	if err != nil {
		return err
	}
	h := c.Writer.Header()
	if _, set := h["Cache-Control"]; !set {
		h["Cache-Control"] = immutable
	}
	h["ETag"] = []string{etag(r.Version)}
	c.Data(http.StatusOK, jsonContentType, appendRevision(make([]byte, 0, 256+len(r.Body)), r, true))
	return nil
}

// revertDocument runs once handle has checked the id (400), that the
// document exists (404) and the edit rule (403); it checks the body (400)
// and If-Match (412 when stale).
func (s *Server) revertDocument(c *gin.Context) error {
	d := routeDocument(c)
	var in revertInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Version == nil || *in.Version < 1 {
		return docs.FieldErrorf("version", "version is required: the version whose title and body to bring back, 1 or more")
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	u, err := currentUser(c)
	if err != nil {
		return err
	}
	d, err = s.Documents.RevertDocument(c.Request.Context(), d.ID, *in.Version, version, u.ID, s.cfg.Now().UTC())
	if err != nil {
		return err
	}
	c.Header("ETag", etag(d.Version))
	writeDocument(c, http.StatusOK, d)
	return nil
}

// restoreDocument runs once handle has loaded the deleted document (400,
// 404, 409 when it is not deleted) and checked the restore rule (403).
func (s *Server) restoreDocument(c *gin.Context) error {
	d := routeDocument(c)
	u, err := currentUser(c)
	if err != nil {
		return err
	}
	d, err = s.Documents.RestoreDocument(c.Request.Context(), d.ID, u.ID, s.cfg.Now().UTC())
	if err != nil {
		return err
	}
	c.Header("ETag", etag(d.Version))
	writeDocument(c, http.StatusOK, d)
	return nil
}
