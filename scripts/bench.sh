#!/usr/bin/env bash
# Measures docsd on loopback with wrk against yardsticks started by the same
# run, then the CLI against curl.
#
#   scripts/bench.sh                                     # 1,000 documents, 64 connections, 3 rounds
#   BENCH_CONNECTIONS="32 64" BENCH_ROUNDS=5 scripts/bench.sh
#   BENCH_SIZES="1000 100000 1000000" scripts/bench.sh   # growth
#   BENCH_DOCSD_ENV="DOCSD_CACHE_DOCUMENTS_BYTES=0" scripts/bench.sh  # extra docsd settings
#   BENCH_DOCSD=/tmp/docsd-old scripts/bench.sh           # a docsd built elsewhere
#   BENCH_POSTGRES='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' scripts/bench.sh
#   BENCH_PG_COMMIT_DELAY=2000 BENCH_POSTGRES=... scripts/bench.sh  # slow flushes, on the bench's database only
#   BENCH_REPLICA_ENV=GOMAXPROCS=1 BENCH_POSTGRES=... scripts/bench.sh  # extra settings of the three replicas
#   BENCH_BEFORE=/tmp/docsd-before scripts/bench.sh       # this build against an earlier one
#   BENCH_SEARCH=1 BENCH_BEFORE=/tmp/docsd-before BENCH_SIZES=1000000 scripts/bench.sh  # search
#
# Default mode: docsd against two ceilings built from the same gin version
# (scripts/bench/ceiling). For each database size, each connection count and
# each round, every scenario runs on its ceiling and on docsd back to back
# (ceiling first in odd rounds, docsd first in even ones), so both sides of
# a ratio see the machine in the same state. The tables give each round's
# ratio and their median, the medians of docsd's figures and the ceiling's,
# and docsd's resident memory after the load.
#
# PostgreSQL mode (BENCH_POSTGRES set): see scripts/bench/postgres.sh.
# Before-and-after mode (BENCH_BEFORE set): see scripts/bench/before.sh.
# Search mode (BENCH_SEARCH set, with BENCH_BEFORE): see scripts/bench/search.sh.
#
# Every wrk run is bounded (a 1 s warm-up, then BENCH_DURATION seconds) and
# targets 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

duration=${BENCH_DURATION:-10}
conns_list=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
sizes=${BENCH_SIZES:-1000}
cli_runs=${BENCH_CLI_RUNS:-50}
# Attempted PATCHes a second by the one writing connection of the mix.
mix_writes=${BENCH_MIX_WRITES:-100}
postgres=${BENCH_POSTGRES:-}
# The PostgreSQL mode runs three setups, so one round by default.
if [ -n "$postgres" ]; then rounds=${BENCH_ROUNDS:-1}; else rounds=${BENCH_ROUNDS:-3}; fi
# Extra environment for every docsd serve, as VAR=value words.
read -ra docsd_env <<<"${BENCH_DOCSD_ENV:-}"
lua_dir=$root/scripts/bench/wrk
export BENCH_THREADS=$threads BENCH_LUA=$lua_dir

for c in $conns_list; do
	if [ "$c" -le "$threads" ]; then
		echo "bench: each of BENCH_CONNECTIONS ($conns_list) must exceed BENCH_THREADS ($threads)" >&2
		exit 2
	fi
done
if [ "$mix_writes" -lt 1 ] || [ "$mix_writes" -gt 1000 ]; then
	echo "bench: BENCH_MIX_WRITES must be 1 to 1000 (PATCHes a second), not $mix_writes" >&2
	exit 2
fi

need() { # command debian-package
	command -v "$1" >/dev/null && return
	echo "bench: installing $2" >&2
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}
need wrk wrk

work=$(mktemp -d)
pids=()
at_exit=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for c in "${at_exit[@]}"; do eval "$c" || true; done
	rm -rf "$work"
}
trap cleanup EXIT

echo "building docsd, docs and the ceilings" >&2
if [ -n "${BENCH_DOCSD:-}" ]; then
	# Another docsd, such as an earlier commit's, against the same ceilings.
	cp "$BENCH_DOCSD" "$work/docsd"
else
	go build -o "$work/docsd" ./cmd/docsd
fi
go build -o "$work/docs" ./cmd/docs
go build -o "$work/ceiling" ./scripts/bench/ceiling

