#!/usr/bin/env bash
# Measures the proxy's start: time from process start to the first `/healthz` 200, the CPU time it used until then
# (and how much of it the main thread and the JIT compiler threads used), the latency of the first client request
# after that (a chat completion through foundry-sim), and its RSS after 3 s idle; with and without the AOT cache
# (proxy/target/proxy.aot, written by `make build`). Prints one line per run and the medians. Needs a built proxy and
# foundry-sim (make build) and curl.
#
#   scripts/measure-start.sh [runs]        default 5 runs of each variant, alternating
#
# JAVA_OPTS (default: the proxy image's flags) are used for every variant, with -XX:MaxRAM=$MAX_RAM (default 1536m,
# the ACI template's proxy memory) so the heap is sized as in the container; the config is a copy of the compose
# demo's with foundry-sim (zero latency) as its upstream. VARIANTS replaces the default variants, one per line as
# `label|extra JVM flags` (NAME=value words among them are set in the environment instead), e.g. to compare a flag:
# VARIANTS=$'aot|-XX:AOTCache=proxy/target/proxy.aot\nx|-XX:AOTCache=proxy/target/proxy.aot MALLOC_ARENA_MAX=2'.
# On a loaded machine the wall times say little; the CPU time until ready depends less on what else runs (though a
# slower start gives the JIT threads more time to compile before ready).
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-$(scripts/find-jdk.sh)}
RUNS=${1:-5}
OPTS=${JAVA_OPTS:--XX:+UseSerialGC -XX:+UseCompactObjectHeaders -XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError}
OPTS="$OPTS -XX:MaxRAM=${MAX_RAM:-1536m}"
CACHE=proxy/target/proxy.aot
KEY=measure-start-demo-key-0123456789
TICK=$(getconf CLK_TCK)
[ -f proxy/target/proxy.jar ] && [ -f foundry-sim/target/foundry-sim.jar ] || { echo "error: build first (make build)" >&2; exit 1; }
if [ -z "${VARIANTS:-}" ]; then
  VARIANTS="plain|"
  if [ -f "$CACHE" ]; then VARIANTS+=$'\n'"aot|-XX:AOTCache=$CACHE"; fi
fi
mapfile -t variants <<< "$VARIANTS"

work=$(mktemp -d)
sim=""
cleanup() {
  [ -z "$sim" ] || { kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

sim_port=$(free_port)
SIM_PORT=$sim_port SIM_API_KEYS=measure-start-sim-key SIM_ZERO_LATENCY=true \
  "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -jar foundry-sim/target/foundry-sim.jar > "$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 300); do grep -q "foundry-sim listening" "$work/sim.log" 2>/dev/null && break; sleep 0.1; done
grep -q "foundry-sim listening" "$work/sim.log" || { echo "error: foundry-sim did not start:" >&2; cat "$work/sim.log" >&2; exit 1; }
sed -e 's/0\.0\.0\.0/127.0.0.1/' -e "s#http://127.0.0.1:8080/#http://127.0.0.1:$sim_port/#" \
  infra/compose/sim-config.json > "$work/config.json.orig"

cpu_ms() { awk -v t="$TICK" '{printf "%.0f", ($14 + $15) * 1000 / t}' "$1" 2>/dev/null || echo 0; }

one() { # $1 = label, $2 = extra JVM flags; prints "label ready_ms rss_mb cpu_ms jit_ms first_ms"
  local label=$1 extra=$2
  local port; port=$(free_port)
  [ "$label" = prepare ] || cp "$work/config.json.orig" "$work/config.json"
  local t0; t0=$(date +%s%N)
  local envs=() flags=() w
  for w in $extra; do if [[ $w =~ ^[A-Z_][A-Z0-9_]*= ]]; then envs+=("$w"); else flags+=("$w"); fi; done
  # shellcheck disable=SC2086
  env "${envs[@]}" CONFIG_PATH="$work/config.json" PORT=$port DEMO_CLIENT_KEY=$KEY SIM_API_KEYS=measure-start-sim-key \
    "$JAVA_HOME/bin/java" $OPTS "${flags[@]}" -jar proxy/target/proxy.jar > "$work/$label.log" 2>&1 &
  local pid=$!
  local ms="" cpu="" jit=0 main=0 first=""
  for _ in $(seq 1 3000); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then
      ms=$(( ($(date +%s%N) - t0) / 1000000 ))
      cpu=$(cpu_ms "/proc/$pid/stat")
      for t in /proc/"$pid"/task/*; do
        case "$(cat "$t/comm" 2>/dev/null)" in
          C1\ *|C2\ *) jit=$((jit + $(cpu_ms "$t/stat"))) ;;
          java) c=$(cpu_ms "$t/stat"); [ "$c" -le "$main" ] || main=$c ;; # the launcher thread and main share the name
        esac
      done
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  if [ -n "$ms" ]; then
    first=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/v1/chat/completions" \
      -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \
      -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}' \
      | awk '$1 == 200 {printf "%.0f", $2 * 1000} $1 != 200 {print "status-" $1}')
  fi
  sleep 3
  local rss; rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status" 2>/dev/null || echo "?")
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  echo "$label ${ms:-failed} $rss ${cpu:-?} $jit ${first:-?} $main"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else print a[int((NR+1)/2)]}'; }

# One start first, not counted: it generates the admin password and stores its hash in the config, so the measured
# starts are restarts of a configured gateway (the first start of a new deployment also hashes a new password).
cp "$work/config.json.orig" "$work/config.json"
one prepare "" >/dev/null
cp "$work/config.json" "$work/config.json.orig"

results=()
for i in $(seq 1 "$RUNS"); do
  for v in "${variants[@]}"; do
    results+=("$(one "${v%%|*}" "${v#*|}")")
  done
done
printf '%s\n' "${results[@]}" | awk '{printf "%-8s ready %6s ms   CPU to ready %5s ms (main thread %5s, JIT %5s)   first request %5s ms   idle RSS %4s MB\n", $1, $2, $4, $7, $5, $6, $3}'
for v in "${variants[@]}"; do
  label=${v%%|*}
  col() { printf '%s\n' "${results[@]}" | awk -v l="$label" -v c="$1" '$1==l && $2!="failed" {print $c}' | median; }
  echo "median $label: ready $(col 2) ms, CPU to ready $(col 4) ms (main thread $(col 7) ms, JIT threads $(col 5) ms), first request $(col 6) ms, idle RSS $(col 3) MB"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
