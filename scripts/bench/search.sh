# shellcheck shell=bash disable=SC2034,SC2154 # variables shared with scripts/bench.sh
# Sourced by scripts/bench.sh when BENCH_SEARCH is set: full-text search at
# the first of BENCH_SIZES documents, against BENCH_BEFORE, a docsd built
# before search (main before the branch was merged):
#
#   docsd   this build on SQLite                          127.0.0.1:5700
#           (ports of their own, so that it can run beside the other modes)
#   before  BENCH_BEFORE on SQLite                        127.0.0.1:5703
#   pg1     this build, one replica on PostgreSQL         127.0.0.1:5710
#           (only when BENCH_POSTGRES is set; BENCH_PG_DATABASE, default
#           docsd_bench, made and dropped as in the PostgreSQL mode), with
#           BENCH_PG_DOCUMENTS documents (default the same number)
#
# Each database is seeded by BENCH_BEFORE's docsd seed, so it holds no
# index; this build's docsd migrate then builds the index (migration 00010
# and its backfill), timed, with the database's size before and after.
# Then it times, with scripts/bench/sqltime, what ranking by relevance
# would cost: bm25 (SQLite) or ts_rank (PostgreSQL) over every match of
# the one-word query, and over its newest 1,001 matches only.
#
# Each round runs the first page of 20 of four searches on the SQLite node
# and the PostgreSQL replica, the order turning by round, then PATCH with
# If-Match on this build and the one before, back to back. The searches,
# on the seed's filler documents ("Filler document K", and a body that is
# the same sentence in each but for K):
#
#   search1  note               one word, in every body, in no title
#   search3  filler short note  three words, in every document, not all in
#                               its title
#   phrase   "short note"       a phrase in every body
#   rare     K, at random       one word that one document holds
#
# So the first three match all of the documents, and none of them is a
# match of the title alone: the order's second rank, the slower one.

if [ -z "${BENCH_BEFORE:-}" ]; then
	echo "bench: BENCH_SEARCH needs BENCH_BEFORE, a docsd built before search, to seed the databases and to PATCH against" >&2
	exit 2
fi
cp "$BENCH_BEFORE" "$work/before"
go build -o "$work/sqltime" ./scripts/bench/sqltime
size=${sizes%% *}
before() { (cd "$work" && "$work/before" "$@"); }
# Seeding and indexing a large PostgreSQL database take transactions
# longer than a request may.
long=10m

