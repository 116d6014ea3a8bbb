#!/usr/bin/env bash
# Renders the README's picture of a real docs session (login, a 401 after
# logout, a 403 for another user's document, the exit codes) to
# assets/docs-session.png. The session is replayed against a fresh docsd by
# scripts/docs-walkthrough.sh, so the picture is real output and can be
# made again whenever that output changes. Installs the pinned freeze
# (github.com/charmbracelet/freeze) into ./bin when it is not there.
#
#   scripts/screenshot.sh    # needs a free port 5555 (or set PORT)
set -euo pipefail
cd "$(dirname "$0")/.."

version=v0.2.2
bin="$PWD/bin/freeze"
if ! "$bin" --version 2>/dev/null | grep -q "${version#v}"; then
	echo "screenshot: installing freeze $version into ./bin" >&2
	GOBIN="$PWD/bin" go install "github.com/charmbracelet/freeze@$version"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
WALKTHROUGH_STORY=short scripts/docs-walkthrough.sh >"$tmp/session.txt"
mkdir -p assets
"$bin" "$tmp/session.txt" --language txt --window --theme dracula -o assets/docs-session.png
