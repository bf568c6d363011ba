#!/usr/bin/env bash
# A quiet installation for 60 s (a controller, one `baton run` worker, two cells, the shipped Singleton
# records) on its own Consul dev agent; then every process's Consul requests by code, from its /metrics,
# and promlint on each exposition. `npm run build` first. Usage: bash bench/quiet-run.sh [seconds]
set -u
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}
B="node dist/cli/main.js"
CONSUL=$(npm run -s consul:install 2>/dev/null)
PROMLINT=$(npm run -s promlint:install 2>/dev/null)
DIR=$(mktemp -d)
"$CONSUL" agent -dev -http-port 18500 -dns-port -1 -grpc-port -1 -serf-lan-port 18301 -serf-wan-port 18302 \
  -server-port 18300 -node quiet > "$DIR/consul.log" 2>&1 &
CONSUL_PID=$!
export CONSUL_HTTP_ADDR=127.0.0.1:18500 BATON_LOG_LEVEL=warn
for _ in $(seq 1 50); do curl -sf "$CONSUL_HTTP_ADDR/v1/status/leader" | grep -q 18300 && break; sleep 0.2; done
$B apply -f manifests/singletons.yaml > /dev/null
$B controller --http 127.0.0.1:19470 > "$DIR/controller.log" 2>&1 &
$B run --singleton converger --http 127.0.0.1:19471 -- sleep 100000 > "$DIR/run.log" 2>&1 &
$B cell --id cell-1 --address 10.0.0.1:7777 --http 127.0.0.1:19472 -- sleep 100000 > "$DIR/cell-1.log" 2>&1 &
$B cell --id cell-2 --address 10.0.0.2:7777 --zone z1 -- sleep 100000 > "$DIR/cell-2.log" 2>&1 &
sleep "$SECONDS_TO_RUN"
for name in controller:19470 run:19471 cell:19472; do
  curl -s "127.0.0.1:${name#*:}/metrics" > "$DIR/${name%%:*}.prom"
done
kill $(jobs -p) 2>/dev/null
sleep 2
kill -9 "$CONSUL_PID" 2>/dev/null
status=0
for name in controller run cell; do
  echo "== $name: Consul requests in ${SECONDS_TO_RUN}s by code"
  if [ ! -s "$DIR/$name.prom" ]; then echo "  no exposition: see $DIR/$name.log"; status=1; continue; fi
  grep '^baton_consul_requests_total' "$DIR/$name.prom" |
    awk '{ split($1, a, "code=\""); split(a[2], c, "\""); n[c[1]] += $2 } END { for (k in n) print "  " k, n[k] }'
  "$PROMLINT" < "$DIR/$name.prom" | sed 's/^/  promlint: /'
done
echo "(logs and expositions in $DIR)"
exit "$status"
