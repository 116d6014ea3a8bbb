#!/usr/bin/env bash
# Measures docsd against two ceilings built from the same gin version, in
# one run, on loopback, with wrk; then the CLI against curl.
#
#   scripts/bench.sh                       # 1,000 documents, 10 s per scenario
#   BENCH_SIZES="1000 100000 1000000" scripts/bench.sh   # growth
#   BENCH_DURATION=5 BENCH_CONNECTIONS=32 scripts/bench.sh
#
# Every run is bounded (BENCH_DURATION seconds per scenario) and targets
# 127.0.0.1 only. Prints one table per database size, the resident memory
# of docsd after its load, and the CLI timings.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

duration=${BENCH_DURATION:-10}
conns=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
sizes=${BENCH_SIZES:-1000}
cli_runs=${BENCH_CLI_RUNS:-50}
export BENCH_THREADS=$threads BENCH_LUA=$root/scripts/bench/wrk

if ! command -v wrk >/dev/null; then
	echo "bench: installing wrk" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "building docsd, docs and the ceilings" >&2
go build -o "$work/docsd" ./cmd/docsd
go build -o "$work/docs" ./cmd/docs
go build -o "$work/ceiling" ./scripts/bench/ceiling

wait_up() { # url
	for _ in $(seq 100); do curl -fs -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "bench: $1 did not come up" >&2
	return 1
}

# login_cookie base: logs in as alice and prints "docs_session=VALUE".
login_cookie() {
	curl -fs -o /dev/null -c - -H 'Content-Type: application/json' \
		-d '{"username":"alice","password":"password"}' "$1/login" |
		awk '$6 == "docs_session" { print "docs_session=" $7 }'
}

# run NAME BASE LUA [env...]: prints "rps p50 p99 non2xx". Logins are
# bounded by bcrypt, so they run with one connection per core: more would
# only queue behind the hash and time out.
run() {
	local base=$2 lua=$3 c=$conns
	[ "$1" = login ] && c=$threads
	shift 3
	env "$@" wrk -t"$threads" -c"$c" -d1s -s "$BENCH_LUA/$lua" "$base" >/dev/null # warm-up
	env "$@" wrk -t"$threads" -c"$c" -d"${duration}s" -s "$BENCH_LUA/$lua" "$base" |
		awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"] }'
}

row() { # scenario docsd-result ceiling-name ceiling-result
	local name=$1 d=($2) cname=$3 c=($4)
	local ratio="-"
	[ -n "${c[0]:-}" ] && ratio=$(awk -v a="${d[0]}" -v b="${c[0]}" 'BEGIN { printf "%.0f%%", 100 * a / b }')
	printf '| %-40s | %8s | %7s | %7s | %6s | %-14s | %8s | %7s | %6s |\n' "$name" "${d[0]}" "${d[1]}" "${d[2]}" "${d[3]}" "$cname" "${c[0]:--}" "${c[2]:--}" "$ratio"
}

header() {
	printf '| %-40s | %8s | %7s | %7s | %6s | %-14s | %8s | %7s | %6s |\n' scenario req/s "p50 ms" "p99 ms" non2xx ceiling "req/s" "p99 ms" ratio
	printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..42})" ---------- --------- --------- -------- ---------------- ---------- --------- --------
}

bare=http://127.0.0.1:5601
cookie=http://127.0.0.1:5602
"$work/ceiling" -mode bare -addr 127.0.0.1:5601 2>/dev/null & pids+=($!)
"$work/ceiling" -mode cookie -addr 127.0.0.1:5602 2>/dev/null & pids+=($!)
wait_up "$bare/documents"
wait_up "$cookie/documents"
cookie_ceiling=$(login_cookie "$cookie")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); wrk -t$threads -c$conns -d${duration}s"
echo "ceilings: bare gin from memory (a private route only checks a cookie is present); gin + gin-contrib/sessions cookie store decoding user_id"