wait_up() { # url [log]: waits for url to answer; else shows the log's end and fails
	for _ in $(seq 100); do curl -fs -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "bench: $1 did not come up" >&2
	if [ -n "${2:-}" ]; then tail -n 5 "$2" >&2; fi
	return 1
}

# docsd runs in $work, where there is no configs/docsd.yaml: every docsd
# measured, an earlier commit's included, gets the defaults and
# BENCH_DOCSD_ENV only.
docsd() { (cd "$work" && "$work/docsd" "$@"); }

# start_docsd DATABASE ADDR [VAR=value...]: starts docsd serve with
# BENCH_DOCSD_ENV and waits until it is ready; leaves its pid in $started.
start_docsd() { start_build "$work/docsd" "$@"; }

# start_build BINARY DATABASE ADDR [VAR=value...]: start_docsd with
# another build of docsd (BENCH_BEFORE's).
start_build() {
	local bin=$1 db=$2 addr=$3 log=$work/docsd-${3##*:}.log
	shift 3
	(cd "$work" && exec env "$@" "${docsd_env[@]}" "$bin" serve --database "$db" --addr "$addr") 2>"$log" &
	started=$!
	pids+=("$started")
	wait_up "http://$addr/readyz" "$log"
	# Another server on the port (another run of this script) would have
	# answered for one that could not listen.
	if ! kill -0 "$started" 2>/dev/null; then
		echo "bench: docsd on $addr exited; is the port taken?" >&2
		tail -n 5 "$log" >&2
		return 1
	fi
}

stop() { # pid
	kill -TERM "$1"
	wait "$1" || true
}

seed() { # database size: the demo users and documents, and filler up to size
	docsd seed --database "$1" --documents $(($2 - 7)) >/dev/null
}

# login_cookie base: logs in as alice and prints "docs_session=VALUE".
login_cookie() {
	curl -fs -o /dev/null -c - -H 'Content-Type: application/json' \
		-d '{"username":"alice","password":"password"}' "$1/login" |
		awk '$6 == "docs_session" { print "docs_session=" $7 }'
}

# new_token base cookie: creates a read token with the session and prints
# "ID SECRET"; fails on a docsd without tokens.
new_token() {
	local r
	r=$(curl -fs -H 'Content-Type: application/json' -b "$2" \
		-d "{\"name\":\"bench-$RANDOM$RANDOM\",\"scopes\":[\"read\"]}" "$1/tokens") || return
	# The answer ends without a newline; the here-string adds the one
	# that read needs.
	sed -nE 's/.*"id":([0-9]+).*"token":"([^"]+)".*/\1 \2/p' <<<"$r"
}

rss() { # pid: its resident memory, from /proc
	awk '/^(VmRSS|RssAnon|RssFile):/ { printf "%s%s %s %s", sep, $1, $2, $3; sep = ", " }' "/proc/$1/status"
}

# --- Measuring ---------------------------------------------------------------
#
# Every measured wrk run appends one line to $results:
#
#   size conns round scenario target rps p50_ms p99_ms non2xx requests docsd_us pg_us nginx_us
#
# size, conns and round are the loop's globals; target names the server
# (docsd, bare, cookie; sqlite, pg1, pg3), or token: docsd again, sent a
# bearer token instead of a cookie. The last three fields are CPU
# microseconds per request of the processes being watched (see cpu_snapshot),
# or "-" for what is not watched.
results=$work/results
: >"$results"
size='' conns='' round=''
declare -A base_of cookie_of token_of bad_cookie_of bad_token_of

# What cpu_snapshot reads: the pids of docsd, of PostgreSQL (filled in by
# measure from watch_postgres and pg_pids, which the PostgreSQL mode
# defines) and of nginx.
watch_docsd='' watch_postgres='' watch_nginx='' watch_pg=''
clk_tck=$(getconf CLK_TCK)
# CPU time is sampled inside a measured run, from margin seconds after its
# start to margin seconds before its end, not around it: when wrk stops,
# docsd abandons the requests in flight and pgx closes the PostgreSQL
# connections they were using, so the CPU time of those backends would be
# lost from a snapshot taken after the run. Load is steady in between, so
# CPU per request is CPU per second over wrk's requests per second.
margin=$(awk -v d="$duration" 'BEGIN { print (d < 4 ? d / 4 : 0.5) }')
window=$(awk -v d="$duration" -v m="$margin" 'BEGIN { print d - 2 * m }')

# ticks GROUP PID...: "GROUP pid ticks" for each process still there, its
# user + system CPU time in clock ticks. Only builtins: on two loaded cores
# a fork can take tens of milliseconds, and the readings must be close to
# the clock reading before them.
ticks() {
	local g=$1 p s f
	shift
	for p; do
		{ read -r s <"/proc/$p/stat"; } 2>/dev/null || continue
		# The fields after "pid (command) "; the command may hold spaces.
		read -ra f <<<"${s##*) }"
		echo "$g $p $((f[11] + f[12]))"
	done
}

cpu_snapshot() { # file: "time - microseconds", then "group pid ticks" for every watched process
	{
		echo "time - ${EPOCHREALTIME/./}"
		# shellcheck disable=SC2086 # lists of pids
		ticks docsd $watch_docsd
		# shellcheck disable=SC2086
		ticks nginx $watch_nginx
		# shellcheck disable=SC2086
		ticks pg $watch_pg
	} >"$1"
}

cpu_us() { # group rps: CPU microseconds per request of one group between the two snapshots
	# A process that started between them counts from zero; one that ended
	# in between is lost (see above: none should, inside a run).
	awk -v g="$1" -v rps="$2" -v hz="$clk_tck" '
		$1 == "time" { t[FILENAME == ARGV[1]] = $3; next }
		FILENAME == ARGV[1] { if ($1 == g) t0[$2] = $3; next }
		$1 == g { d += $3 - t0[$2]; seen = 1 }
		END { if (!seen || rps == 0) print "-"; else printf "%.0f\n", d / hz * 1e6 / ((t[0] - t[1]) / 1e6) / rps }' "$work/cpu.0" "$work/cpu.1"
}

# record SCENARIO TARGET WRK-OUTPUT [cpu]: appends the run's line to $results,
# with the CPU per request between the snapshots when asked.
record() {
	local r
	r=$(awk '/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"], v["requests"] }' "$3")
	if [ -z "$r" ]; then
		echo "bench: wrk gave no result for $1 on $2:" >&2
		cat "$3" >&2
		exit 1
	fi
	local cpu="- - -"
	if [ "${4:-}" = cpu ]; then
		local rps=${r%% *}
		cpu="$(cpu_us docsd "$rps") $(cpu_us pg "$rps") $(cpu_us nginx "$rps")"
	fi
	echo "$size $conns $round $1 $2 $r $cpu" >>"$results"
}

# sample_cpu: the two snapshots inside a measured run that has just started.
sample_cpu() {
	sleep "$margin"
	# PostgreSQL's processes are listed once, before the first snapshot: the
	# pools are full after the warm-up, and psql can take long enough on
	# loaded cores to push the second snapshot past the run's end.
	watch_pg=''
	[ -z "$watch_postgres" ] || watch_pg=$(pg_pids)
	cpu_snapshot "$work/cpu.0"
	sleep "$window"
	cpu_snapshot "$work/cpu.1"
}

# measure SCENARIO TARGET BASE LUA CONNECTIONS [VAR=value...]: a 1 s warm-up,
# then BENCH_DURATION seconds measured and recorded.
measure() {
	local scenario=$1 target=$2 base=$3 lua=$lua_dir/$4 c=$5
	shift 5
	env "$@" wrk -t"$threads" -c"$c" -d1s -s "$lua" "$base" >/dev/null
	env "$@" wrk -t"$threads" -c"$c" -d"${duration}s" -s "$lua" "$base" >"$work/wrk.out" &
	local w=$! cpu=''
	if [ -n "$watch_docsd$watch_postgres$watch_nginx" ]; then
		sample_cpu
		cpu=cpu
	fi
	wait "$w"
	record "$scenario" "$target" "$work/wrk.out" "$cpu"
}

# The mix: all connections but one GET documents while the last one PATCHes
# at most BENCH_MIX_WRITES times a second (wrk's delay() between its
# requests), from before the GETs' warm-up to after their measured run. The
# GETs are recorded as "mix", the PATCHes as "mixpatch".
measure_mix() { # target base cookie versions-file
	BENCH_COOKIE=$3 BENCH_MAX_ID=$size BENCH_VERSIONS=$4 BENCH_THREADS=1 BENCH_DELAY_MS=$((1000 / mix_writes)) \
		wrk -t1 -c1 -d$((duration + 2))s -s "$lua_dir/patch.lua" "$2" >"$work/mixpatch.out" &
	local writer=$!
	measure mix "$1" "$2" get.lua $((conns - 1)) BENCH_COOKIE="$3" BENCH_MAX_ID="$size"
	wait "$writer"
	record mixpatch "$1" "$work/mixpatch.out"
}

# one SCENARIO TARGET: runs one scenario against one server, as the user
# whose cookie for that server is in cookie_of. PATCHes carry the documents'
# versions from run to run in a file per database (see patch.lua); targets
# on one database name it in shares_db.
declare -A shares_db
# The searches, URL-encoded, on the seed's filler documents (see
# scripts/bench/search.sh).
declare -A search_query=([search1]=note [search3]=filler+short+note [phrase]=%22short+note%22 [rare]="{n}")
# A target's number of documents where it is not $size.
declare -A documents_of
one() {
	local s=$1 t=$2 b=${base_of[$2]} c=${cookie_of[$2]:-}
	local v=$work/versions-${shares_db[$2]:-$2}-$size
	case $s in
	# pairget is get again, for the token against the cookie on one docsd.
	get | pairget) measure "$s" "$t" "$b" get.lua "$conns" BENCH_COOKIE="$c" BENCH_TOKEN="${token_of[$t]:-}" BENCH_MAX_ID="$size" ;;
	401) measure 401 "$t" "$b" get.lua "$conns" BENCH_COOKIE= BENCH_MAX_ID="$size" ;;
	# A credential docsd does not know but cannot reject unread: the
	# signed cookie of an ended session, or a revoked token.
	bad401) measure bad401 "$t" "$b" get.lua "$conns" BENCH_COOKIE="${bad_cookie_of[$t]:-}" BENCH_TOKEN="${bad_token_of[$t]:-}" BENCH_MAX_ID="$size" ;;
	list) measure list "$t" "$b" list.lua "$conns" ;;
	revisions) measure revisions "$t" "$b" revisions.lua "$conns" BENCH_COOKIE="$c" BENCH_MAX_ID="$size" ;;
	search1 | search3 | phrase | rare) measure "$s" "$t" "$b" search.lua "$conns" BENCH_QUERY="${search_query[$s]}" BENCH_MAX_ID="${documents_of[$t]:-$size}" ;;
	patch) measure patch "$t" "$b" patch.lua "$conns" BENCH_COOKIE="$c" BENCH_MAX_ID="$size" BENCH_VERSIONS="$v" ;;
	mix) measure_mix "$t" "$b" "$c" "$v" ;;
	# Logins are bounded by bcrypt, so they run with one connection per
	# core: more would only queue behind the hash and time out.
	login) measure login "$t" "$b" login.lua "$threads" ;;
	esac
}

