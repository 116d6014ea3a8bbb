#!/usr/bin/env bash
# Run by scripts/bench.sh inside dbus-run-session: times `docs get` and
# `docs list` (session read from a real gnome-keyring) against curl sending
# the same cookie, and `docs version`. Prints medians of BENCH_RUNS runs.
set -euo pipefail
printf bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null
export DOCS_SERVER=$BENCH_BASE
docs=$BENCH_DOCS
echo password | "$docs" login -u alice --password-stdin 2>/dev/null
# go-keyring stores the session under attributes service and username.
cookie=$(secret-tool lookup service docs username "$BENCH_BASE")

median_us() { # command...: median wall time in microseconds
	for _ in $(seq "$BENCH_RUNS"); do
		s=$(date +%s%N)
		"$@" >/dev/null
		e=$(date +%s%N)
		echo $(((e - s) / 1000))
	done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

docs_get=$(median_us "$docs" get 1)
curl_get=$(median_us curl -fs -b "docs_session=$cookie" "$BENCH_BASE/documents/1")
docs_list=$(median_us "$docs" list)
curl_list=$(median_us curl -fs "$BENCH_BASE/documents")
docs_version=$(median_us "$docs" version)

printf '| %-30s | %10s | %10s | %6s |\n' command "docs ms" "curl ms" ratio
printf '|%s|%s|%s|%s|\n' -------------------------------- ------------ ------------ --------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
ms() { awk -v a="$1" 'BEGIN { printf "%.1f", a / 1000 }'; }
printf '| %-30s | %10s | %10s | %6s |\n' "get 1 (session from keyring)" "$(ms "$docs_get")" "$(ms "$curl_get")" "$(ratio "$docs_get" "$curl_get")"
printf '| %-30s | %10s | %10s | %6s |\n' "list (7 documents)" "$(ms "$docs_list")" "$(ms "$curl_list")" "$(ratio "$docs_list" "$curl_list")"
printf '| %-30s | %10s | %10s | %6s |\n' "version (start-up)" "$(ms "$docs_version")" "-" "-"
