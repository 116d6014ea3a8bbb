#!/usr/bin/env bash
# Runs every check: formatting, go vet, golangci-lint (pinned, installed by
# scripts/lint.sh), the lint of the OpenAPI description (@redocly/cli,
# pinned, by scripts/openapi-lint.sh), the unit and integration tests with
# the race detector (real SQLite files, real servers), then the docs CLI end-to-end suite
# under a real Secret Service (scripts/e2e.sh).
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

echo "== go test -race"
go test -race -count=1 ./...

if [ -z "${SKIP_E2E:-}" ]; then
	echo "== end-to-end (docs against docsd and a real Secret Service)"
	scripts/e2e.sh
fi
