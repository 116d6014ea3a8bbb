package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// Health reports whether the server answers GET /healthz with 200.
func (c *Client) Health(ctx context.Context) error {
	var out struct {
		Status string `json:"status"`
	}
	_, err := c.do(ctx, request{method: http.MethodGet, path: "/healthz", out: &out})
	return err
}

// ServerVersion returns the version docsd reports on GET /healthz.
func (c *Client) ServerVersion(ctx context.Context) (string, error) {
	var out struct {
		Version string `json:"version"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/healthz", out: &out}); err != nil {
		return "", err
	}
	return out.Version, nil
}

// Register creates an account with the member role.
func (c *Client) Register(ctx context.Context, cred Credentials) (*User, error) {
	var u User
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/register", body: cred, out: &u}); err != nil {
		return nil, err
	}
	return &u, nil
}

// Login starts a session; afterwards Session returns its cookie value and
// the client sends it with every request. A session the client already
// holds is sent with the login, and the server ends it. Wrong credentials
// give a 401 *Error (and leave the session held before as it was). Only a
// 200 that sets a non-empty session cookie is a login; any other answer is
// an error.
func (c *Client) Login(ctx context.Context, cred Credentials) (*User, error) {
	var u User
	resp, err := c.do(ctx, request{method: http.MethodPost, path: "/login", body: cred, out: &u})
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, fmt.Errorf("the server answered the login with %d %s, not 200 OK: no session was started", resp.status, http.StatusText(resp.status))
	}
	// Ask the response, not the jar: the jar may still hold the old
	// session, or have refused the new cookie for its Domain or Path.
	value := cookieValue(resp.header, SessionCookie)
	if value == "" {
		return nil, errors.New("the server accepted the login but set no " + SessionCookie + " cookie")
	}
	c.SetSession(value)
	return &u, nil
}

// cookieValue returns the value of the last non-empty cookie called name
// that h sets, or "".
func cookieValue(h http.Header, name string) string {
	value := ""
	for _, ck := range (&http.Response{Header: h}).Cookies() {
		if ck.Name == name && ck.Value != "" {
			value = ck.Value
		}
	}
	return value
}

// Logout ends the session on the server.
func (c *Client) Logout(ctx context.Context) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/logout"})
	return err
}

// Me returns the user the session belongs to.
func (c *Client) Me(ctx context.Context) (*User, error) {
	var u User
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/me", out: &u}); err != nil {
		return nil, err
	}
	return &u, nil
}

// ChangePassword changes the password of the session's user. The server
// ends every other session of the user and gives this one a new id, which
// the client keeps: read it with Session and store it in place of the old
// one. A wrong current password is a 403 *Error (and counts as a failed
// login, so repeated tries get 429).
func (c *Client) ChangePassword(ctx context.Context, current, password string) (*User, error) {
	var u User
	body := struct {
		CurrentPassword string `json:"current_password"`
		Password        string `json:"password"`
	}{current, password}
	if _, err := c.do(ctx, request{method: http.MethodPatch, path: "/me", body: body, out: &u}); err != nil {
		return nil, err
	}
	return &u, nil
}

// ListDocuments returns documents in ID order without their bodies,
// following the server's Link rel="next" pagination to the end, or until
// opts.Limit documents have been read.
func (c *Client) ListDocuments(ctx context.Context, opts ListOptions) ([]Document, error) {
	var all []Document
	_, err := c.ListDocumentPages(ctx, opts, func(page []Document) error {
		all = append(all, page...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// ListDocumentPages is ListDocuments handing each page to fn as it
// arrives, so a caller can show the first documents before the last page
// is asked for; an error from fn stops the listing and is returned. more
// reports that the listing stopped at opts.Limit while the server had more.
func (c *Client) ListDocumentPages(ctx context.Context, opts ListOptions, fn func([]Document) error) (more bool, err error) {
	q := url.Values{}
	pageSize := opts.PageSize
	if opts.Limit > 0 && (pageSize == 0 || opts.Limit < pageSize) && opts.Limit <= maxPageSize {
		pageSize = opts.Limit
	}
	if pageSize > 0 {
		q.Set("limit", strconv.Itoa(pageSize))
	}
	if opts.After > 0 {
		q.Set("after", strconv.FormatInt(opts.After, 10))
	}
	if opts.Author != "" {
		q.Set("author", opts.Author)
	}
	return getPages(ctx, c, request{method: http.MethodGet, path: "/documents", query: q}, opts.Limit, fn)
}

// SearchDocumentPages searches documents, the best matches first (those
// whose title matches, then the newest), following the server's Link
// rel="next" to the end or until opts.Limit documents, and hands each page
// to fn as it arrives. more reports that it stopped at opts.Limit while
// the server had more.
func (c *Client) SearchDocumentPages(ctx context.Context, opts SearchOptions, fn func([]Found) error) (more bool, err error) {
	q := url.Values{"q": {opts.Query}}
	if opts.Limit > 0 && opts.Limit <= maxPageSize {
		q.Set("limit", strconv.Itoa(opts.Limit))
	}
	if opts.Author != "" {
		q.Set("author", opts.Author)
	}
	return getPages(ctx, c, request{method: http.MethodGet, path: "/documents", query: q}, opts.Limit, fn)
}

// getPages GETs r and then each page the server's Link rel="next" header
// names, to the end or until limit items (limit 0 for all), and hands the
// items of each page to fn in order. more reports that it stopped at limit
// while there were more. Links to another server, and a link that repeats,
// are refused rather than followed.
func getPages[T any](ctx context.Context, c *Client, r request, limit int, fn func([]T) error) (more bool, err error) {
	seen := map[string]bool{}
	n := 0
	for {
		var page []T
		r.out = &page
		resp, err := c.do(ctx, r)
		if err != nil {
			return false, err
		}
		next := nextLink(resp.header)
		if limit > 0 && n+len(page) >= limit {
			more = n+len(page) > limit || (next != "" && len(page) > 0)
			return more, fn(page[:limit-n])
		}
		n += len(page)
		if err := fn(page); err != nil {
			return false, err
		}
		if next == "" || len(page) == 0 {
			return false, nil
		}
		nu, err := resp.url.Parse(next)
		if err != nil {
			return false, fmt.Errorf("invalid next page link %q: %w", next, err)
		}
		if nu.Scheme != c.base.Scheme || nu.Host != resp.url.Host {
			return false, fmt.Errorf("refusing next page link to another server: %s", nu)
		}
		if seen[nu.String()] {
			return false, fmt.Errorf("the server's next page link repeats itself: %s", nu)
		}
		seen[nu.String()] = true
		r = request{method: http.MethodGet, url: nu}
	}
}

// maxPageSize is the largest page the server serves.
const maxPageSize = 1000

// GetDocument returns one document with its body and ETag.
func (c *Client) GetDocument(ctx context.Context, id int64) (*Document, error) {
	var d Document
	resp, err := c.do(ctx, request{method: http.MethodGet, path: docPath(id), out: &d})
	if err != nil {
		return nil, err
	}
	d.ETag = etagOr(resp.header, d.Version)
	return &d, nil
}

// CreateDocument creates a document authored by the session's user.
func (c *Client) CreateDocument(ctx context.Context, doc NewDocument) (*Document, error) {
	var d Document
	resp, err := c.do(ctx, request{method: http.MethodPost, path: "/documents", body: doc, out: &d})
	if err != nil {
		return nil, err
	}
	d.ETag = etagOr(resp.header, d.Version)
	return &d, nil
}

// UpdateDocument changes the fields set in patch. With opts.IfMatch set, a
// document changed meanwhile is refused with a 412 *Error.
func (c *Client) UpdateDocument(ctx context.Context, id int64, patch DocumentPatch, opts UpdateOptions) (*Document, error) {
	var d Document
	r := request{method: http.MethodPatch, path: docPath(id), body: patch, out: &d}
	if opts.IfMatch != "" {
		r.header = http.Header{"If-Match": {opts.IfMatch}}
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	d.ETag = etagOr(resp.header, d.Version)
	return &d, nil
}

// DeleteDocument deletes a document.
func (c *Client) DeleteDocument(ctx context.Context, id int64) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: docPath(id)})
	return err
}

// ListRevisions returns the revisions of a document, newest first, without
// their bodies, following the server's Link rel="next" pagination to the
// end, or until limit revisions have been read (0 for all).
func (c *Client) ListRevisions(ctx context.Context, id int64, limit int) ([]Revision, error) {
	q := url.Values{}
	if limit > 0 && limit <= maxPageSize {
		q.Set("limit", strconv.Itoa(limit))
	}
	var all []Revision
	_, err := getPages(ctx, c, request{method: http.MethodGet, path: docPath(id) + "/revisions", query: q}, limit, func(page []Revision) error {
		all = append(all, page...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// GetRevision returns one revision of a document with its body.
func (c *Client) GetRevision(ctx context.Context, id, version int64) (*Revision, error) {
	var r Revision
	path := docPath(id) + "/revisions/" + strconv.FormatInt(version, 10)
	if _, err := c.do(ctx, request{method: http.MethodGet, path: path, out: &r}); err != nil {
		return nil, err
	}
	return &r, nil
}

// RevertDocument makes the title and body of version the document's next
// version. With opts.IfMatch set, a document changed meanwhile is refused
// with a 412 *Error.
func (c *Client) RevertDocument(ctx context.Context, id, version int64, opts UpdateOptions) (*Document, error) {
	var d Document
	body := struct {
		Version int64 `json:"version"`
	}{version}
	r := request{method: http.MethodPost, path: docPath(id) + "/revert", body: body, out: &d}
	if opts.IfMatch != "" {
		r.header = http.Header{"If-Match": {opts.IfMatch}}
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	d.ETag = etagOr(resp.header, d.Version)
	return &d, nil
}

// RestoreDocument brings a deleted document back under its id, as a new
// version.
func (c *Client) RestoreDocument(ctx context.Context, id int64) (*Document, error) {
	var d Document
	resp, err := c.do(ctx, request{method: http.MethodPost, path: docPath(id) + "/restore", out: &d})
	if err != nil {
		return nil, err
	}
	d.ETag = etagOr(resp.header, d.Version)
	return &d, nil
}

// ListUsers returns every user in ID order (admins only), following the
// server's Link rel="next" pagination to the end.
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	var all []User
	_, err := getPages(ctx, c, request{method: http.MethodGet, path: "/users"}, 0, func(page []User) error {
		all = append(all, page...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// SetRole changes a user's role (admins only).
func (c *Client) SetRole(ctx context.Context, userID int64, role Role) (*User, error) {
	var u User
	body := struct {
		Role Role `json:"role"`
	}{role}
	path := "/users/" + strconv.FormatInt(userID, 10)
	if _, err := c.do(ctx, request{method: http.MethodPatch, path: path, body: body, out: &u}); err != nil {
		return nil, err
	}
	return &u, nil
}

func docPath(id int64) string { return "/documents/" + strconv.FormatInt(id, 10) }

// VersionETag returns the entity tag docsd uses for a document version.
func VersionETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

func etagOr(h http.Header, version int64) string {
	if e := h.Get("ETag"); e != "" {
		return e
	}
	return VersionETag(version)
}
