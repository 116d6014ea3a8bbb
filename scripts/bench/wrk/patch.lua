-- PATCH /documents/:id with If-Match. Each thread edits its own ids
-- (id % threads == thread number), never one it is already waiting on
-- (its connections would race), and remembers each id's version from the
-- responses, so a 412 only happens when someone else changed the document.
-- BENCH_VERSIONS, when set, is a file that carries the versions from one
-- run to the next (the warm-up's edits would otherwise make the measured
-- run's first edit of each id a 412): read when a thread starts, written
-- when the run ends.
-- BENCH_DELAY_MS, when set, is a pause before each request: one connection
-- then writes at a steady rate of at most 1000/BENCH_DELAY_MS a second.
dofile(os.getenv("BENCH_LUA") .. "/report.lua")
local maxid = tonumber(os.getenv("BENCH_MAX_ID") or "1000")
local cookie = os.getenv("BENCH_COOKIE") or ""
local stride = tonumber(os.getenv("BENCH_THREADS") or "2")
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local file = os.getenv("BENCH_VERSIONS") or ""
local threads = {}

if pause > 0 then
  function delay() return pause end
end

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  versions = {}
  learned = {}
  pending = {}
  edits = 0
  math.randomseed(os.time() + tid)
  local f = file ~= "" and io.open(file)
  if f then
    for id, v in f:read("*a"):gmatch("(%d+) (%d+)") do versions[tonumber(id)] = tonumber(v) end
    f:close()
  end
end

request = function()
  local id
  for _ = 1, 100 do
    id = math.random(0, math.floor(maxid / stride) - 1) * stride + tid + 1
    if not pending[id] then break end
  end
  pending[id] = true
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
  if id then
    id, v = tonumber(id), tonumber(v)
    versions[id], learned[id], pending[id] = v, v, nil
  end
end

local report = done
function done(summary, latency, requests)
  if file ~= "" then
    -- What each thread learned in this run, over what the file held.
    local all = {}
    local f = io.open(file)
    if f then
      for id, v in f:read("*a"):gmatch("(%d+) (%d+)") do all[tonumber(id)] = tonumber(v) end
      f:close()
    end
    for _, t in ipairs(threads) do
      for id, v in pairs(t:get("learned")) do all[id] = v end
    end
    f = assert(io.open(file, "w"))
    for id, v in pairs(all) do f:write(id, " ", v, "\n") end
    f:close()
  end
  report(summary, latency, requests)
end
