-- Shared by every scenario: one machine-readable line per run, which
-- scripts/bench.sh turns into the table. wrk counts statuses >= 400 as
-- "status errors"; they are reported as non2xx.
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  print(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f non2xx=%d requests=%d socket_errors=%d",
    summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, summary.requests, e.connect + e.read + e.write + e.timeout))
end
