-- GET /documents?q=...&limit=20, the first page of a search, anonymous (the
-- list's rule). BENCH_QUERY is the query, URL-encoded; each {n} in it is a
-- random number in 1..BENCH_MAX_ID at each request (a filler document's
-- number, which that document alone holds).
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
local query = os.getenv("BENCH_QUERY") or "note"
local maxid = tonumber(os.getenv("BENCH_MAX_ID") or "1000")
math.randomseed(os.time())
request = function()
  local q = query:gsub("{n}", function() return tostring(math.random(1, maxid)) end)
  return wrk.format("GET", "/documents?q=" .. q .. "&limit=20")
end
