#!/usr/bin/env bash
# Generates the docs man pages from the cobra command tree into DIR
# (default man/), one page per command: docs.1, docs-login.1, ...
#
#   scripts/man.sh            # then: man -l man/docs.1
#   scripts/man.sh /usr/local/share/man/man1
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-man}
go run ./scripts/man "$dir"
echo "man pages written to $dir/" >&2
