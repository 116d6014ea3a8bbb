package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/cache"
	"github.com/docsd/docs/pkg/docs"
)

func (s *Server) listDocuments(c *gin.Context) error {
	author, filtered, err := query(c, "author")
	if err != nil {
		return err
	}
	if filtered {
		if err := docs.ValidateUsername(author); err != nil {
			return docs.FieldErrorf("author", "author must be a username: %v", err)
		}
	}
	q, searching, err := query(c, "q")
	if err != nil {
		return err
	}
	if searching {
		return s.searchDocuments(c, q, author)
	}
	if _, ok := c.GetQuery("cursor"); ok {
		return docs.FieldErrorf("cursor", "cursor pages a search; send it with q, as the search's Link does")
	}
	list, err := listPage(c, func(ctx context.Context, p docs.Page) ([]*docs.Document, error) {
		p.Author = author
		return s.Documents.ListDocuments(ctx, p)
	}, func(d *docs.Document) int64 { return d.ID })
	if err != nil {
		return err
	}
	writeDocumentList(c, list)
	return nil
}

type documentInput struct {
	Title *string `json:"title"`
	Body  *string `json:"body"`
}

func (s *Server) createDocument(c *gin.Context) error {
	u, err := currentUser(c)
	if err != nil {
		return err
	}
	var in documentInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Title == nil {
		return docs.FieldErrorf("title", "title is required")
	}
	body := ""
	if in.Body != nil {
		body = *in.Body
	}
	if err := validateDocument(in.Title, &body); err != nil {
		return err
	}
	now := s.cfg.Now().UTC()
	d := &docs.Document{Title: *in.Title, Body: body, Author: docs.Author{ID: u.ID}, CreatedAt: now, UpdatedAt: now}
	if err := s.Documents.CreateDocument(c.Request.Context(), d); err != nil {
		return err
	}
	c.Header("Location", fmt.Sprintf("/documents/%d", d.ID))
	c.Header("ETag", etag(d.Version))
	writeDocument(c, http.StatusCreated, d)
	return nil
}

func validateDocument(title, body *string) error {
	if title != nil {
		if err := docs.ValidateTitle(*title); err != nil {
			return err
		}
	}
	if body != nil {
		return docs.ValidateBody(*body)
	}
	return nil
}

// loadDocument parses :id and loads the document, encoded, through the
// document cache: 400 for a bad id, 404 for a missing document, both
// before any ownership check. What it returns is shared: read it only.
func (s *Server) loadDocument(c *gin.Context) (*cache.Document, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, err
	}
	return s.Documents.Encoded(c.Request.Context(), id)
}

// routeDocument is the :id document that handle loaded and authorized
// under the route's document rule (see checkAccess). It is shared with
// the document cache: read it only.
func routeDocument(c *gin.Context) *docs.Document {
	return c.MustGet(ctxDocument).(*docs.Document)
}

// getDocument needs no user of its own: the guard decides who may read, so
// an operator who puts "document" on the skip list gets a public wiki. It
// writes the bytes the document cache keeps.
func (s *Server) getDocument(c *gin.Context) error {
	d, err := s.loadDocument(c)
	if err != nil {
		return err
	}
	c.Header("ETag", d.ETag)
	c.Data(http.StatusOK, jsonContentType, d.JSON)
	return nil
}

// updateDocument runs once handle has checked the id (400), that the
// document exists (404) and the policy (403); it checks the body (400) and
// If-Match (412 when stale).
func (s *Server) updateDocument(c *gin.Context) error {
	d := routeDocument(c)
	var in documentInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Title == nil && in.Body == nil {
		return docs.Errorf(docs.Invalid, "nothing to change: send title, body or both")
	}
	if err := validateDocument(in.Title, in.Body); err != nil {
		return err
	}
	version, err := ifMatch(c)
	if err != nil {
		return err
	}
	u, err := currentUser(c)
	if err != nil {
		return err
	}
	d, err = s.Documents.UpdateDocument(c.Request.Context(), d.ID, docs.DocumentUpdate{Title: in.Title, Body: in.Body}, version, u.ID, s.cfg.Now().UTC())
	if err != nil {
		return err
	}
	c.Header("ETag", etag(d.Version))
	writeDocument(c, http.StatusOK, d)
	return nil
}

func (s *Server) deleteDocument(c *gin.Context) error {
	d := routeDocument(c)
	if err := s.Documents.DeleteDocument(c.Request.Context(), d.ID); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
