package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"

	"github.com/spf13/cobra"

	"github.com/docsd/docs/pkg/client"
)

type pullOptions struct {
	cmdEnv
	Dir   string
	IDs   []int64 // none for every document
	Prune bool
}

func newCmdPull(f *factory, runF func(*pullOptions) error) *cobra.Command {
	opts := &pullOptions{cmdEnv: f.env()}
	cmd := &cobra.Command{
		Use:   "pull [<dir> [<id>...]]",
		Short: "Write documents to files",
		Long: `Write every document you can read, or the documents named, into dir (by
default the current directory), one Markdown file each: <id>-<slug>.md,
the slug the title's ASCII letters and digits in lower case (<id>.md for a
title with none). Each file begins with a front matter block (id, title,
author, version, updated), then the body byte for byte.

docs keeps in dir/.docs/state.json the version, title and body hash it
wrote for each document, so that a pull only writes what changed on the
server (an unchanged file keeps its modification time; a new title renames
the file) and docs push can tell what you changed.

A file you changed is never overwritten: if its document changed on the
server too, that is a conflict, reported with how to merge, and docs exits 7
once the others are pulled. Documents deleted on the server are reported
and their files left, unless --prune, which removes the files you did not
change. Works without logging in when the server lists documents publicly.`,
		Example: `  docs pull
  docs pull notes
  docs pull notes 7 9
  docs pull notes --prune`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = "."
			if len(args) > 0 {
				opts.Dir = args[0]
			}
			if len(args) > 1 {
				var err error
				if opts.IDs, err = parseIDs(args[1:]); err != nil {
					return err
				}
			}
			// A dir that is missing is made (in pullRun), as git clone
			// does; one that is a file is refused before any request.
			if fi, err := os.Stat(opts.Dir); err == nil && !fi.IsDir() {
				return fmt.Errorf("cannot pull into %s: it is a file, not a directory", opts.Dir)
			}
			if runF != nil {
				return runF(opts)
			}
			return pullRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Prune, "prune", false, "remove the files of documents deleted on the server (unless changed here)")
	addJSONFlags(cmd, f, fileResultFields)
	return cmd
}

// puller is one docs pull: the state it updates and what it did.
type puller struct {
	opts    *pullOptions
	sess    *session
	st      *pullState
	results fileResults
	changed int // files written, renamed or removed
	total   int
}

func pullRun(ctx context.Context, opts *pullOptions) error {
	sess, err := opts.login(ctx)
	if err != nil {
		return err
	}
	_, err = os.Stat(opts.Dir)
	made := errors.Is(err, fs.ErrNotExist)
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil { //nolint:gosec // G301: as mkdir -p makes it
		return fmt.Errorf("cannot pull into %s: %w", opts.Dir, err)
	}
	st, err := loadState(opts.Dir, sess.Server)
	if err != nil {
		return err
	}
	p := &puller{opts: opts, sess: sess, st: st, results: fileResults{w: opts.IO.Out, json: sess.Output == "json"}}
	errs := p.pull(ctx)
	if len(errs) > 0 && p.changed == 0 && len(st.Documents) == 0 {
		// Nothing was pulled: the directory is not bound to the server,
		// and one this pull made goes again (if still empty), as after a
		// failed git clone.
		if made {
			_ = os.Remove(opts.Dir)
		}
		return joinDocumentErrors(errs)
	}
	if err := saveState(opts.Dir, st); err != nil {
		errs = append(errs, fmt.Errorf("save what was pulled: %w", err))
	}
	if p.changed == 0 && len(errs) == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "Already up to date: %d documents in %s.\n", p.total, opts.Dir)
	}
	return joinDocumentErrors(errs)
}

