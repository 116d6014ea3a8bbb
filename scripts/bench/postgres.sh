# shellcheck shell=bash disable=SC2034,SC2154 # variables shared with scripts/bench.sh
# Sourced by scripts/bench.sh when BENCH_POSTGRES is set: its PostgreSQL
# mode. Side by side in one run, at the first of BENCH_SIZES documents:
#
#   sqlite  the SQLite single node (docsd serve on a file)       127.0.0.1:5600
#   pg1     one docsd replica on PostgreSQL                       127.0.0.1:5610
#   pg3     three replicas on the same database behind nginx      127.0.0.1:5620
#           (configs/nginx/docsd.conf, rendered as scripts/cluster.sh does)
#
# Each round runs each scenario on the three back to back, the order turning
# by round. For every run it reads from /proc the CPU time per request spent
# in docsd (all of a setup's replicas), in PostgreSQL (the processes working
# for the benchmark's database) and in nginx. Then, on the one replica, it
# counts PostgreSQL transactions per request of each scenario.
#
# BENCH_POSTGRES is a URL whose user may create databases; the benchmark
# makes its own database on that server (BENCH_PG_DATABASE, default
# docsd_bench, dropped first if a killed run left it) and drops it at the
# end. The server itself is only used, never reconfigured.
#
# BENCH_PG_COMMIT_DELAY (microseconds) sets commit_delay on that database
# alone, for a disk whose flushes are slow, as a network disk's are: each
# flush waits that long first, so writes that commit one at a time each pay
# it and writes that commit together share it. It needs a superuser.

need nginx nginx-light
need psql postgresql-client

# Extra environment for the three replicas alone, as VAR=value words
# (GOMAXPROCS=1 gives each its share of two cores, as a CPU quota would:
# in a quiet A/B on 2026-12-06 that changed nothing beyond the noise).
read -ra replica_env <<<"${BENCH_REPLICA_ENV:-}"

pgdb=${BENCH_PG_DATABASE:-docsd_bench}
if ! [[ $pgdb =~ ^[a-z_][a-z0-9_]*$ ]]; then
	echo "bench: BENCH_PG_DATABASE must be a plain lower-case name, not $pgdb" >&2
	exit 2
fi
commit_delay=${BENCH_PG_COMMIT_DELAY:-}
if [ -n "$commit_delay" ] && ! [[ $commit_delay =~ ^[0-9]+$ && $commit_delay -le 100000 ]]; then
	echo "bench: BENCH_PG_COMMIT_DELAY must be 0 to 100000 microseconds, not $commit_delay" >&2
	exit 2
fi
# The same URL with the benchmark's database in its path.
pg_url=$(sed -E "s#^([a-z]+://[^/?]*)(/[^?]*)?#\1/$pgdb#" <<<"$postgres")