# timed COMMAND...: runs it, prints its wall time in seconds.
timed() {
	local t0=$EPOCHREALTIME
	"$@" >/dev/null
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

# sqlite_size FILE: the database's bytes, its WAL (if any is left) included.
sqlite_size() {
	{
		stat -c %s "$1"
		[ ! -e "$1-wal" ] || stat -c %s "$1-wal"
	} | awk '{ n += $1 } END { print n }'
}

# sqlite_ms FILE SQL: the statement's median time, in ms.
sqlite_ms() { "$work/sqltime" sqlite "file:$1?mode=ro" "$2"; }

echo "seeding $size documents with the earlier build (SQLite)" >&2
before seed --database "$work/before.db" --documents $((size - 7)) >/dev/null
sqlite_before=$(sqlite_size "$work/before.db")
cp "$work/before.db" "$work/after.db"
echo "indexing them with this build's docsd migrate (SQLite)" >&2
sqlite_build=$(timed docsd migrate --database "$work/after.db")
sqlite_after=$(sqlite_size "$work/after.db")
echo "timing relevance on SQLite" >&2
sqlite_bm25_all=$(sqlite_ms "$work/after.db" "SELECT rowid FROM search_text WHERE search_text MATCH 'note' ORDER BY bm25(search_text) LIMIT 20;")
sqlite_bm25_1000=$(sqlite_ms "$work/after.db" "SELECT rowid FROM (SELECT rowid, bm25(search_text) AS s FROM search_text WHERE search_text MATCH 'note' ORDER BY rowid DESC LIMIT 1001) ORDER BY s LIMIT 20;")
sqlite_count=$(sqlite_ms "$work/after.db" "SELECT count(*) FROM search_text WHERE search_text MATCH 'note';")

targets=(docsd)
declare -A setup_name=([docsd]="SQLite" [pg1]="PostgreSQL, one replica")
if [ -n "$postgres" ]; then
	need psql postgresql-client
	pgdb=${BENCH_PG_DATABASE:-docsd_bench}
	if ! [[ $pgdb =~ ^[a-z_][a-z0-9_]*$ ]]; then
		echo "bench: BENCH_PG_DATABASE must be a plain lower-case name, not $pgdb" >&2
		exit 2
	fi
	pg_url=$(sed -E "s#^([a-z]+://[^/?]*)(/[^?]*)?#\1/$pgdb#" <<<"$postgres")
	psql_admin() { psql "$postgres" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
	psql_bench() { psql "$pg_url" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
	# pg_ms SQL: the statement's median time, in ms.
	pg_ms() { "$work/sqltime" pgx "$pg_url" "$1"; }
	pg_size() { psql_admin -c "SELECT pg_database_size('$pgdb')"; }
	psql_admin -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" -c "CREATE DATABASE $pgdb"
	at_exit+=("psql_admin -c 'DROP DATABASE IF EXISTS $pgdb WITH (FORCE)'")
	pg_documents=${BENCH_PG_DOCUMENTS:-$size}
	documents_of[pg1]=$pg_documents
	echo "seeding $pg_documents documents with the earlier build (PostgreSQL)" >&2
	DOCSD_POSTGRES_QUERY_TIMEOUT=$long before migrate --database "$pg_url" >/dev/null
	DOCSD_POSTGRES_QUERY_TIMEOUT=$long before seed --database "$pg_url" --documents $((pg_documents - 7)) >/dev/null
	psql_bench -c 'VACUUM ANALYZE'
	pg_before=$(pg_size)
	echo "indexing them with this build's docsd migrate (PostgreSQL)" >&2
	pg_build=$(DOCSD_POSTGRES_QUERY_TIMEOUT=$long timed docsd migrate --database "$pg_url")
	pg_after=$(pg_size)
	psql_bench -c 'VACUUM ANALYZE'
	pg_vacuumed=$(pg_size)
	echo "timing relevance on PostgreSQL" >&2
	pg_rank_all=$(pg_ms "SELECT id FROM documents WHERE (search_title || search_body) @@ 'note'::tsquery ORDER BY ts_rank(search_title || search_body, 'note'::tsquery) DESC LIMIT 20")
	pg_rank_1000=$(pg_ms "SELECT id FROM (SELECT id, ts_rank(search_title || search_body, 'note'::tsquery) AS s FROM documents WHERE (search_title || search_body) @@ 'note'::tsquery ORDER BY id DESC LIMIT 1001) m ORDER BY s DESC LIMIT 20")
	pg_count=$(pg_ms "SELECT count(*) FROM documents WHERE (search_title || search_body) @@ 'note'::tsquery")
	base_of[pg1]=http://127.0.0.1:5710
	start_docsd "$pg_url" 127.0.0.1:5710
	targets+=(pg1)
fi

base_of[docsd]=http://127.0.0.1:5700
start_docsd "$work/after.db" 127.0.0.1:5700
after_pid=$started
base_of[before]=http://127.0.0.1:5703
start_build "$work/before" "$work/before.db" 127.0.0.1:5703
before_pid=$started
cookie_of[docsd]=$(login_cookie "${base_of[docsd]}")
cookie_of[before]=$(login_cookie "${base_of[before]}")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); wrk -t$threads -d${duration}s after a 1 s warm-up; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "before: $BENCH_BEFORE; $size documents"
[ -z "$postgres" ] || echo "PostgreSQL $(psql_admin -c 'SHOW server_version'), database $pgdb, $pg_documents documents"

searches=(search1 search3 phrase rare)
declare -A scenario_name=([search1]="one word: note" [search3]="three words: filler short note"
	[phrase]='a phrase: "short note"' [rare]="one word, one match: K")
for conns in $conns_list; do
	for round in $(seq "$rounds"); do
		echo "$size documents, $conns connections, round $round of $rounds" >&2
		for s in "${searches[@]}"; do
			for k in $(seq 0 $((${#targets[@]} - 1))); do
				one "$s" "${targets[$(((k + round - 1) % ${#targets[@]}))]}"
			done
		done
		if ((round % 2)); then one patch before; one patch docsd; else one patch docsd; one patch before; fi
	done

	echo
	echo "### Search: $size documents, $conns connections, $rounds round(s), first page of 20 (medians)"
	echo
	printf '| %-34s | %-24s | %8s | %7s | %7s | %6s | %-26s |\n' query setup req/s "p50 ms" "p99 ms" non2xx "p99 ms by round"
	printf '|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..36})" "$(printf -- '-%.0s' {1..26})" \
		---------- --------- --------- -------- "$(printf -- '-%.0s' {1..28})"
	for s in "${searches[@]}"; do
		for t in "${targets[@]}"; do
			printf '| %-34s | %-24s | %8s | %7s | %7s | %6s | %-26s |\n' "${scenario_name[$s]}" "${setup_name[$t]}" \
				"$(vals "$s" "$t" 6 | med | fmt %.0f)" "$(vals "$s" "$t" 7 | med | fmt %.2f)" \
				"$(vals "$s" "$t" 8 | med | fmt %.2f)" "$(vals "$s" "$t" 9 | med | fmt %.0f)" \
				"$(vals "$s" "$t" 8 | fmt %.1f | paste -sd' ')"
		done
	done
	echo
	ratio_width=$((rounds * 5 - 1))
	echo "PATCH /documents/:id If-Match on SQLite: this build $(vals patch docsd 6 | med | fmt %.0f) req/s" \
		"(p99 $(vals patch docsd 8 | med | fmt %.2f) ms, $(vals patch docsd 9 | med | fmt %.0f) non-2xx)," \
		"before $(vals patch before 6 | med | fmt %.0f) req/s (p99 $(vals patch before 8 | med | fmt %.2f) ms);" \
		"ratio by round $(ratios patch docsd before), median $(median_ratio patch docsd before)"
done

echo
echo "### Building the index (docsd migrate on a database seeded before search): SQLite $size documents${postgres:+, PostgreSQL $pg_documents}"
echo
echo "| backend | migrate | size before | size after | count(*) of note | relevance of every match | of the first 1,001 |"
echo "|---|---|---|---|---|---|---|"
echo "| SQLite | ${sqlite_build} s | $(mb "$sqlite_before") | $(mb "$sqlite_after") | ${sqlite_count} ms | ${sqlite_bm25_all} ms (bm25) | ${sqlite_bm25_1000} ms |"
if [ -n "$postgres" ]; then
	echo "| PostgreSQL | ${pg_build} s | $(mb "$pg_before") | $(mb "$pg_after"), $(mb "$pg_vacuumed") after VACUUM | ${pg_count} ms | ${pg_rank_all} ms (ts_rank) | ${pg_rank_1000} ms |"
fi

stop "$after_pid"
stop "$before_pid"
