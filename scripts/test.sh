#!/usr/bin/env bash
# Runs every check: formatting, go vet, golangci-lint (pinned, installed by
# scripts/lint.sh), the lint of the OpenAPI description (@redocly/cli,
# pinned, by scripts/openapi-lint.sh), the unit and integration tests with
# the race detector (real SQLite files, real servers), then the docs CLI end-to-end suite
# under a real Secret Service (scripts/e2e.sh). It ends by naming what ran
# and what was skipped, with each skip's reason (scripts/testsummary).
#
#   scripts/test.sh            # everything
#   SKIP_E2E=1 scripts/test.sh # without the keyring suite
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt"
unformatted=$(gofmt -l cmd pkg scripts 2>/dev/null || true)
if [ -n "$unformatted" ]; then
	echo "gofmt would change:" >&2
	echo "$unformatted" >&2
	exit 1
fi

echo "== go vet"
go vet ./...

echo "== golangci-lint"
scripts/lint.sh

echo "== OpenAPI lint (@redocly/cli, pinned, installed by npx)"
scripts/openapi-lint.sh

summary=$(mktemp)
e2e_summary=$(mktemp)
trap 'rm -f "$summary" "$e2e_summary"' EXIT

echo "== go test -race"
go test -race -count=1 -json ./... | go run ./scripts/testsummary -o "$summary"

echo "end-to-end suite: skipped (SKIP_E2E is set)" >"$e2e_summary"
if [ -z "${SKIP_E2E:-}" ]; then
	echo "== end-to-end (docs against docsd and a real Secret Service)"
	scripts/e2e.sh -json | go run ./scripts/testsummary -o "$e2e_summary"
fi

echo "== summary"
echo "gofmt, go vet, golangci-lint, OpenAPI lint: passed"
cat "$summary"
echo "-- end-to-end suite:"
cat "$e2e_summary"
