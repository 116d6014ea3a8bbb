#!/usr/bin/env bash
# Starts N docsd replicas (default 3) on loopback ports, all on one
# PostgreSQL database, with nginx in front (configs/nginx/docsd.conf, as
# scripts/nginx-conf.sh renders it), and prints the URL. Ctrl-C stops
# everything.
#
#   DOCSD_DATABASE=postgres://user:pw@host:5432/db scripts/cluster.sh [N]
#
# DOCSD_DATABASE defaults to the database "docsd" on the local server
# (create it first: createdb docsd); docsd migrates it. nginx's port is
# CLUSTER_PORT (default 5560), the replicas' the ones after it.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-3}
db=${DOCSD_DATABASE:-postgres://postgres@127.0.0.1:5432/docsd?sslmode=disable}
port=${CLUSTER_PORT:-5560}
if ! command -v nginx >/dev/null; then
  echo "cluster.sh needs nginx: on Debian or Ubuntu, sudo apt-get install nginx-light" >&2
  exit 1
fi

work=$(mktemp -d)
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

go build -o "$work/docsd" ./cmd/docsd
# Migrate once, so the replicas start on a current schema.
if ! "$work/docsd" migrate --database "$db" >/dev/null; then
  echo "cluster.sh: docsd could not migrate the database; it must exist first (for the default: createdb -U postgres -h 127.0.0.1 docsd)" >&2
  exit 1
fi

addrs=()
for i in $(seq 1 "$n"); do
  addr=127.0.0.1:$((port + i))
  DOCSD_SERVER_TRUSTED_PROXIES=127.0.0.1 "$work/docsd" serve \
    --database "$db" --addr "$addr" 2>"$work/docsd-$i.log" &
  pids+=($!)
  addrs+=("$addr")
done

scripts/nginx-conf.sh "$work" "$port" "${addrs[@]}"
nginx -p "$work" -c "$work/nginx.conf" &
pids+=($!)

for _ in $(seq 1 100); do
  if curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
    echo "docsd: http://127.0.0.1:$port (nginx over $n replicas on ports $((port + 1))-$((port + n)); logs in $work). Ctrl-C stops everything."
    wait
    exit 0
  fi
  sleep 0.2
done
echo "cluster.sh: nothing answered http://127.0.0.1:$port/readyz within 20s; logs:" >&2
tail -n 5 "$work"/*.log >&2
exit 1
