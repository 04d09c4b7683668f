-- SPDX-License-Identifier: Apache-2.0
-- Copyright 2026 The mod_auth_jwtsso Authors (see LICENSE)
-- bench/memory.lua: wrk script of `scripts/bench --memory` (use -t1).
-- Sends BENCH_N requests to BENCH_PATH with the header BENCH_HEADER:
-- BENCH_GOOD, except every BENCH_BAD_EVERY-th request, which carries
-- BENCH_BAD (a tampered credential) instead; 0 = never. Once BENCH_N
-- responses have arrived it stops the thread and sends wrk itself SIGINT
-- (wrk's main thread otherwise sleeps for the whole -d), and prints the
-- status counts.
local n = tonumber(os.getenv("BENCH_N") or "1000000")
local every = tonumber(os.getenv("BENCH_BAD_EVERY") or "0")
local good, bad

function init(args)
  -- here, not at load time: wrk.headers["Host"] is set by now
  local path, hname = os.getenv("BENCH_PATH"), os.getenv("BENCH_HEADER")
  local h = { Host = wrk.headers["Host"] }
  h[hname] = os.getenv("BENCH_GOOD")
  good = wrk.format("GET", path, h)
  h[hname] = os.getenv("BENCH_BAD")
  bad = wrk.format("GET", path, h)
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

sent, got, ok, refused, other = 0, 0, 0, 0, 0
local stopped = false

function request()
  sent = sent + 1
  if every > 0 and sent % every == 0 then
    return bad
  end
  return good
end

function response(status, headers, body)
  got = got + 1
  if status == 200 then
    ok = ok + 1
  elseif status == 401 or status == 302 then
    refused = refused + 1
  else
    other = other + 1
  end
  if got >= n and not stopped then
    stopped = true
    wrk.thread:stop()
    -- $PPID: the shell's parent, this wrk. In the background and a moment
    -- later: system() ignores SIGINT in wrk until the shell returns.
    os.execute("(sleep 0.3; kill -INT $PPID) >/dev/null 2>&1 &")
  end
end

function done(summary, latency, requests)
  local o, r, x = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    r = r + t:get("refused")
    x = x + t:get("other")
  end
  io.write(string.format("memory.lua: 200=%d refused=%d other=%d\n", o, r, x))
end
