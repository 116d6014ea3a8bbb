#!/usr/bin/env bash
# Lints the OpenAPI description that `docsd openapi` generates with
# @redocly/cli from the npm registry (pinned), under the rules in
# redocly.yaml: once for the default skip list, once for a server where
# only login is public.
set -euo pipefail
cd "$(dirname "$0")/.."

REDOCLY_CLI_VERSION=2.77.0
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/docsd" ./cmd/docsd
"$dir/docsd" openapi >"$dir/default.json"
DOCSD_AUTH_PUBLIC_ROUTES=login "$dir/docsd" openapi >"$dir/login-only.json"
npx --yes "@redocly/cli@$REDOCLY_CLI_VERSION" lint --config redocly.yaml "$dir/default.json" "$dir/login-only.json"
