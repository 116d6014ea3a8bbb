package api

import (
	"fmt"
	"net/http"

	ginsessions "github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
	"github.com/docsd/docs/pkg/session"
	"github.com/docsd/docs/pkg/version"
)

// health says the process is up: a liveness check, which never asks the
// database, so an outage does not get a replica restarted.
func (s *Server) health(c *gin.Context) error {
	c.JSON(http.StatusOK, healthJSON{Status: "ok", Version: version.String()})
	return nil
}

// ready says the process can serve: the database answers. A load balancer
// sends no traffic to a replica while it answers 503.
func (s *Server) ready(c *gin.Context) error {
	if err := s.Ready(c.Request.Context()); err != nil {
		return err
	}
	c.JSON(http.StatusOK, healthJSON{Status: "ready", Version: version.String()})
	return nil
}

type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) register(c *gin.Context) error {
	if !s.cfg.AllowRegistration {
		return docs.Errorf(docs.Forbidden, "registration is disabled on this server; ask an admin for an account")
	}
	var in credentials
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := docs.ValidateUsername(in.Username); err != nil {
		return err
	}
	if err := docs.ValidatePassword(in.Password); err != nil {
		return err
	}
	// Each registration costs a bcrypt hash and makes an account, so it
	// counts toward the address's limit like a failed login.
	if err := s.reserveAttempt(c.Request.Context(), "", c.ClientIP()); err != nil {
		return err
	}
	hash, err := s.Passwords.Hash(in.Password)
	if err != nil {
		return err
	}
	u := &docs.User{Username: in.Username, Role: docs.RoleMember, PasswordHash: hash, CreatedAt: s.cfg.Now().UTC()}
	if err := s.Users.CreateUser(c.Request.Context(), u); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toUserJSON(u))
	return nil
}

// errBadCredentials is the one answer to a failed login, whether the user
// exists or not.
var errBadCredentials = docs.Errorf(docs.Unauthorized, "invalid username or password")

// login checks the password and starts a new session under a new id. Any
// session the request came with is ended (see package session), so a
// cookie planted before login is worth nothing after it.
func (s *Server) login(c *gin.Context) error {
	// A session the caller still sends is not who is logging in: the log
	// line names the username attempted, and the user only on success.
	c.Delete(ctxUser)
	var in credentials
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Username == "" || in.Password == "" {
		return docs.Errorf(docs.Invalid, "username and password are required")
	}
	// No user has such a name, but it would be stored with the count.
	if err := docs.ValidateText("username", in.Username); err != nil {
		return err
	}
	// No such user can exist, but the attempt still counts toward the
	// address; only a bounded name is stored and logged.
	name := in.Username
	if len(name) > docs.MaxUsernameLen {
		name = name[:docs.MaxUsernameLen]
	}
	c.Set(ctxLogin, name)
	ctx := c.Request.Context()
	if err := s.reserveAttempt(ctx, name, c.ClientIP()); err != nil {
		return err
	}
	var u *docs.User
	if name == in.Username {
		var err error
		if u, err = s.Users.UserByName(ctx, name); err != nil && !docs.IsNotFound(err) {
			return err
		}
	}
	if !s.Passwords.Check(u, in.Password) {
		if u == nil {
			c.Set(ctxReason, fmt.Sprintf("login: unknown user %q", name))
		} else {
			c.Set(ctxReason, "login: wrong password for "+u.Username)
		}
		return errBadCredentials
	}
	// Only a login that got its session is a good one and resets the
	// count: one refused because the password changed meanwhile stays
	// counted as a failure.
	if err := startSession(c, u); err != nil {
		return err
	}
	if err := s.clearFailures(ctx, u.Username); err != nil {
		return err
	}
	c.JSON(http.StatusOK, toUserJSON(u))
	return nil
}

// startSession gives the request a new session for u under a new id,
// ending the one it came with. The session is made only while u still has
// the password hash that was checked (see session.PasswordHashKey): a
// password change or a removal that got in since is a 401, and no session.
func startSession(c *gin.Context, u *docs.User) error {
	sess := ginsessions.Default(c)
	sess.Clear()
	sess.Set(session.UserIDKey, u.ID)
	sess.Set(session.PasswordHashKey, u.PasswordHash)
	sess.Set(session.ClientAddressKey, c.ClientIP())
	sess.Set(session.UserAgentKey, c.Request.UserAgent())
	if err := sess.Save(); err != nil {
		if docs.KindOf(err) == docs.PreconditionFailed {
			c.Set(ctxReason, "login: the password of "+u.Username+" changed, or the user was removed, after it was checked")
			return errBadCredentials
		}
		return err
	}
	// The answer carries the new session's cookie: no cache may keep it.
	c.Writer.Header()["Cache-Control"] = noStore
	c.Set(ctxUser, u)
	return nil
}

// logout deletes the session record, so the cookie is dead even if a copy
// of it survives, and tells the browser to drop it.
func (s *Server) logout(c *gin.Context) error {
	sess := ginsessions.Default(c)
	sess.Options(ginsessions.Options{MaxAge: -1})
	if err := sess.Save(); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) me(c *gin.Context) error {
	u, err := currentUser(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toUserJSON(u))
	return nil
}

type passwordChange struct {
	CurrentPassword string `json:"current_password"`
	Password        string `json:"password"`
}

// updateMe changes the caller's password. The current password is checked
// like a login (throttled, and a wrong one counts as a failure); on success
// every session of the user ends and the caller continues under a new id.
func (s *Server) updateMe(c *gin.Context) error {
	u, err := currentUser(c)
	if err != nil {
		return err
	}
	var in passwordChange
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.CurrentPassword == "" {
		return docs.FieldErrorf("current_password", "current_password is required")
	}
	if err := docs.ValidatePassword(in.Password); err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := s.reserveAttempt(ctx, u.Username, c.ClientIP()); err != nil {
		return err
	}
	if !s.Passwords.Check(u, in.CurrentPassword) {
		return errWrongCurrentPassword
	}
	hash, err := s.Passwords.Hash(in.Password)
	if err != nil {
		return err
	}
	// The change applies only if the hash just checked is still stored;
	// a change that got in first means the caller no longer knows the
	// current password, and the attempt stays counted as a failure.
	if err := s.Users.ChangePassword(ctx, u.ID, u.PasswordHash, hash); err != nil {
		if docs.KindOf(err) == docs.PreconditionFailed {
			c.Set(ctxReason, "password change: the password of "+u.Username+" changed after it was checked")
			return errWrongCurrentPassword
		}
		return err
	}
	if err := s.clearFailures(ctx, u.Username); err != nil {
		return err
	}
	changed := *u
	changed.PasswordHash = hash
	if err := startSession(c, &changed); err != nil {
		return err
	}
	c.JSON(http.StatusOK, toUserJSON(&changed))
	return nil
}

var errWrongCurrentPassword = docs.Errorf(docs.Forbidden, "the current password is wrong")