# --- Reporting -----------------------------------------------------------------

vals() { # scenario target column: that column of each round, in round order, at the current size and conns
	awk -v k="$size $conns" -v s="$1" -v t="$2" -v c="$3" '$1 " " $2 == k && $4 == s && $5 == t { print $c }' "$results"
}

med() { # the median of the numbers on stdin; "-" when there are none or one is "-"
	sort -g | awk '$1 == "-" { dash = 1 } { a[NR] = $1 }
		END { if (!NR || dash) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

fmt() { # printf-format: formats the one value on stdin, "-" as is
	awk -v f="$1" '{ if ($1 == "-") print "-"; else printf f "\n", $1 }'
}

ratios() { # scenario target over-target: each round's ratio of req/s, in percent
	paste -d' ' <(vals "$1" "$2" 6) <(vals "$1" "$3" 6) | awk '{ printf "%s%.0f%%", sep, 100 * $1 / $2; sep = " " } END { print "" }'
}

median_ratio() { # scenario target over-target
	paste -d' ' <(vals "$1" "$2" 6) <(vals "$1" "$3" 6) | awk '{ print 100 * $1 / $2 }' | med | fmt '%.0f%%'
}

# --- Search mode -------------------------------------------------------------------

if [ -n "${BENCH_SEARCH:-}" ]; then
	# shellcheck source=scripts/bench/search.sh
	. "$root/scripts/bench/search.sh"
	exit 0
fi

# --- PostgreSQL mode -------------------------------------------------------------

if [ -n "$postgres" ]; then
	# shellcheck source=scripts/bench/postgres.sh
	. "$root/scripts/bench/postgres.sh"
	exit 0
fi

# --- Before-and-after mode ------------------------------------------------------

if [ -n "${BENCH_BEFORE:-}" ]; then
	# shellcheck source=scripts/bench/before.sh
	. "$root/scripts/bench/before.sh"
	exit 0
fi

# --- Default mode: docsd against the ceilings ---------------------------------

declare -A ceiling_name=([bare]="bare gin" [cookie]="cookie session" [docsd]="docsd, cookie")

# row LABEL SCENARIO CEILING [TARGET]: one line of the table, medians over
# the rounds, of TARGET (default docsd) against CEILING.
row() {
	local s=$2 c=$3 t=${4:-docsd}
	printf '| %-42s | %8s | %7s | %7s | %6s | %-14s | %8s | %7s | %-*s | %6s |\n' "$1" \
		"$(vals "$s" "$t" 6 | med | fmt %.0f)" "$(vals "$s" "$t" 7 | med | fmt %.2f)" \
		"$(vals "$s" "$t" 8 | med | fmt %.2f)" "$(vals "$s" "$t" 9 | med | fmt %.0f)" \
		"${ceiling_name[$c]}" "$(vals "$s" "$c" 6 | med | fmt %.0f)" "$(vals "$s" "$c" 8 | med | fmt %.2f)" \
		"$ratio_width" "$(ratios "$s" "$t" "$c")" "$(median_ratio "$s" "$t" "$c")"
}

header() {
	ratio_width=$((rounds * 5 - 1))
	[ "$ratio_width" -ge 14 ] || ratio_width=14
	printf '| %-42s | %8s | %7s | %7s | %6s | %-14s | %8s | %7s | %-*s | %6s |\n' scenario req/s "p50 ms" "p99 ms" non2xx \
		ceiling "req/s" "p99 ms" "$ratio_width" "ratio by round" median
	printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..44})" ---------- --------- --------- -------- \
		---------------- ---------- --------- "$(printf -- '-%.0s' $(seq $((ratio_width + 2))))" --------
}

