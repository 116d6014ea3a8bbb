package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
	"github.com/docsd/docs/pkg/exitcode"
)

type pushOptions struct {
	cmdEnv
	Paths  []string
	DryRun bool
}

func newCmdPush(f *factory, runF func(*pushOptions) error) *cobra.Command {
	opts := &pushOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "push [<dir> | <file>...]",
		Short: "Send the documents changed in files",
		Long: `Send the documents whose files changed since docs pull wrote them: the
*.md files of dir (by default the current directory), or the files named.
Each goes as a change to the title and body, saved only over the version
that was pulled (If-Match). Its front matter is then brought up to date.

A file with front matter but no id is a new document: it is created, and
its front matter written back with the new id and version. A *.md file in
dir with no front matter is passed over; one named is an error.

A document changed on the server since it was pulled is a conflict:
nothing is overwritten, the file is left as it is, and docs names it and
exits 7 once the others are sent. Any document that fails is reported
and the others still go; the exit code is the most severe (the first of
them in the exit code table). --dry-run prints what would be sent, and
sends nothing.`,
		Example: `  docs push
  docs push notes
  docs push notes/7-release-notes.md --dry-run`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(args) == 0 {
				opts.Paths = []string{"."}
			}
			if runF != nil {
				return runF(opts)
			}
			return pushRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.DryRun, "dry-run", "n", false, "print what would be sent, send nothing")
	addJSONFlags(cmd, f, fileResultFields)
	return cmd
}

// pushFile is a file to push, and whether it was named (a file named
// must be a document; one found in a directory may be anything).
type pushFile struct {
	name  string // in its directory
	named bool
}

func pushRun(ctx context.Context, opts *pushOptions) error {
	// Files go by directory: each has its own state.
	var dirs []string
	byDir := map[string][]pushFile{}
	for _, p := range opts.Paths {
		fi, err := os.Stat(p)
		if err != nil {
			return exitcode.Usagef("cannot push %s: %v", p, err)
		}
		dir, files := filepath.Dir(p), []pushFile{{name: filepath.Base(p), named: true}}
		if fi.IsDir() {
			dir = p
			names, err := filepath.Glob(filepath.Join(p, "*.md"))
			if err != nil {
				return err
			}
			files = files[:0]
			for _, n := range names {
				files = append(files, pushFile{name: filepath.Base(n)})
			}
		}
		if _, ok := byDir[dir]; !ok {
			dirs = append(dirs, dir)
		}
		byDir[dir] = append(byDir[dir], files...)
	}
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	var errs []error
	sent := 0
	for _, dir := range dirs {
		n, derrs, fatal := pushDir(ctx, opts, sess, dir, byDir[dir])
		sent += n
		errs = append(errs, derrs...)
		if fatal {
			break
		}
	}
	if sent == 0 && len(errs) == 0 && !opts.DryRun {
		fmt.Fprintln(opts.IO.ErrOut, "Nothing to push: no document changed since it was pulled.")
	}
	return joinDocumentErrors(errs)
}

