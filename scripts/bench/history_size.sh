#!/usr/bin/env bash
# What keeping every version costs on disk: the database of N documents
# (docsd seed --documents, the seed generator's filler) with 1 revision each,
# as seeded, then with 10 each, then with none, compacted each time; and the
# bytes one revision adds. SQLite always; PostgreSQL too when BENCH_POSTGRES
# is a URL whose user may create databases (it makes BENCH_PG_DATABASE,
# default docsd_history_size, and drops it at the end).
#
#   scripts/bench/history_size.sh                 # 100,000 documents
#   BENCH_HISTORY_DOCUMENTS=10000 scripts/bench/history_size.sh
#   BENCH_POSTGRES='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' scripts/bench/history_size.sh
#
# The 9 revisions added to each document are written with SQL, not through
# the API (900,000 edits would take most of an hour with SQLite's fsync per
# commit): each is the document's title and its body with " Edit K." after
# it, so they are the size real edits of these documents would be.
set -euo pipefail
cd "$(dirname "$0")/../.."

n=${BENCH_HISTORY_DOCUMENTS:-100000}
postgres=${BENCH_POSTGRES:-}
work=$(mktemp -d)
at_exit=()
cleanup() {
	for c in "${at_exit[@]}"; do eval "$c" || true; done
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/docsd" ./cmd/docsd

# The 9 revisions after the first: versions 2 to 10 of every document.
more_revisions="INSERT INTO revisions (document_id, version, title, body, author_id, author_name, by_id, by_name, created_at)
	SELECT r.document_id, k.n, r.title, r.body || ' Edit ' || k.n || '.', r.author_id, r.author_name, r.by_id, r.by_name, r.created_at + k.n
	FROM revisions r CROSS JOIN (SELECT 2 AS n UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6
	                             UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10) k
	WHERE r.version = 1"

# report BACKEND SIZE0 SIZE1 SIZE10: one line of figures, in bytes.
report() {
	awk -v b="$1" -v s0="$2" -v s1="$3" -v s10="$4" -v n="$n" 'BEGIN {
		printf "%-10s %d documents: %.1f MB without history, %.1f MB with 1 revision each, %.1f MB with 10 each; %.0f bytes per revision\n",
			b, n, s0 / 1e6, s1 / 1e6, s10 / 1e6, (s10 - s0) / (10 * n) }'
}

db=$work/history.db
"$work/docsd" seed --database "$db" --documents $((n - 7)) >/dev/null
sq() { sqlite3 "$db" "$@"; }
size() { sq 'VACUUM' && stat -c %s "$db"; }
s1=$(size)
sq "$more_revisions"
s10=$(size)
sq 'DELETE FROM revisions'
s0=$(size)
report SQLite "$s0" "$s1" "$s10"

if [ -n "$postgres" ]; then
	pgdb=${BENCH_PG_DATABASE:-docsd_history_size}
	if ! [[ $pgdb =~ ^[a-z_][a-z0-9_]*$ ]]; then
		echo "history_size: BENCH_PG_DATABASE must be a plain lower-case name, not $pgdb" >&2
		exit 2
	fi
	admin() { PGOPTIONS="-c client_min_messages=warning" psql "$postgres" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
	pg_url=$(sed -E "s#^([a-z]+://[^/?]*)(/[^?]*)?#\1/$pgdb#" <<<"$postgres")
	admin -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" -c "CREATE DATABASE $pgdb"
	at_exit+=("admin -c 'DROP DATABASE IF EXISTS $pgdb WITH (FORCE)'")
	"$work/docsd" migrate --database "$pg_url" >/dev/null
	"$work/docsd" seed --database "$pg_url" --documents $((n - 7)) >/dev/null
	pq() { psql "$pg_url" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
	# VACUUM FULL rewrites every table compactly, as VACUUM does SQLite's.
	psize() { pq -c 'VACUUM FULL' && pq -c 'SELECT pg_database_size(current_database())'; }
	s1=$(psize)
	pq -c "$more_revisions"
	s10=$(psize)
	pq -c 'DELETE FROM revisions'
	s0=$(psize)
	report PostgreSQL "$s0" "$s1" "$s10"
fi
