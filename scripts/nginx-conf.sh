#!/usr/bin/env bash
# Writes into DIR an nginx configuration that runs the shipped
# configs/nginx/docsd.conf with only its addresses changed: listening on
# 127.0.0.1:PORT, over the replicas given. The first server line of the
# upstream is the template for each replica's, so its parameters are the
# shipped ones. Run it with: nginx -p DIR -c DIR/nginx.conf
#
#   scripts/nginx-conf.sh DIR PORT REPLICA_ADDR...
#
# scripts/cluster.sh and the rolling-restart test (cmd/docsd) both use it,
# so they run the configuration docs/replicas.md tells people to use.
set -euo pipefail

if (($# < 3)); then
  echo "usage: scripts/nginx-conf.sh DIR PORT REPLICA_ADDR..." >&2
  exit 2
fi
dir=$1 port=$2
shift 2
src="$(dirname "$0")/../configs/nginx/docsd.conf"

awk -v port="$port" -v addrs="$*" '
  /# replicas begin/ { print; replicas = 1; next }
  replicas && /# replicas end/ {
    n = split(addrs, a, " ")
    for (i = 1; i <= n; i++) { line = server; sub(/server [^ ;]+/, "server " a[i], line); print line }
    print; replicas = 0; next
  }
  replicas { if (server == "" && $1 == "server") server = $0; next }
  $1 == "listen" { sub(/listen [^;]+;/, "listen 127.0.0.1:" port ";"); listens++ }
  { print }
  END { if (listens != 1 || server == "") { print "nginx-conf.sh: " FILENAME " has no single listen line or no replicas block" > "/dev/stderr"; exit 1 } }
' "$src" >"$dir/docsd.conf"

cat >"$dir/nginx.conf" <<CONF
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events {}
http {
    # Which replicas each request went to, in order, with their answers:
    # a request retried on the next replica shows two. The request id is
    # the one docsd logs too.
    log_format docsd '\$remote_addr [\$time_local] "\$request" \$status upstream=\$upstream_addr upstream_status=\$upstream_status request_id=\$request_id';
    access_log $dir/nginx-access.log docsd;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    include $dir/docsd.conf;
}
CONF
