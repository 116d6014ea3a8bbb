#!/usr/bin/env bash
# Runs the docs end-to-end tests (cmd/docs/testdata/script/*.txtar): the real
# docs and docsd binaries against a real Secret Service, in a private D-Bus
# session with an unlocked gnome-keyring; and the walkthroughs of docs/cli.md
# and the README, replayed by scripts/docs-walkthrough.sh and compared with
# the pages (docs/walkthrough_test.go). Installs dbus and gnome-keyring
# with apt-get when they are missing. Exits non-zero on any failure.
#
#   scripts/e2e.sh              # run the suite
#   scripts/e2e.sh -run 'TestScripts/edit' -v   # extra go test flags
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dbus-run-session >/dev/null || need+=(dbus dbus-daemon)
command -v gnome-keyring-daemon >/dev/null || need+=(gnome-keyring)
command -v secret-tool >/dev/null || need+=(libsecret-tools)
if ((${#need[@]})); then
	if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
		echo "e2e: missing ${need[*]} and not root to install them" >&2
		exit 1
	fi
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "e2e: installing ${need[*]}" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# dbus-run-session gives the tests a session bus of their own, which ends
# with them; gnome-keyring-daemon is started on it with the login keyring
# unlocked by a throwaway password (the keyring lives in a temporary HOME).
# XDG_DATA_HOME points gnome-keyring at a fresh keyring directory, so the
# user's own keyrings are never touched; HOME and the Go caches stay as they are.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -m 700 "$tmp/data" "$tmp/run"
export E2E_GO_TEST_FLAGS="$*"
# The race detector sleeps a second as each docs process exits; skip that.
export GORACE="${GORACE:-atexit_sleep_ms=0}"
XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run" \
	dbus-run-session -- sh -c '
	set -e
	printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
	DOCS_E2E=1 go test -race -count=1 $E2E_GO_TEST_FLAGS ./cmd/docs/... ./pkg/cli/... ./docs/...
' 2> >(grep -v "Failed to set fd limit" >&2)
