#!/usr/bin/env bash
# Measures the proxy's start: time from process start to the first `/healthz` 200, and its RSS after 3 s idle,
# with and without the AOT cache (proxy/target/proxy.aot, written by `make build`). Prints one line per run and the
# medians. Needs a built proxy (make build) and curl.
#
#   scripts/measure-start.sh [runs]        default 5 runs of each
#
# JAVA_OPTS (default: the proxy image's flags) are used for both, with -XX:MaxRAM=$MAX_RAM (default 1536m, the ACI
# template's proxy memory) so the heap is sized as in the container; the config is a copy of the compose demo's.
# Besides wall time it prints the CPU time (user+sys) the process used until ready: on a loaded machine that is the
# number that does not depend on what else runs.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-$(scripts/find-jdk.sh)}
RUNS=${1:-5}
OPTS=${JAVA_OPTS:--XX:+UseSerialGC -XX:+UseCompactObjectHeaders -XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError}
OPTS="$OPTS -XX:MaxRAM=${MAX_RAM:-1536m}"
CACHE=proxy/target/proxy.aot
TICK=$(getconf CLK_TCK)
[ -f proxy/target/proxy.jar ] || { echo "error: build first (make build)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed 's/0\.0\.0\.0/127.0.0.1/' infra/compose/sim-config.json > "$work/config.json.orig"


one() { # $1 = label, $2.. = extra JVM flags; prints "label ms rss_mb"
  local label=$1; shift
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  [ "$label" = prepare ] || cp "$work/config.json.orig" "$work/config.json"
  local t0; t0=$(date +%s%N)
  # shellcheck disable=SC2086
  CONFIG_PATH="$work/config.json" PORT=$port DEMO_CLIENT_KEY=measure-start-demo-key-0123456789 SIM_API_KEYS=unused \
    "$JAVA_HOME/bin/java" $OPTS "$@" -jar proxy/target/proxy.jar > "$work/$label.log" 2>&1 &
  local pid=$!
  local ms="" cpu=""
  for _ in $(seq 1 3000); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then
      ms=$(( ($(date +%s%N) - t0) / 1000000 ))
      cpu=$(awk -v t="$TICK" '{printf "%.0f", ($14 + $15) * 1000 / t}' "/proc/$pid/stat")
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  sleep 3
  local rss; rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status" 2>/dev/null || echo "?")
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  echo "$label ${ms:-failed} $rss ${cpu:-?}"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else print a[int((NR+1)/2)]}'; }

# One start first, not counted: it generates the admin password and stores its hash in the config, so the measured
# starts are restarts of a configured gateway (the first start of a new deployment also hashes a new password).
cp "$work/config.json.orig" "$work/config.json"
one prepare >/dev/null
cp "$work/config.json" "$work/config.json.orig"

results=()
for i in $(seq 1 "$RUNS"); do
  results+=("$(one plain)")
  if [ -f "$CACHE" ]; then results+=("$(one aot "-XX:AOTCache=$CACHE")"); fi
done
printf '%s\n' "${results[@]}" | awk '{printf "%-6s ready %6s ms   CPU to ready %6s ms   idle RSS %4s MB\n", $1, $2, $4, $3}'
for label in plain aot; do
  ms=$(printf '%s\n' "${results[@]}" | awk -v l=$label '$1==l && $2!="failed" {print $2}' | median)
  rss=$(printf '%s\n' "${results[@]}" | awk -v l=$label '$1==l {print $3}' | median)
  cpu=$(printf '%s\n' "${results[@]}" | awk -v l=$label '$1==l {print $4}' | median)
  echo "median $label: ready ${ms} ms, CPU to ready ${cpu} ms, idle RSS ${rss} MB"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
