#!/usr/bin/env bash
# Load test: a release server on the demonstration programmes plus generated ones
# (`mipaka generate`, 200,000 values by default), driven over loopback by wrk (Debian
# package `wrk`) the way issue 13 measures it — 2 threads, 32 connections, 30 s each —
# with the server's memory sampled. Prints a table.
#
#   bash benches/load.sh                          # SQLite
#   LOAD_DATABASE_URL=postgres://127.0.0.1:5432/test bash benches/load.sh   # and PostgreSQL
#   LOAD_SECONDS=10 bash benches/load.sh          # shorter runs
#   LOAD_VALUES=1000000 bash benches/load.sh      # more generated values beside the demo
#
# Loads: the programme JSON by API token; the programme page by session cookie; and a
# mix of 80 % reads and 20 % writes, each write a PUT of a draft value with the version
# the same connection just read (so it really writes; a 409 from a colleague's newer
# save is a correct answer, a 5xx is an error). Run it alone on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${LOAD_SECONDS:-30}"
VALUES="${LOAD_VALUES:-200000}"
PORT="${LOAD_PORT:-8399}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --bin mipaka >&2
BIN=target/release/mipaka
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

field() { grep -o "name=\"$1\" value=\"[^\"]*\"" | head -1 | sed 's/.*value="//;s/"$//'; }

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# Samples the server's RSS every 0.2 s into $WORK/peak until stopped.
sample() {
  local pid=$1 peak=0 now
  while kill -0 "$pid" 2>/dev/null; do
    now=$(rss_kb "$pid" || echo 0)
    [ "${now:-0}" -gt "$peak" ] && peak=$now && echo "$peak" > "$WORK/peak"
    sleep 0.2
  done
}

# wrk's summary → "req/s p50 p99 errors"
summarise() {
  local out=$1
  local rps p50 p99 non2xx errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$out")
  p50=$(awk '$1=="50%" {print $2}' "$out")
  p99=$(awk '$1=="99%" {print $2}' "$out")
  errs=$(grep -o '5xx [0-9]*' "$out" | awk '{print $2}' | tail -1)
  echo "$rps ${p50:-?} ${p99:-?} ${errs:-0}"
}

