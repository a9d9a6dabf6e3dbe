#!/usr/bin/env bash
# Load figures for the OQS web API on loopback: onshi's search endpoint against a static
# WireMock stub and a static Mountebank stub answering the same request with onshi's own
# answer body. Same wrk settings for all three, one after the other in one run.
#
# Needs: wrk (apt-get install wrk), Java 17+, node/npm (wiremock and mountebank are installed
# into target/oqs-bench/tools on first use). Prints requests/s, p50 and p99 and the ratios.
#   DURATION=10s THREADS=2 CONNS=32 scripts/bench-http.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
OUT=target/oqs-bench
TOOLS=${TOOLS:-$OUT/tools}
ONSHI_PORT=18480; WM_PORT=18481; MB_PORT=18482; MB_ADMIN=18483
SEARCH=/oqs-api-pro/MSA01030/ILI01030SV01/search

command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 2; }
mkdir -p "$OUT"
if [ ! -d "$TOOLS/node_modules/wiremock" ] || [ ! -d "$TOOLS/node_modules/mountebank" ]; then
  mkdir -p "$TOOLS"
  (cd "$TOOLS" && npm install --no-audit --no-fund wiremock mountebank >/dev/null)
fi
JAR=$(ls "$TOOLS"/node_modules/wiremock/build/wiremock-standalone-*.jar | head -n 1)

cargo build --release -q -p onshi-harness --example oqs_bench

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_port() { # port
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2; exit 1
}

rm -f "$OUT/token"
./target/release/examples/oqs_bench http "127.0.0.1:$ONSHI_PORT" "$OUT" >"$OUT/onshi.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do [ -s "$OUT/token" ] && break; sleep 0.1; done
TOKEN=$(cat "$OUT/token")
curl -sf -H 'Content-Type: application/json;charset=UTF-8' -H "Authorization: $TOKEN" \
  --data-binary @"$OUT/search.json" "http://127.0.0.1:$ONSHI_PORT$SEARCH" >"$OUT/answer.json"

cat >"$OUT/search.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json;charset=UTF-8"
wrk.headers["Authorization"] = "$TOKEN"
local f = io.open("$OUT/search.json", "rb")
wrk.body = f:read("*a")
f:close()
LUA

# WireMock: one mapping answering the search with onshi's body.
mkdir -p "$OUT/wiremock/mappings"
node -e '
const fs = require("fs");
const body = fs.readFileSync(process.argv[1], "utf8");
fs.writeFileSync(process.argv[2], JSON.stringify({
  request: { method: "POST", urlPath: process.argv[3] },
  response: { status: 200, headers: { "Content-Type": "application/json;charset=UTF-8" }, body }
}));' "$OUT/answer.json" "$OUT/wiremock/mappings/search.json" "$SEARCH"
java -jar "$JAR" --port "$WM_PORT" --root-dir "$OUT/wiremock" --disable-banner \
  --no-request-journal --disable-request-logging >"$OUT/wiremock.log" 2>&1 &
PIDS+=($!)

# Mountebank: an imposter with the same static answer.
node "$TOOLS/node_modules/mountebank/bin/mb" --port "$MB_ADMIN" --loglevel warn \
  --nologfile >"$OUT/mountebank.log" 2>&1 &
PIDS+=($!)
wait_port "$WM_PORT"; wait_port "$MB_ADMIN"
node -e '
const fs = require("fs");
const body = fs.readFileSync(process.argv[1], "utf8");
console.log(JSON.stringify({ port: Number(process.argv[2]), protocol: "http", recordRequests: false,
  stubs: [{ predicates: [{ equals: { method: "POST", path: process.argv[3] } }],
            responses: [{ is: { statusCode: 200, headers: { "Content-Type": "application/json;charset=UTF-8" }, body } }] }] }));
' "$OUT/answer.json" "$MB_PORT" "$SEARCH" >"$OUT/imposter.json"
curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$OUT/imposter.json" \
  "http://127.0.0.1:$MB_ADMIN/imposters" >/dev/null
wait_port "$MB_PORT"

run() { # name port
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -s "$OUT/search.lua" "http://127.0.0.1:$2$SEARCH" >/dev/null
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$OUT/search.lua" \
    "http://127.0.0.1:$2$SEARCH" >"$OUT/wrk-$1.txt"
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-$1.txt")
  p50=$(awk '$1=="50%" {print $2}' "$OUT/wrk-$1.txt")
  p99=$(awk '$1=="99%" {print $2}' "$OUT/wrk-$1.txt")
  non2xx=$(awk '/Non-2xx/ {print $4}' "$OUT/wrk-$1.txt")
  printf '%-11s %12s req/s   p50 %9s   p99 %9s   non-2xx %s\n' "$1" "$rps" "$p50" "$p99" "${non2xx:-0}"
  echo "$rps" >"$OUT/rps-$1"
}

echo "wrk -t$THREADS -c$CONNS -d$DURATION (after a $WARMUP warm-up each), POST $SEARCH, $(nproc) cores"
run onshi "$ONSHI_PORT"
run wiremock "$WM_PORT"
run mountebank "$MB_PORT"
awk -v a="$(cat "$OUT/rps-onshi")" -v b="$(cat "$OUT/rps-wiremock")" -v c="$(cat "$OUT/rps-mountebank")" \
  'BEGIN { printf "onshi / WireMock %.2fx   onshi / Mountebank %.2fx\n", a / b, a / c }'
