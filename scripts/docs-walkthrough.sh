#!/usr/bin/env bash
# Replays the walkthrough in docs/cli.md against a fresh docsd and prints
# each command with its real output and exit code, so that page can
# be checked (or refreshed) by running it; docs/walkthrough_test.go, run by
# scripts/e2e.sh, compares each story with the blocks of docs/cli.md and
# the README marked <!-- walkthrough: STORY -->. Needs a free port 5555 (or set
# PORT). Without a D-Bus session it makes one with an unlocked gnome-keyring,
# as scripts/e2e.sh does; with one, it uses your keyring (the entry it makes
# is removed again by the final logout).
#
#   scripts/docs-walkthrough.sh                        # docs/cli.md's walkthrough
#   WALKTHROUGH_STORY=short scripts/docs-walkthrough.sh  # login, a 401, a 403
#                                                      # (scripts/screenshot.sh)
#   WALKTHROUGH_STORY=tokens scripts/docs-walkthrough.sh # docs/cli.md's tokens
#   WALKTHROUGH_STORY=history scripts/docs-walkthrough.sh # docs/cli.md's history (the README has excerpts)
#   WALKTHROUGH_STORY=files scripts/docs-walkthrough.sh   # docs/cli.md's pull/push (likewise)
set -euo pipefail
cd "$(dirname "$0")/.."

# The stories; docs/walkthrough_test.go reads this list, and each story but
# short (the README's picture) is shown in docs/cli.md.
story=${WALKTHROUGH_STORY:-default}
case $story in default|short|tokens|history|files) ;; *)
	echo "docs-walkthrough: no story \"$story\" (default, short, tokens, history, files)" >&2
	exit 2
	;;
esac

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${WALKTHROUGH_INNER:-}" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir -m 700 "$tmp/data" "$tmp/run"
	XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run" WALKTHROUGH_INNER=1 \
		dbus-run-session -- sh -c 'printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$0"' "$0" \
		2> >(grep -v "Failed to set fd limit" >&2)
	exit
fi

work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/bin/docsd" ./cmd/docsd
go build -o "$work/bin/docs" ./cmd/docs
export PATH="$work/bin:$PATH" DOCS_CONFIG_DIR="$work/config"
port=${PORT:-5555}
[ "$port" = 5555 ] || export DOCS_SERVER="http://127.0.0.1:$port"
unset CI DOCS_SESSION DOCS_TOKEN DOCS_OUTPUT

cd "$work"
docsd seed --database docs.db >/dev/null 2>&1
docsd serve --addr "127.0.0.1:$port" --database docs.db 2>docsd.log &
pid=$!
for _ in $(seq 100); do docs list >/dev/null 2>&1 && break; sleep 0.1; done

# show prints the command as typed, then its output (stdout and stderr as a
# terminal shows them) and its exit code.
# Output that does not end in a newline (cat of a file whose body has none)
# gets one, so "[exit N]" stays on a line of its own.
show() {
	local cmd=$1 rc
	echo "\$ $cmd"
	set +e
	sh -c "$cmd" >"$work/out" 2>&1
	rc=$?
	set -e
	cat "$work/out"
	if [ -s "$work/out" ] && [ -n "$(tail -c 1 "$work/out")" ]; then echo; fi
	echo "[exit $rc]"
	echo
}

if [ "$story" = short ]; then
	show "echo password | docs login -u alice --password-stdin"
	show "docs get 1"
	show "docs logout"
	show "docs get 1"
	show "echo password | docs login -u carol --password-stdin"
	show "docs rm 1 --yes"
	show "docs logout"
	exit
fi

if [ "$story" = history ]; then
	show "echo password | docs login -u alice --password-stdin"
	show "docs edit 1 --body 'Tag the release, then write the notes.'"
	show "echo password | docs login -u bob --password-stdin"
	show "docs edit 1 --title 'Welcome to docsd, second edition'"
	show "docs log 1"
	show "docs diff 1 --version 1"
	show "docs revert 1 --to 2 --yes"
	show "docs diff 1 --version 2"
	show "echo password | docs login -u alice --password-stdin"
	show "docs rm 1 --yes"
	show "docs restore 1"
	show "docs log 1 -L 2"
	show "docs logout"
	exit
fi

if [ "$story" = files ]; then
	show "echo password | docs login -u alice --password-stdin"
	show "mkdir notes && docs pull notes"
	show "cat notes/3-release-checklist.md"
	show "docs pull notes"
	show "sed -i 's/3. Announce./3. Announce. 4. Rest./' notes/3-release-checklist.md"
	show "sed -i 's/skip list./skip list. Mine./' notes/1-welcome-to-docsd.md"
	show "docs diff 3 notes/3-release-checklist.md"
	show "docs push notes --dry-run"
	show "echo password | docs login -u bob --password-stdin"
	show "docs edit 1 --body 'Theirs.'"
	show "echo password | docs login -u alice --password-stdin"
	show "docs push notes"
	show "docs pull notes"
	show "mv notes/1-welcome-to-docsd.md notes/1-welcome-to-docsd.md.mine && docs pull notes"
	show "docs diff 1 notes/1-welcome-to-docsd.md.mine"
	show "sed -i 's/^Theirs.\$/Theirs. Mine./' notes/1-welcome-to-docsd.md && rm notes/1-welcome-to-docsd.md.mine"
	show "docs push notes"
	show "docs logout"
	exit
fi

if [ "$story" = tokens ]; then
	show "echo password | docs login -u alice --password-stdin"
	show "docs token create --name ci --scope read,write --expires 30d > ci.token"
	show "docs token list"
	show "DOCS_TOKEN=\$(cat ci.token) docs status"
	show "DOCS_TOKEN=\$(cat ci.token) docs create --title 'From CI' --body 'made with a token'"
	show "DOCS_TOKEN=\$(cat ci.token) docs users list"
	show "docs token revoke 1 --yes"
	show "DOCS_TOKEN=\$(cat ci.token) docs get 1"
	show "docs token create --name laptop --scope read | docs login --with-token"
	show "docs status"
	show "docs logout"
	exit
fi

# default
show "echo password | docs login -u alice --password-stdin"
show "docs status"
show "docs list"
show "docs list --author carol"
show "docs search 'rfc OR handbook'"
show "docs search 'delet* -admins'"
show "docs search '\"skip list\"'"
show "docs search zebra"
show "docs get 1"
show "docs get 1 2 99 --jq .title"
show "docs api me --jq '.username + \" is \" + .role'"
show "docs users list"
show "docs status --server 127.0.0.1:$port"
show "docs logout"
show "docs get 1"
show "echo password | docs login -u carol --password-stdin"
show "docs rm 1 --yes"
show "docs -o json rm 1 --yes"
show "docs rm 1"
show "docs get 99"
show "docs users set-role carol admin"
show "DOCS_SERVER=http://127.0.0.1:1 docs list"
show "docs logout"
