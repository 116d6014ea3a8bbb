#!/usr/bin/env bash
# Generates the docs man pages from the cobra command tree into DIR
# (default the repository's man/; a relative DIR is the caller's), one page per command: docs.1, docs-login.1, ...
#
#   scripts/man.sh            # then: man -l man/docs.1
#   scripts/man.sh /usr/local/share/man/man1
set -euo pipefail
dir=${1:-}
# DIR is the caller's, relative to where they ran this; the default, man/,
# is the repository's.
case $dir in
"") dir=$(cd "$(dirname "$0")/.." && pwd)/man ;;
/*) ;;
*) dir=$PWD/$dir ;;
esac
cd "$(dirname "$0")/.."
go run ./scripts/man "$dir"
echo "man pages written to $dir/" >&2