psql_admin() { psql "$postgres" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

# The PostgreSQL processes working for the benchmark: the backends connected
# to its database and the server's own background processes (WAL writer,
# checkpointer, ...), but not the backends that other clients of a shared
# server have open on other databases.
pg_pids() {
	psql_admin -c "SELECT pid FROM pg_stat_activity WHERE datname = '$pgdb' OR backend_type <> 'client backend'"
}

psql_admin -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" -c "CREATE DATABASE $pgdb"
at_exit+=("psql_admin -c 'DROP DATABASE IF EXISTS $pgdb WITH (FORCE)'")
[ -z "$commit_delay" ] || psql_admin -c "ALTER DATABASE $pgdb SET commit_delay = $commit_delay"

size=${sizes%% *}
echo "seeding $size documents in SQLite and in PostgreSQL" >&2
seed "$work/bench.db" "$size"
docsd migrate --database "$pg_url" >/dev/null
seed "$pg_url" "$size"

declare -A docsd_pids
base_of[sqlite]=http://127.0.0.1:5600
start_docsd "$work/bench.db" 127.0.0.1:5600
docsd_pids[sqlite]=$started
base_of[pg1]=http://127.0.0.1:5610
start_docsd "$pg_url" 127.0.0.1:5610
docsd_pids[pg1]=$started

base_of[pg3]=http://127.0.0.1:5620
shares_db[pg3]=pg1
upstream=""
for i in 1 2 3; do
	start_docsd "$pg_url" "127.0.0.1:562$i" DOCSD_SERVER_TRUSTED_PROXIES=127.0.0.1 "${replica_env[@]}"
	docsd_pids[pg3]+="$started "
	upstream+="    server 127.0.0.1:562$i max_fails=1 fail_timeout=2s;\n"
done
awk -v up="$upstream" '/# replicas begin/ { printf "%s", up; skip = 1 } /# replicas end/ { skip = 0; next } !skip' \
	configs/nginx/docsd.conf | sed "s/listen 127.0.0.1:5560;/listen 127.0.0.1:5620;/" >"$work/docsd.conf"
cat >"$work/nginx.conf" <<CONF
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events {}
http {
    access_log $work/nginx-access.log;
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
    include $work/docsd.conf;
}
CONF
nginx -p "$work" -c "$work/nginx.conf" &
nginx_master=$!
pids+=("$nginx_master")
wait_up "${base_of[pg3]}/readyz" "$work/nginx-error.log"
nginx_pids="$nginx_master $(pgrep -P "$nginx_master" | tr '\n' ' ')"

for t in sqlite pg1 pg3; do cookie_of["$t"]=$(login_cookie "${base_of[$t]}"); done

watch_target() { # target: what cpu_snapshot reads while it runs
	watch_docsd=${docsd_pids[$1]}
	watch_postgres='' watch_nginx=''
	[ "$1" = sqlite ] || watch_postgres=1
	[ "$1" != pg3 ] || watch_nginx=$nginx_pids
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); wrk -t$threads -d${duration}s after a 1 s warm-up"
echo "PostgreSQL $(psql_admin -c 'SHOW server_version'), database $pgdb${commit_delay:+ with commit_delay = $commit_delay µs}; nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), one worker, upstream $(grep -E '^ *keepalive' "$work/docsd.conf" | tr -s ' ;\n' ' ' | sed 's/^ //;s/ $//' | grep . || echo 'without keepalive') (configs/nginx/docsd.conf)"
[ ${#docsd_env[@]} -eq 0 ] || echo "docsd environment: ${docsd_env[*]}"
[ ${#replica_env[@]} -eq 0 ] || echo "the three replicas' environment: ${replica_env[*]}"

targets=(sqlite pg1 pg3)
declare -A setup_name=([sqlite]="SQLite, one node" [pg1]="PostgreSQL, one replica" [pg3]="PostgreSQL, 3 replicas + nginx")
declare -A target_of=([get]=">= 40%" [401]=">= 90%")
declare -A scenario_name=([get]="authorized GET /documents/:id" [401]="GET /documents/:id, no cookie (401)"
	[list]="anonymous GET /documents (page of 100)" [patch]="authorized PATCH /documents/:id If-Match")

for conns in $conns_list; do
	for round in $(seq "$rounds"); do
		echo "$size documents, $conns connections, round $round of $rounds" >&2
		for s in get 401 list patch; do
			for k in 0 1 2; do
				t=${targets[$(((k + round - 1) % 3))]}
				watch_target "$t"
				one "$s" "$t"
			done
		done
	done
	watch_docsd='' watch_postgres='' watch_nginx=''

	echo
	echo "### $size documents, $conns connections, $rounds round(s): medians; CPU is microseconds of CPU time per request"
	echo
	printf '| %-40s | %-30s | %8s | %7s | %7s | %6s | %9s | %9s | %9s |\n' scenario setup req/s "p50 ms" "p99 ms" non2xx \
		"docsd CPU" "PG CPU" "nginx CPU"
	printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..42})" "$(printf -- '-%.0s' {1..32})" \
		---------- --------- --------- -------- ----------- ----------- -----------
	for s in get 401 list patch; do
		for t in "${targets[@]}"; do
			printf '| %-40s | %-30s | %8s | %7s | %7s | %6s | %9s | %9s | %9s |\n' "${scenario_name[$s]}" "${setup_name[$t]}" \
				"$(vals "$s" "$t" 6 | med | fmt %.0f)" "$(vals "$s" "$t" 7 | med | fmt %.2f)" \
				"$(vals "$s" "$t" 8 | med | fmt %.2f)" "$(vals "$s" "$t" 9 | med | fmt %.0f)" \
				"$(vals "$s" "$t" 11 | med | fmt %.0f)" "$(vals "$s" "$t" 12 | med | fmt %.0f)" \
				"$(vals "$s" "$t" 13 | med | fmt %.0f)"
		done
	done

	echo
	echo "req/s over the SQLite node's, by round (median):"
	echo
	printf '| %-40s | %-24s | %-8s | %-24s |\n' scenario "one PostgreSQL replica" target "3 replicas + nginx"
	printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..42})" "$(printf -- '-%.0s' {1..26})" ---------- "$(printf -- '-%.0s' {1..26})"
	for s in get 401 list patch; do
		printf '| %-40s | %-24s | %-8s | %-24s |\n' "${scenario_name[$s]}" \
			"$(ratios "$s" pg1 sqlite) ($(median_ratio "$s" pg1 sqlite))" "${target_of[$s]:--}" \
			"$(ratios "$s" pg3 sqlite) ($(median_ratio "$s" pg3 sqlite))"
	done

	# What nginx in front costs: the three replicas over the one, on the
	# same database and the same cores.
	echo
	echo "3 replicas + nginx over one PostgreSQL replica, by round (median):"
	echo
	printf '| %-40s | %-24s | %-8s |\n' scenario "3 replicas + nginx" target
	printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..42})" "$(printf -- '-%.0s' {1..26})" ----------
	for s in get 401 list patch; do
		case $s in get | 401) goal=">= 60%" ;; *) goal=- ;; esac
		printf '| %-40s | %-24s | %-8s |\n' "${scenario_name[$s]}" "$(ratios "$s" pg3 pg1) ($(median_ratio "$s" pg3 pg1))" "$goal"
	done
