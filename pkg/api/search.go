package api

import (
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/search"
)

// searchDocuments answers GET /documents?q=: a page of the documents that
// match, best first (docs.Rank), each with a snippet. It pages by a cursor
// of the last result's rank and id rather than by id alone, since results
// are not in id order; a rank depends only on its document, so the next
// page starts where this one ended however other documents change.
func (s *Server) searchDocuments(c *gin.Context, q, author string) error {
	parsed, err := search.Parse(q)
	if err != nil {
		return docs.FieldErrorf("q", "%s", err.Error())
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	if _, ok := c.GetQuery("after"); ok {
		return docs.FieldErrorf("after", "after pages a list by id; a search's next page is the cursor its Link gives")
	}
	sp := docs.SearchPage{Query: parsed, Limit: p.Limit + 1, Author: author}
	if raw, ok, err := query(c, "cursor"); err != nil {
		return err
	} else if ok {
		if sp.After, err = parseCursor(raw); err != nil {
			return err
		}
	}
	found, err := s.Documents.SearchDocuments(c.Request.Context(), sp)
	if err != nil {
		return err
	}
	if len(found) > p.Limit {
		found = found[:p.Limit]
		last := found[len(found)-1]
		v := c.Request.URL.Query()
		v.Set("cursor", formatCursor(docs.SearchCursor{Rank: last.Rank, ID: last.ID}))
		v.Set("limit", strconv.Itoa(p.Limit))
		c.Header("Link", fmt.Sprintf(`<%s?%s>; rel="next"`, path.Base(c.Request.URL.Path), v.Encode()))
	}
	b := make([]byte, 0, 2+400*len(found))
	b = append(b, '[')
	for i, f := range found {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendDocument(b, &f.Document, false)
		b = appendSnippet(b[:len(b)-1], search.Snippet(f.Body, parsed))
		b = append(b, '}')
	}
	b = append(b, ']')
	c.Data(http.StatusOK, jsonContentType, b)
	return nil
}

// appendSnippet appends the snippet field of a search result.
func appendSnippet(b []byte, segs []search.Segment) []byte {
	b = append(b, `,"snippet":[`...)
	for i, s := range segs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"text":`...)
		b = appendString(b, s.Text)
		b = append(b, `,"match":`...)
		b = strconv.AppendBool(b, s.Match)
		b = append(b, '}')
	}
	return append(b, ']')
}

// A cursor is written rank-id, as 1-42: the rank and id of the last
// result of the page before.
func formatCursor(c docs.SearchCursor) string {
	return fmt.Sprintf("%d-%d", c.Rank, c.ID)
}

func parseCursor(s string) (docs.SearchCursor, error) {
	bad := docs.FieldErrorf("cursor", "cursor must be one that a search's Link gave, such as %s", formatCursor(docs.SearchCursor{Rank: docs.RankTitle, ID: 42}))
	rank, id, ok := strings.Cut(s, "-")
	if !ok {
		return docs.SearchCursor{}, bad
	}
	r, err := strconv.Atoi(rank)
	if err != nil || !docs.Rank(r).Valid() {
		return docs.SearchCursor{}, bad
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 || id[0] == '+' {
		return docs.SearchCursor{}, bad
	}
	return docs.SearchCursor{Rank: docs.Rank(r), ID: n}, nil
}