echo "ceilings, measured once for every size:" >&2
c_get_bare=$(run get "$bare" get.lua BENCH_COOKIE=docs_session=x BENCH_MAX_ID=1000)
c_401_bare=$(run 401 "$bare" get.lua BENCH_COOKIE= BENCH_MAX_ID=1000)
c_list_bare=$(run list "$bare" list.lua)
c_get_cookie=$(run get "$cookie" get.lua BENCH_COOKIE="$cookie_ceiling" BENCH_MAX_ID=1000)
c_patch_cookie=$(run patch "$cookie" patch.lua BENCH_COOKIE="$cookie_ceiling" BENCH_MAX_ID=1000)

port=5600
base=http://127.0.0.1:$port
for size in $sizes; do
	db=$work/bench-$size.db
	rm -f "$db"*
	echo "seeding $size documents" >&2
	filler=$((size - 7))
	"$work/docsd" seed --database "$db" --documents "$filler" >/dev/null
	"$work/docsd" serve --database "$db" --addr 127.0.0.1:$port 2>"$work/docsd-$size.log" &
	dpid=$!
	pids+=($dpid)
	wait_up "$base/healthz"
	c=$(login_cookie "$base")
	cost=${DOCSD_AUTH_BCRYPT_COST:-10}

	echo
	echo "### $size documents"
	echo
	header
	row "authorized GET /documents/:id" "$(run get "$base" get.lua BENCH_COOKIE="$c" BENCH_MAX_ID="$size")" "cookie session" "$c_get_cookie"
	row "unauthenticated GET /documents/:id (401)" "$(run 401 "$base" get.lua BENCH_COOKIE= BENCH_MAX_ID="$size")" "bare gin" "$c_401_bare"
	row "anonymous GET /documents (page of 100)" "$(run list "$base" list.lua)" "bare gin" "$c_list_bare"
	if [ "$size" = "$(echo $sizes | cut -d' ' -f1)" ]; then
		row "authorized GET /documents/:id vs bare" "$(run get "$base" get.lua BENCH_COOKIE="$c" BENCH_MAX_ID="$size")" "bare gin" "$c_get_bare"
		row "authorized PATCH /documents/:id If-Match" "$(run patch "$base" patch.lua BENCH_COOKIE="$c" BENCH_MAX_ID="$size")" "cookie session" "$c_patch_cookie"
		row "POST /login (bcrypt cost $cost)" "$(run login "$base" login.lua)" "-" ""
	fi
	rss=$(awk '/^(VmRSS|RssAnon|RssFile):/ { printf "%s %s %s, ", $1, $2, $3 }' /proc/$dpid/status)
	echo
	echo "docsd resident memory after the load at $size documents: ${rss%, } (RssFile is the memory-mapped database, shared with the page cache)"
	kill -TERM "$dpid"
	wait "$dpid" || true
done

# The CLI against curl with the same cookie, through a real Secret Service.
if [ "$cli_runs" -gt 0 ] && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
	db=$work/cli.db
	"$work/docsd" seed --database "$db" >/dev/null
	"$work/docsd" serve --database "$db" --addr 127.0.0.1:$port 2>"$work/docsd-cli.log" &
	dpid=$!
	pids+=($dpid)
	wait_up "$base/healthz"
	echo
	echo "### docs against curl ($cli_runs runs each, median wall time)"
	echo
	home=$(mktemp -d)
	mkdir -m 700 "$home/run"
	HOME=$home XDG_DATA_HOME=$home/.local/share XDG_RUNTIME_DIR=$home/run DOCS_CONFIG_DIR=$home/docs \
		BENCH_DOCS=$work/docs BENCH_BASE=$base BENCH_RUNS=$cli_runs \
		dbus-run-session -- bash "$root/scripts/bench/cli.sh" 2> >(grep -v "Failed to set fd limit" >&2)
	rm -rf "$home"
	kill -TERM "$dpid"
	wait "$dpid" || true
else
	echo "(CLI timings skipped: set BENCH_CLI_RUNS and install dbus and gnome-keyring, as scripts/e2e.sh does)"
fi
