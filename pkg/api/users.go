package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
)

func (s *Server) listUsers(c *gin.Context) error {
	list, err := listPage(c, s.Users.ListUsers, func(u *docs.User) int64 { return u.ID })
	if err != nil {
		return err
	}
	out := make([]userJSON, len(list))
	for i, u := range list {
		out[i] = toUserJSON(u)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

type roleInput struct {
	Role *docs.Role `json:"role" openapi:"required"`
}

// updateUser checks, in order: the id (400), that the user exists (404),
// then the body (400). Only an admin gets this far (see handle).
func (s *Server) updateUser(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if _, err := s.Users.UserByID(c.Request.Context(), id); err != nil {
		return err
	}
	var in roleInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Role == nil || !in.Role.Valid() {
		return docs.FieldErrorf("role", "role must be one of %s", roleNames())
	}
	target, err := s.Users.SetRole(c.Request.Context(), id, *in.Role)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toUserJSON(target))
	return nil
}

func roleNames() string {
	names := make([]string, len(docs.Roles()))
	for i, r := range docs.Roles() {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