// pull pulls each document, going on past those that fail alone.
func (p *puller) pull(ctx context.Context) []error {
	var errs []error
	if len(p.opts.IDs) > 0 {
		for _, id := range p.opts.IDs {
			var file, action string
			d, err := p.sess.Client.GetDocument(ctx, id)
			if client.StatusCode(err) == http.StatusNotFound && p.st.Documents[id] != nil {
				file, action, err = p.deleted(id)
			} else if err == nil {
				file, action, err = p.one(ctx, d.ID, d.Version, d.Title, d)
			}
			err = p.sess.check(err)
			if rerr := p.results.report(id, file, action, err); rerr != nil {
				return append(errs, rerr)
			}
			if err != nil {
				if !perDocument(err) {
					return append(errs, err)
				}
				errs = append(errs, err)
			}
		}
		return errs
	}
	list, err := p.sess.Client.ListDocuments(ctx, client.ListOptions{})
	if err != nil {
		return []error{p.sess.check(err)}
	}
	onServer := map[int64]bool{}
	for _, s := range list {
		onServer[s.ID] = true
		file, action, err := p.one(ctx, s.ID, s.Version, s.Title, nil)
		err = p.sess.check(err)
		if rerr := p.results.report(s.ID, file, action, err); rerr != nil {
			return append(errs, rerr)
		}
		if err != nil {
			if !perDocument(err) {
				return append(errs, err)
			}
			errs = append(errs, err)
		}
	}
	var gone []int64
	for id := range p.st.Documents {
		if !onServer[id] {
			gone = append(gone, id)
		}
	}
	sort.Slice(gone, func(i, j int) bool { return gone[i] < gone[j] })
	for _, id := range gone {
		file, action, err := p.deleted(id)
		if rerr := p.results.report(id, file, action, err); rerr != nil {
			return append(errs, rerr)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// one brings document id, at version on the server under title, into its
// file; d is the document when it has been read already. It returns the
// file's path and what was done, for -o json.
func (p *puller) one(ctx context.Context, id, version int64, title string, d *client.Document) (file, action string, err error) {
	p.total++
	dir, want := p.opts.Dir, fileName(id, title)
	prev := p.st.Documents[id]
	if prev != nil {
		local, err := readDocFile(filepath.Join(dir, prev.File))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// Removed here: written again below.
		case err != nil || prev.changedSince(local):
			if version == prev.Version {
				return p.path(prev.File), "unchanged", nil // changed here only: for docs push
			}
			return p.path(prev.File), "", &fileConflictError{
				msg:  fmt.Sprintf("document %d changed on the server (version %d to %d) and %s was changed here: the file was not overwritten", id, prev.Version, version, p.path(prev.File)),
				hint: mergeHint(dir, prev.File),
			}
		case version == prev.Version && prev.File == want:
			return p.path(want), "unchanged", nil
		case version == prev.Version:
			if err := p.claim(want, nil); err != nil {
				return p.path(prev.File), "", err
			}
			if err := os.Rename(filepath.Join(dir, prev.File), filepath.Join(dir, want)); err != nil {
				return p.path(prev.File), "", err
			}
			fmt.Fprintf(p.opts.IO.ErrOut, "Renamed %s to %s (document %d, version %d).\n", p.path(prev.File), p.path(want), id, version)
			prev.File = want
			p.changed++
			return p.path(want), "renamed", nil
		}
	}
	if d == nil {
		var err error
		if d, err = p.sess.Client.GetDocument(ctx, id); err != nil {
			return p.path(want), "", err
		}
		want = fileName(d.ID, d.Title)
	}
	f := fileOf(d)
	data := f.marshal()
	if prev == nil || prev.File != want {
		if err := p.claim(want, data); err != nil {
			return p.path(want), "", err
		}
	}
	if err := writeFileAtomic(filepath.Join(dir, want), data); err != nil {
		return p.path(want), "", err
	}
	if prev != nil && prev.File != want {
		if err := os.Remove(filepath.Join(dir, prev.File)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return p.path(want), "", err
		}
	}
	p.st.Documents[id] = pulledFrom(want, f)
	p.changed++
	fmt.Fprintf(p.opts.IO.ErrOut, "Wrote %s (document %d, version %d).\n", p.path(want), d.ID, d.Version)
	return p.path(want), "written", nil
}

// claim makes sure that name, which no document in the state has, may be
// written: it does not exist, or holds data already (a pull cut short
// after writing it).
func (p *puller) claim(name string, data []byte) error {
	b, err := os.ReadFile(filepath.Join(p.opts.Dir, name)) //nolint:gosec // G304: a file in the directory the user named
	if errors.Is(err, fs.ErrNotExist) || err == nil && data != nil && bytes.Equal(b, data) {
		return nil
	}
	if err != nil {
		return err
	}
	return &fileConflictError{
		msg:  fmt.Sprintf("%s is in the way: docs did not write it, and will not overwrite it", p.path(name)),
		hint: "Move it elsewhere, then pull again.",
	}
}

// deleted reports document id, deleted on the server; with --prune its
// file goes too, unless it was changed here. It returns the file's path
// and what was done, as one does.
func (p *puller) deleted(id int64) (file, action string, err error) {
	prev := p.st.Documents[id]
	if !p.opts.Prune {
		fmt.Fprintf(p.opts.IO.ErrOut, "Document %d was deleted on the server; %s is left as it is (--prune removes it).\n", id, p.path(prev.File))
		return p.path(prev.File), "deleted-on-server", nil
	}
	path := filepath.Join(p.opts.Dir, prev.File)
	local, rerr := readDocFile(path)
	switch {
	case errors.Is(rerr, fs.ErrNotExist):
	case rerr != nil || prev.changedSince(local):
		return p.path(prev.File), "", &fileConflictError{
			msg:  fmt.Sprintf("document %d was deleted on the server and %s was changed here: the file was not removed", id, p.path(prev.File)),
			hint: fmt.Sprintf("To keep it, remove its id line and push it as a new document; to drop it, delete the file; or bring the document back with docs restore %d.", id),
		}
	default:
		if err := os.Remove(path); err != nil {
			return p.path(prev.File), "", err
		}
		fmt.Fprintf(p.opts.IO.ErrOut, "Removed %s: document %d was deleted on the server.\n", p.path(prev.File), id)
	}
	delete(p.st.Documents, id)
	p.changed++
	return p.path(prev.File), "removed", nil
}

// path is how messages name a file in the directory pulled into.
func (p *puller) path(name string) string { return filepath.Join(p.opts.Dir, name) }

// readDocFile reads and parses a document file.
func readDocFile(path string) (docFile, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: a file in the directory the user named
	if err != nil {
		return docFile{}, err
	}
	return parseDocFile(b)
}
