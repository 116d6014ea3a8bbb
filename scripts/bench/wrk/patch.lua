-- PATCH /documents/:id with If-Match. Each thread edits its own ids
-- (id % threads == thread number) and remembers each id's version from the
-- responses, so a 412 only happens when the remembered version is stale.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
local maxid = tonumber(os.getenv("BENCH_MAX_ID") or "1000")
local cookie = os.getenv("BENCH_COOKIE") or ""
local stride = tonumber(os.getenv("BENCH_THREADS") or "2")
local n = 0

function setup(thread)
  thread:set("tid", n)
  n = n + 1
end

function init(args)
  versions = {}
  edits = 0
  math.randomseed(os.time() + tid)
end

request = function()
  local id = math.random(0, math.floor(maxid / stride) - 1) * stride + tid + 1
  local v = versions[id] or 1
  edits = edits + 1
  local headers = { ["Content-Type"] = "application/json", ["If-Match"] = '"' .. v .. '"' }
  if cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("PATCH", "/documents/" .. id, headers, '{"body":"edited by the benchmark, edit ' .. edits .. '"}')
end

response = function(status, headers, body)
  local id, v
  if status == 200 then
    id, v = body:match('"id":(%d+).-"version":(%d+)')
  elseif status == 412 then
    id, v = body:match('document (%d+) is at version (%d+)')
  end
  if id then versions[tonumber(id)] = tonumber(v) end
end