done

# Transactions per request on PostgreSQL, counted by the server itself:
# pg_stat_database's xact_commit + xact_rollback for the benchmark's
# database, across a sequential run (one connection) on the one replica,
# over the requests that run completed. A statement sent outside a
# transaction is one transaction, and a BEGIN ... COMMIT is one whatever it
# holds; so this is the number of round trips when docsd sends single
# statements, and a lower bound when it groups several in a transaction. A
# pool's ping counts as one too (pgx pings a connection idle for a second,
# so once per run here), as does a background sweep that happens to run.
# The other setups are idle meanwhile.
pg_xacts() { # the database's transactions so far, once every backend has reported them
	# A backend reports when it goes idle, but when it last reported less
	# than a second before, it waits PGSTAT_IDLE_INTERVAL (10 s) first.
	sleep 11
	psql_admin -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$pgdb'"
}

echo
echo "### PostgreSQL transactions per request, one replica, one connection for 2 s (pg_stat_database)"
echo
printf '| %-40s | %8s | %12s | %11s | %-7s |\n' scenario requests transactions "per request" target
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..42})" ---------- -------------- ------------- ---------
echo "counting PostgreSQL transactions per request (about a minute)" >&2
x0=$(pg_xacts)
for s in get 401 list patch; do
	args=(BENCH_COOKIE="${cookie_of[pg1]}" BENCH_MAX_ID="$size")
	case $s in
	get) lua=get.lua goal="<= 2" ;;
	401) lua=get.lua goal=0 args=(BENCH_COOKIE= BENCH_MAX_ID="$size") ;;
	list) lua=list.lua goal=- ;;
	patch) lua=patch.lua goal=- args+=(BENCH_THREADS=1 BENCH_VERSIONS="$work/versions-pg1-$size") ;;
	esac
	env "${args[@]}" wrk -t1 -c1 -d2s -s "$lua_dir/$lua" "${base_of[pg1]}" >"$work/rt.out"
	x1=$(pg_xacts)
	n=$(awk '/^RESULT/ { split($6, kv, "="); print kv[2] }' "$work/rt.out")
	printf '| %-40s | %8s | %12s | %11s | %-7s |\n' "${scenario_name[$s]}" "$n" $((x1 - x0)) \
		"$(awk -v n="$n" -v x=$((x1 - x0)) 'BEGIN { printf "%.2f", x / n }')" "$goal"
	x0=$x1
done

echo
for t in "${targets[@]}"; do
	for p in ${docsd_pids[$t]}; do echo "docsd resident memory after the load, ${setup_name[$t]}: $(rss "$p")"; done
done