# Counters live in each wrk thread; done() adds them up through the thread handles.
cat > "$WORK/get.lua" <<'EOF'
wrk.headers["Authorization"] = os.getenv("LOAD_AUTH")
local threads = {}
setup = function(t) threads[#threads + 1] = t end
fivexx = 0
response = function(status) if status >= 500 then fivexx = fivexx + 1 end end
done = function()
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("fivexx") end
  io.write(string.format("5xx %d\n", n))
end
EOF

cat > "$WORK/mix.lua" <<'EOF'
-- 80 % reads of the period's values, 20 % PUTs of one draft value with the version
-- this thread read last; after each write the thread moves to another of the values.
-- A thread's connections share its Lua state, and responses do not say which request
-- they answer, so a response is told apart by its body: a list starts {"values".
local auth = os.getenv("LOAD_AUTH")
local ids = {}
for id in string.gmatch(os.getenv("LOAD_IDS"), "%d+") do ids[#ids + 1] = id end
local period = os.getenv("LOAD_PERIOD")
local n, version, target = 0, nil, nil
fivexx, saved, conflicts, tid = 0, 0, 0, 0
local threads = {}
setup = function(t)
  threads[#threads + 1] = t
  t:set("tid", #threads)
end
init = function()
  math.randomseed(tid * 7919)
  target = ids[math.random(#ids)]
end
request = function()
  n = n + 1
  local h = { ["Authorization"] = auth, ["Content-Type"] = "application/json" }
  if n % 5 == 0 and version then
    local body = string.format('{"value": %d, "version": %s, "comment": "load test"}', 10 + (n % 7), version)
    local path = "/api/v1/programmes/LBP/values/" .. target
    version, target = nil, ids[math.random(#ids)]
    return wrk.format("PUT", path, h, body)
  end
  return wrk.format("GET", "/api/v1/programmes/LBP/values?period=" .. period, h)
end
response = function(status, headers, body)
  if status >= 500 then fivexx = fivexx + 1 end
  if body and string.sub(body, 1, 10) == '{"values":' then
    -- Keys come sorted: "id" before "version" within a value.
    local v = string.match(body, '"id":' .. target .. ',[^}]-"version":(%d+)')
    if v then version = v end
  elseif status == 200 then
    saved = saved + 1
  elseif status == 409 then
    conflicts = conflicts + 1
  end
end
done = function()
  local e, s, c = 0, 0, 0
  for _, t in ipairs(threads) do e = e + t:get("fivexx"); s = s + t:get("saved"); c = c + t:get("conflicts") end
  io.write(string.format("5xx %d\nwrites %d saved, %d conflicts (409: another connection saved it first)\n", e, s, c))
end
EOF

run_backend() {
  local label=$1 url=$2
  local data="$WORK/$label"
  mkdir -p "$data"
  local env=(MIPAKA_DATA_DIR="$data" MIPAKA_PORT="$PORT" MIPAKA_ADDRESS=127.0.0.1)
  local db=(MIPAKA_DATA_DIR="$data")
  if [ -n "$url" ]; then
    db+=(DATABASE_URL="$url")
    env+=(DATABASE_URL="$url" MIPAKA_SECRET_KEY="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')")
  fi
  # A fresh database (or schema) of its own: tables, the demonstration data, and
  # generated programmes beside it, before the server starts.
  env "${db[@]}" "$BIN" migrate >&2
  env "${db[@]}" "$BIN" seed --demo >&2
  [ "$VALUES" -gt 0 ] && env "${db[@]}" "$BIN" generate --values "$VALUES" >&2
  env "${env[@]}" "$BIN" > "$data/server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q "Ready" "$data/server.log" 2>/dev/null && break; sleep 0.1; done
  grep -q "Ready" "$data/server.log" || { cat "$data/server.log" >&2; exit 1; }
  local base="http://127.0.0.1:$PORT" jar="$data/jar"
  local csrf
  csrf=$(curl -s -c "$jar" -b "$jar" "$base/login" | field csrf)
  curl -s -c "$jar" -b "$jar" -o /dev/null -d "username=manager&password=mipaka-manager-demo&csrf=$csrf&next=/" "$base/login"
  csrf=$(curl -s -c "$jar" -b "$jar" "$base/account" | field csrf)
  local token
  token=$(curl -s -c "$jar" -b "$jar" -d "name=load&csrf=$csrf" "$base/account/tokens" | grep -o 'mpk_[A-Za-z0-9_-]*' | head -1)
  local cookie
  cookie=$(awk '$6 ~ /mipaka/ {printf "%s=%s; ", $6, $7}' "$jar")
  # Draft values of LBP's newest period with drafts: what the writes change.
  local list period ids
  for p in 2026Q4 2026Q3 2026Q2; do
    list=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/programmes/LBP/values?period=$p")
    ids=$(echo "$list" | python3 -c 'import json,sys; print(" ".join(str(v["id"]) for v in json.load(sys.stdin).get("values", []) if v["status"] == "draft" and not v["disaggregation"])[:8*12])' | awk '{for(i=1;i<=NF&&i<=8;i++) printf "%s ", $i}')
    [ -n "$ids" ] && period=$p && break
  done
  local rest
  rest=$(rss_kb "$pid")
  echo 0 > "$WORK/peak"
  sample "$pid" &
  local sampler=$!
  LOAD_AUTH="Bearer $token" wrk -t2 -c32 -d"${SECONDS_EACH}s" --latency -s "$WORK/get.lua" "$base/api/v1/programmes/LBP" > "$data/api.txt"
  wrk -t2 -c32 -d"${SECONDS_EACH}s" --latency -H "Cookie: $cookie" -s "$WORK/get.lua" "$base/programmes/LBP" > "$data/page.txt"
  if [ -n "${ids:-}" ]; then
    LOAD_AUTH="Bearer $token" LOAD_IDS="$ids" LOAD_PERIOD="$period" wrk -t2 -c32 -d"${SECONDS_EACH}s" --latency -s "$WORK/mix.lua" "$base" > "$data/mix.txt"
  else
    echo "no draft values to write: the mixed load is skipped" > "$data/mix.txt"
  fi
  wrk -t2 -c32 -d"${SECONDS_EACH}s" --latency -s "$WORK/get.lua" "$base/health" > "$data/health.txt"
  kill "$sampler" 2>/dev/null || true
  local peak
  peak=$(cat "$WORK/peak")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '\n%s (%s s per load, wrk -t2 -c32; demonstration data and %s generated values)\n' "$label" "$SECONDS_EACH" "$VALUES"
  printf '  %-44s %10s %9s %9s %6s\n' load "req/s" p50 p99 5xx
  for f in api:"GET /api/v1/programmes/LBP (bearer token)" page:"GET /programmes/LBP (session cookie)" mix:"80 % reads / 20 % writes (API)" health:"/health, for scale"; do
    local key=${f%%:*} name=${f#*:}
    read -r rps p50 p99 errs < <(summarise "$data/$key.txt")
    printf '  %-44s %10s %9s %9s %6s\n' "$name" "${rps:-?}" "$p50" "$p99" "$errs"
  done
  grep -h '^writes' "$data/mix.txt" | sed 's/^/  mixed load: /' || true
  printf '  server memory (RSS): %d MB after start, %d MB peak under load\n' $((rest / 1024)) $((peak / 1024))
}

run_backend SQLite ""
if [ -n "${LOAD_DATABASE_URL:-}" ]; then
  schema="load_$$"
  psql "$LOAD_DATABASE_URL" -qc "CREATE SCHEMA $schema" >&2
  sep='?'; case "$LOAD_DATABASE_URL" in *\?*) sep='&';; esac
  run_backend PostgreSQL "${LOAD_DATABASE_URL}${sep}options=-csearch_path%3D$schema"
  psql "$LOAD_DATABASE_URL" -qc "SET client_min_messages = warning; DROP SCHEMA $schema CASCADE" >&2
fi
