package api

import (
	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
)

// NewRoute returns r with h as its handler, for tests that need a route
// the table does not have. h gets the document handle authorized, or nil
// when r's rule is not about a document.
func NewRoute(r Route, h func(c *gin.Context, d *docs.Document) error) Route {
	r.handler = func(_ *Server, c *gin.Context) error {
		var d *docs.Document
		if v, ok := c.Get(ctxDocument); ok {
			d = v.(*docs.Document)
		}
		return h(c, d)
	}
	return r
}

// NewWithRoutes is New with extra routes after the table's.
func NewWithRoutes(cfg Config, deps Deps, extra ...Route) (*gin.Engine, error) {
	return newEngine(cfg, deps, append(Routes(), extra...))
}
