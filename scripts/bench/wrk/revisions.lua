-- GET /documents/:id/revisions, the first page of a document's history
-- (newest first, up to 100), with random ids in 1..BENCH_MAX_ID and the
-- cookie in BENCH_COOKIE.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
local maxid = tonumber(os.getenv("BENCH_MAX_ID") or "1000")
local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then wrk.headers["Cookie"] = cookie end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/documents/" .. math.random(1, maxid) .. "/revisions")
end
