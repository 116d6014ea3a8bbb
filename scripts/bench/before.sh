# shellcheck shell=bash disable=SC2034,SC2154 # variables shared with scripts/bench.sh
# Sourced by scripts/bench.sh when BENCH_BEFORE names a docsd built from an
# earlier commit: this build and that one side by side in one run, at the
# first of BENCH_SIZES documents, each on its own database seeded by its own
# docsd seed:
#
#   docsd   this build                                  127.0.0.1:5600
#   before  BENCH_BEFORE                                127.0.0.1:5603
#
# Each round runs the authorized GET, the 401 without a cookie, the first
# page of GET /documents and PATCH with If-Match on the two back to back,
# the order turning by round, then, on this build, the first page of GET
# /documents/:id/revisions (the PATCHes before it have given the documents
# their history). It prints the
# medians of each and the ratios of this build to the earlier one, and of
# the history's first page to the list's.

cp "$BENCH_BEFORE" "$work/before"
size=${sizes%% *}
echo "seeding $size documents for each build" >&2
seed "$work/after.db" "$size"
(cd "$work" && "$work/before" seed --database "$work/before.db" --documents $((size - 7))) >/dev/null

base_of[docsd]=http://127.0.0.1:5600
start_docsd "$work/after.db" 127.0.0.1:5600
after_pid=$started
base_of[before]=http://127.0.0.1:5603
start_build "$work/before" "$work/before.db" 127.0.0.1:5603
before_pid=$started
cookie_of[docsd]=$(login_cookie "${base_of[docsd]}")
cookie_of[before]=$(login_cookie "${base_of[before]}")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); wrk -t$threads -d${duration}s after a 1 s warm-up"
echo "before: $BENCH_BEFORE ($("$work/before" --version 2>/dev/null || echo 'version unknown'))"

# row_ab LABEL SCENARIO: this build against the earlier one, medians over the rounds.
row_ab() {
	printf '| %-42s | %8s | %7s | %7s | %8s | %7s | %-*s | %6s |\n' "$1" \
		"$(vals "$2" docsd 6 | med | fmt %.0f)" "$(vals "$2" docsd 7 | med | fmt %.2f)" "$(vals "$2" docsd 8 | med | fmt %.2f)" \
		"$(vals "$2" before 6 | med | fmt %.0f)" "$(vals "$2" before 8 | med | fmt %.2f)" \
		"$ratio_width" "$(ratios "$2" docsd before)" "$(median_ratio "$2" docsd before)"
}

for conns in $conns_list; do
	for round in $(seq "$rounds"); do
		echo "$size documents, $conns connections, round $round of $rounds" >&2
		for s in get 401 list patch; do
			if ((round % 2)); then one "$s" before; one "$s" docsd; else one "$s" docsd; one "$s" before; fi
		done
		one revisions docsd
	done

	ratio_width=$((rounds * 5 - 1))
	[ "$ratio_width" -ge 14 ] || ratio_width=14
	echo
	echo "### This build against BENCH_BEFORE: $size documents, $conns connections, $rounds rounds (medians; ratios are this build's req/s over the earlier one's)"
	echo
	printf '| %-42s | %8s | %7s | %7s | %8s | %7s | %-*s | %6s |\n' scenario req/s "p50 ms" "p99 ms" "before" "p99 ms" "$ratio_width" "ratio by round" median
	printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..44})" ---------- --------- --------- ---------- --------- \
		"$(printf -- '-%.0s' $(seq $((ratio_width + 2))))" --------
	row_ab "authorized GET /documents/:id" get
	row_ab "GET /documents/:id, no cookie (401)" 401
	row_ab "anonymous GET /documents (page of 100)" list
	row_ab "authorized PATCH /documents/:id If-Match" patch
	echo
	# The history's first page against the list's, both this build's, by round.
	by_round=$(paste -d' ' <(vals revisions docsd 6) <(vals list docsd 6) | awk '{ printf "%s%.0f%%", sep, 100 * $1 / $2; sep = " " }')
	median=$(paste -d' ' <(vals revisions docsd 6) <(vals list docsd 6) | awk '{ print 100 * $1 / $2 }' | med | fmt '%.0f%%')
	revs=$(sqlite3 "$work/after.db" 'SELECT count(*) FROM revisions' 2>/dev/null || echo '?')
	echo "Authorized GET /documents/:id/revisions (first page): $(vals revisions docsd 6 | med | fmt %.0f) req/s," \
		"p50 $(vals revisions docsd 7 | med | fmt %.2f) ms, p99 $(vals revisions docsd 8 | med | fmt %.2f) ms," \
		"$(vals revisions docsd 9 | med | fmt %.0f) non-2xx; over the anonymous first page of GET /documents: $by_round (median $median);" \
		"$revs revisions in all at the end"
done

stop "$after_pid"
stop "$before_pid"