base_of[bare]=http://127.0.0.1:5601
base_of[cookie]=http://127.0.0.1:5602
base_of[docsd]=http://127.0.0.1:5600
base_of[token]=${base_of[docsd]}
"$work/ceiling" -mode bare -addr 127.0.0.1:5601 2>/dev/null &
pids+=($!)
"$work/ceiling" -mode cookie -addr 127.0.0.1:5602 2>/dev/null &
pids+=($!)
wait_up "${base_of[bare]}/documents"
wait_up "${base_of[cookie]}/documents"
cookie_of[cookie]=$(login_cookie "${base_of[cookie]}")
cookie_of[bare]=docs_session=x

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); wrk -t$threads -d${duration}s after a 1 s warm-up"
echo "ceilings: bare gin from memory (a private route only checks a cookie is present); gin + gin-contrib/sessions cookie store decoding user_id"
[ ${#docsd_env[@]} -eq 0 ] || echo "docsd environment: ${docsd_env[*]}"

first=${sizes%% *}
for size in $sizes; do
	db=$work/bench-$size.db
	echo "seeding $size documents" >&2
	seed "$db" "$size"
	# A revoked token counts toward the address's login throttle, and every
	# request of the benchmark comes from 127.0.0.1: the default 20 failures
	# in 15 minutes would turn the bad-token 401s into 429s at once. With a
	# 10 ms window and a limit no 10 ms reaches, none is a 429, and each
	# failure's count walks only the failures of the last 10 ms (about ten
	# at the rates measured), no more than for a client under the default
	# limit (at most 19).
	start_docsd "$db" 127.0.0.1:5600 DOCSD_AUTH_THROTTLE_WINDOW=10ms DOCSD_AUTH_THROTTLE_MAX_FAILURES_PER_ADDRESS=1000000
	dpid=$started
	cookie_of[docsd]=$(login_cookie "${base_of[docsd]}")
	# Writes only at the first size: the growth sizes measure reads.
	scenarios=(get 401 list)
	[ "$size" != "$first" ] || scenarios+=(patch mix)
	# Tokens against cookies on the same docsd, at the first size, when the
	# docsd measured has tokens (BENCH_DOCSD may be older).
	tokens=''
	if [ "$size" = "$first" ] && read -r _ token_of[token] < <(new_token "${base_of[docsd]}" "${cookie_of[docsd]}") && [ -n "${token_of[token]}" ]; then
		tokens=1
		read -r revoked bad_token_of[token] < <(new_token "${base_of[docsd]}" "${cookie_of[docsd]}")
		curl -fs -X DELETE -b "${cookie_of[docsd]}" "${base_of[docsd]}/tokens/$revoked"
		bad_cookie_of[docsd]=$(login_cookie "${base_of[docsd]}")
		curl -fs -X DELETE -b "${bad_cookie_of[docsd]}" "${base_of[docsd]}/logout"
	elif [ "$size" = "$first" ]; then
		echo "(token rows skipped: this docsd does not create tokens)"
	fi

	for conns in $conns_list; do
		for round in $(seq "$rounds"); do
			echo "$size documents, $conns connections, round $round of $rounds" >&2
			for s in "${scenarios[@]}"; do
				case $s in 401 | list) c=bare ;; *) c=cookie ;; esac
				if ((round % 2)); then one "$s" "$c"; one "$s" docsd; else one "$s" docsd; one "$s" "$c"; fi
				# docsd's authorized GET against bare gin too, from the same round.
				[ "$s" != get ] || [ "$size" != "$first" ] || one get bare
			done
			# The same docsd with a token and with a cookie, back to back, the
			# cookie first in odd rounds.
			if [ -n "$tokens" ]; then
				for s in pairget bad401; do
					if ((round % 2)); then one "$s" docsd; one "$s" token; else one "$s" token; one "$s" docsd; fi
				done
			fi
		done

		echo
		echo "### $size documents, $conns connections, $rounds rounds (medians; ratios are docsd's req/s over the ceiling's)"
		echo
		header
		row "authorized GET /documents/:id" get cookie
		row "unauthenticated GET /documents/:id (401)" 401 bare
		row "anonymous GET /documents (page of 100)" list bare
		if [ "$size" = "$first" ]; then
			row "authorized GET /documents/:id vs bare" get bare
			row "authorized PATCH /documents/:id If-Match" patch cookie
			row "authorized GET, 1 connection PATCHing" mix cookie
			echo
			echo "PATCHes beside the GETs of the mix, one connection at most $mix_writes/s: docsd $(vals mixpatch docsd 6 | med | fmt %.0f)/s" \
				"($(vals mixpatch docsd 9 | med | fmt %.0f) non-2xx), the ceiling $(vals mixpatch cookie 6 | med | fmt %.0f)/s"
		fi
		if [ -n "$tokens" ]; then
			echo
			echo "### Bearer token against session cookie, the same docsd, $size documents, $conns connections (ratios are the token's req/s over the cookie's; targets: GET >= 95%, 401 >= 100%)"
			echo
			header
			row "authorized GET /documents/:id, token" pairget docsd token
			row "GET /documents/:id, revoked token (401)" bad401 docsd token
			echo
			echo "The 401 rows' cookie is an ended session's (signed, unknown to the database); 429s in docsd's log (the throttle; want 0): $(grep -c 'status=429' "$work/docsd-5600.log" || true)"
		fi
	done

	if [ "$size" = "$first" ]; then
		conns=$threads round=1
		one login docsd
		echo
		echo "POST /login (bcrypt cost ${DOCSD_AUTH_BCRYPT_COST:-10}), $threads connections: $(vals login docsd 6 | fmt %.0f) req/s," \
			"p50 $(vals login docsd 7 | fmt %.2f) ms, p99 $(vals login docsd 8 | fmt %.2f) ms, $(vals login docsd 9) non-2xx"
	fi
	echo
	echo "docsd resident memory after the load at $size documents: $(rss "$dpid") (RssFile is the memory-mapped database, shared with the page cache)"
	stop "$dpid"
done

# The CLI against curl with the same cookie, through a real Secret Service.
if [ "$cli_runs" -gt 0 ] && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
	db=$work/cli.db
	docsd seed --database "$db" >/dev/null
	start_docsd "$db" 127.0.0.1:5600
	dpid=$started
	echo
	echo "### docs against curl ($cli_runs runs each, median wall time)"
	echo
	home=$(mktemp -d)
	mkdir -m 700 "$home/run"
	HOME=$home XDG_DATA_HOME=$home/.local/share XDG_RUNTIME_DIR=$home/run DOCS_CONFIG_DIR=$home/docs \
		BENCH_DOCS=$work/docs BENCH_BASE=${base_of[docsd]} BENCH_RUNS=$cli_runs \
		dbus-run-session -- bash "$root/scripts/bench/cli.sh" 2> >(grep -v "Failed to set fd limit" >&2)
	rm -rf "$home"
	stop "$dpid"
else
	echo "(CLI timings skipped: set BENCH_CLI_RUNS and install dbus and gnome-keyring, as scripts/e2e.sh does)"
fi
