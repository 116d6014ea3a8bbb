package api

import (
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/docsd/docs/pkg/docs"
)

// etag is the ETag of a document version; If-Match is compared with it.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// The wire type of a user: the API's contract, kept apart from the domain
// type so that a storage field (the password hash) never leaks into a
// response by accident. Documents are encoded by hand.

type userJSON struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Role      docs.Role `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

func toUserJSON(u *docs.User) userJSON {
	return userJSON{ID: u.ID, Username: u.Username, Role: u.Role, CreatedAt: u.CreatedAt}
}

type healthJSON struct {
	Status  string `json:"status"`
	Version string `json:"version"` // the build's, as docsd --version prints it
}

// The wire types of a document, which appendDocument writes by hand: they
// exist for the OpenAPI description, against which the API tests validate
// every document the server sends.

type documentSummaryJSON struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	Author    authorJSON `json:"author"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	Version   int64      `json:"version"`
}

// documentListedJSON is a document as a list sends it. A search (?q=)
// adds the snippet: a piece of the body around the first match, as
// segments that say which text matched (search.Segment).
type documentListedJSON struct {
	documentSummaryJSON
	Snippet []snippetSegmentJSON `json:"snippet,omitempty"`
}

type snippetSegmentJSON struct {
	Text  string `json:"text"`
	Match bool   `json:"match"`
}

// documentJSON is a document with its body, as one document is sent.
type documentJSON struct {
	documentSummaryJSON
	Body string `json:"body"`
}

type authorJSON struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

// Documents are the bulk of what docsd sends, so they are encoded by hand:
// encoding/json reflects over every field and re-validates the output of
// time.Time's MarshalJSON, which made JSON more than a third of the cost of
// a list page. The wire format is the same as encoding/json's for
//
//	{"id":7,"title":"T","body":"B","author":{"id":1,"username":"alice"},
//	 "created_at":"RFC 3339","updated_at":"RFC 3339","version":3}
//
// with "body" left out of lists; TestDocumentEncodingMatchesEncodingJSON
// holds the two together.

const jsonContentType = "application/json; charset=utf-8"

// writeDocument sends one document with its body.
func writeDocument(c *gin.Context, status int, d *docs.Document) {
	c.Data(status, jsonContentType, encodeDocument(d))
}

// encodeDocument is one document with its body as JSON.
func encodeDocument(d *docs.Document) []byte {
	return appendDocument(make([]byte, 0, 256+len(d.Body)), d, true)
}

// writeDocumentList sends a JSON array of documents without bodies.
func writeDocumentList(c *gin.Context, list []*docs.Document) {
	b := make([]byte, 0, 2+220*len(list))
	b = append(b, '[')
	for i, d := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendDocument(b, d, false)
	}
	b = append(b, ']')
	c.Data(http.StatusOK, jsonContentType, b)
}

func appendDocument(b []byte, d *docs.Document, withBody bool) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, d.ID, 10)
	b = append(b, `,"title":`...)
	b = appendString(b, d.Title)
	if withBody {
		b = append(b, `,"body":`...)
		b = appendString(b, d.Body)
	}
	b = append(b, `,"author":{"id":`...)
	b = strconv.AppendInt(b, d.Author.ID, 10)
	b = append(b, `,"username":`...)
	b = appendString(b, d.Author.Username)
	b = append(b, `},"created_at":"`...)
	b = d.CreatedAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","updated_at":"`...)
	b = d.UpdatedAt.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","version":`...)
	b = strconv.AppendInt(b, d.Version, 10)
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json does:
// quotes, backslashes and control characters; <, > and & for HTML safety;
// U+2028 and U+2029 for JavaScript; invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
