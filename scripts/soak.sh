#!/usr/bin/env bash
# A longer run of the reliability tests, on loopback only and bounded in
# time: the mixed load (reads, writes, logins, logouts against one docsd;
# no 5xx, every acknowledged write read back, goroutines back to idle, heap
# within 20% of warm-up) for SECONDS, then the process tests (SIGKILL
# mid-stream, SIGTERM under load) ROUNDS times. Prints the figures the tests
# log.
#
#   scripts/soak.sh            # 300 s of load, 5 rounds of kills
#   scripts/soak.sh 900 10
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-300}"
rounds="${2:-5}"
case "$seconds$rounds" in
'' | *[!0-9]*)
	echo "usage: scripts/soak.sh [SECONDS] [ROUNDS]" >&2
	exit 2
	;;
esac

echo "== mixed load for ${seconds}s (with the race detector)"
DOCSD_TEST_LOAD_DURATION="${seconds}s" go test -race -count=1 -v -timeout "$((seconds + 300))s" \
	-run '^TestMixedLoad$' ./pkg/api | grep -E '^(=== RUN|--- |    load_test|ok|FAIL|PASS)'

echo "== SIGKILL and SIGTERM, ${rounds} rounds"
go test -race -count="$rounds" -v -timeout "$((rounds * 120 + 120))s" \
	-run '^TestProcess$' ./cmd/docsd | grep -E -- '--- |crash_test|^(ok|FAIL|PASS)'
