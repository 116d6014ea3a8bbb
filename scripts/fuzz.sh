#!/usr/bin/env bash
# Runs each Go fuzz target of docsd for a set time and prints how long it
# ran clean and how many inputs it tried. A failing input is written by Go
# under the package's testdata/fuzz/<Target>/; it then runs in every
# `go test` as part of the seed corpus once committed.
#
#   scripts/fuzz.sh        # 60 seconds per target
#   scripts/fuzz.sh 300    # 5 minutes per target
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
case "$seconds" in
'' | *[!0-9]*)
	echo "usage: scripts/fuzz.sh [SECONDS]" >&2
	exit 2
	;;
esac

# package:target, one per line.
targets="
./pkg/api:FuzzDecode
./pkg/api:FuzzHandlers
"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=0
summary=()
for t in $targets; do
	pkg="${t%%:*}"
	name="${t##*:}"
	echo "== $name ($pkg) for ${seconds}s"
	if go test -run '^$' -fuzz "^${name}\$" -fuzztime "${seconds}s" "$pkg" >"$log" 2>&1; then
		status="clean"
	else
		status="FAILED"
		failed=1
	fi
	# The last progress line carries the totals: elapsed, execs and rate.
	last=$(grep -E '^fuzz: elapsed' "$log" | tail -n 1 || true)
	if [ "$status" = FAILED ]; then
		cat "$log"
	else
		echo "$last"
	fi
	# The rate Go prints on its last line covers only the last interval;
	# the summary gives the average over the whole run.
	elapsed=$(sed -n 's/^fuzz: elapsed: \([^,]*\),.*/\1/p' <<<"$last")
	execs=$(sed -n 's/.*execs: \([0-9]*\).*/\1/p' <<<"$last")
	corpus=$(sed -n 's/.*(total: \([0-9]*\)).*/\1/p' <<<"$last")
	summary+=("$name: $status for ${elapsed:-?}, ${execs:-0} execs (about $((${execs:-0} / seconds))/s), corpus ${corpus:-?} inputs")
done

echo
echo "== summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit "$failed"