// pushDir pushes files, all in dir, and returns how many were sent, the
// failures, and whether the last failure stops the push (a 401, the
// network).
func pushDir(ctx context.Context, opts *pushOptions, sess *session, dir string, files []pushFile) (sent int, errs []error, fatal bool) {
	st, err := loadState(dir, sess.Server)
	if err != nil {
		return 0, []error{err}, false
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	results := fileResults{w: opts.IO.Out, json: sess.Output == "json"}
	seen := map[int64]string{}
	done := map[string]bool{} // a file named twice goes once
	for _, pf := range files {
		if done[pf.name] {
			continue
		}
		done[pf.name] = true
		id, action, err := pushOne(ctx, opts, sess, st, dir, pf, seen)
		if sentAction(action) {
			sent++
		}
		err = sess.check(err)
		if action != "" || err != nil {
			if rerr := results.report(id, filepath.Join(dir, pf.name), action, err); rerr != nil {
				return sent, append(errs, rerr), true
			}
		}
		if err != nil {
			errs = append(errs, err)
			if stopsPush(err) {
				fatal = true
				break
			}
		}
	}
	if !opts.DryRun && sent > 0 {
		if err := saveState(dir, st); err != nil {
			errs = append(errs, fmt.Errorf("save what was pushed: %w", err))
		}
	}
	return sent, errs, fatal
}

// stopsPush reports whether err concerns every document, so that sending
// the next is no use: a 401, or a server out of reach.
func stopsPush(err error) bool {
	var un *client.UnreachableError
	return exitCode(err) == exitAuth || errors.As(err, &un)
}

// sentAction reports whether pushOne's action sent the file (or, with
// --dry-run, would).
func sentAction(action string) bool {
	switch action {
	case "pushed", "created", "would-update", "would-create":
		return true
	}
	return false
}

// pushOne sends one file if it changed, and returns its document's ID and
// what was done: "pushed", "created", "unchanged", with --dry-run
// "would-update" or "would-create", or "" for a file in dir that is not a
// document. seen maps the IDs of the files before it to their names, so
// that two files of one document are refused.
func pushOne(ctx context.Context, opts *pushOptions, sess *session, st *pullState, dir string, pf pushFile, seen map[int64]string) (int64, string, error) {
	path := filepath.Join(dir, pf.name)
	f, err := readDocFile(path)
	switch {
	case errors.Is(err, errNoFrontMatter) && !pf.named:
		return 0, "", nil
	case err != nil:
		return 0, "", exitcode.Usagef("cannot push %s: %v", path, err)
	case strings.TrimSpace(f.Title) == "":
		return f.ID, "", exitcode.Usagef("cannot push %s: its front matter has no title", path)
	}
	if err := checkTitle(f.Title); err != nil {
		return f.ID, "", err
	}
	if err := checkBody(path, []byte(f.Body)); err != nil {
		return f.ID, "", err
	}
	if f.ID == 0 {
		return pushNew(ctx, opts, sess, st, path, f)
	}
	if other, ok := seen[f.ID]; ok {
		return f.ID, "", exitcode.Usagef("cannot push %s: %s holds document %d too", path, filepath.Join(dir, other), f.ID)
	}
	seen[f.ID] = pf.name
	prev := st.Documents[f.ID]
	if prev == nil {
		return f.ID, "", exitcode.Usagef("cannot push %s: document %d was not pulled into %s, so docs cannot tell what changed (run docs pull %s %d)", path, f.ID, dir, shellQuote(dir), f.ID)
	}
	if !prev.changedSince(f) {
		return f.ID, "unchanged", nil
	}
	var patch client.DocumentPatch
	var fields []string
	if f.Title != prev.Title {
		patch.Title = &f.Title
		fields = append(fields, "title")
	}
	if bodyHash(f.Body) != prev.BodySHA256 {
		patch.Body = &f.Body
		fields = append(fields, "body")
	}
	if opts.DryRun {
		if sess.Output != "json" {
			fmt.Fprintf(opts.IO.Out, "would update document %d from %s (If-Match version %d): %s\n", f.ID, path, prev.Version, strings.Join(fields, ", "))
		}
		return f.ID, "would-update", nil
	}
	d, err := sess.Client.UpdateDocument(ctx, f.ID, patch, client.UpdateOptions{IfMatch: client.VersionETag(prev.Version)})
	if client.StatusCode(err) == http.StatusPreconditionFailed {
		return f.ID, "", &fileConflictError{
			msg:  fmt.Sprintf("document %d changed on the server since version %d, which %s was pulled at: it was not sent", f.ID, prev.Version, path),
			hint: mergeHint(dir, pf.name),
			err:  err,
		}
	}
	if err != nil {
		return f.ID, "", err
	}
	if err := writeBack(st, path, fileOf(d)); err != nil {
		return f.ID, "pushed", err
	}
	fmt.Fprintf(opts.IO.ErrOut, "Pushed %s (document %d, version %d).\n", path, d.ID, d.Version)
	return f.ID, "pushed", nil
}

// pushNew creates the document of a file with no id, and returns its ID
// and action as pushOne does.
func pushNew(ctx context.Context, opts *pushOptions, sess *session, st *pullState, path string, f docFile) (int64, string, error) {
	if opts.DryRun {
		if sess.Output != "json" {
			fmt.Fprintf(opts.IO.Out, "would create a document from %s: %q\n", path, f.Title)
		}
		return 0, "would-create", nil
	}
	d, err := sess.Client.CreateDocument(ctx, client.NewDocument{Title: f.Title, Body: f.Body})
	if err != nil {
		return 0, "", err
	}
	// A document deleted on the server may have left its state on this
	// file; the file is the new document's now.
	for id, p := range st.Documents {
		if p.File == filepath.Base(path) {
			delete(st.Documents, id)
		}
	}
	if err := writeBack(st, path, fileOf(d)); err != nil {
		return d.ID, "created", fmt.Errorf("created document %d, but could not write its id into %s: %w", d.ID, path, err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Created document %d from %s (version %d).\n", d.ID, path, d.Version)
	return d.ID, "created", nil
}

// writeBack records d, the document the server answered with, as pulled
// into the file at path, and rewrites the file. The record comes first:
// if the file cannot be written, its title and body are still those
// recorded, so the next push does not send them again over a version that
// is gone.
func writeBack(st *pullState, path string, d docFile) error {
	st.Documents[d.ID] = pulledFrom(filepath.Base(path), d)
	return writeFileAtomic(path, d.marshal())
}
