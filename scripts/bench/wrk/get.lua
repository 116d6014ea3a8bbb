-- GET /documents/:id with random ids in 1..BENCH_MAX_ID, with the cookie
-- in BENCH_COOKIE or the bearer token in BENCH_TOKEN (neither: the 401
-- path).
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
local maxid = tonumber(os.getenv("BENCH_MAX_ID") or "1000")
local cookie = os.getenv("BENCH_COOKIE") or ""
local token = os.getenv("BENCH_TOKEN") or ""
if cookie ~= "" then wrk.headers["Cookie"] = cookie end
if token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/documents/" .. math.random(1, maxid))
end
