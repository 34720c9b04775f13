#!/usr/bin/env bash
# `make bench`: foundry-sim and the proxy from the built jars, load from a separate JVM (scripts/bench/), one table
# comparing direct-to-simulator with through-proxy, and the same numbers as JSON in target/bench/bench-<timestamp>.json.
# Needs `make build` first (the Makefile's bench target does it). Settings: see scripts/bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'USAGE'
usage: scripts/bench.sh [--compare PATH]      (make bench [COMPARE=PATH])
  --compare PATH  after the gateway's run, run the same phases with the Node original (its checkout at PATH)
                  standing in for the proxy, and print the two side by side (scripts/bench/README.md, "--compare")
USAGE
}

# Arguments are checked before anything starts (exit 2 on a mistake).
compare_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --compare)
      [ $# -ge 2 ] && [ -n "$2" ] || { echo "error: --compare needs the path of the Node original's checkout" >&2; usage >&2; exit 2; }
      compare_dir=$2; shift 2 ;;
    --compare=*)
      compare_dir=${1#--compare=}
      [ -n "$compare_dir" ] || { echo "error: --compare needs the path of the Node original's checkout" >&2; usage >&2; exit 2; }
      shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

compare_cmd=""
if [ -n "$compare_dir" ]; then
  [ -d "$compare_dir" ] || { echo "error: --compare $compare_dir: no such directory" >&2; exit 2; }
  compare_dir=$(cd "$compare_dir" && pwd)
  if [ -n "${BENCH_COMPARE_CMD:-}" ]; then
    compare_cmd=$BENCH_COMPARE_CMD
  else
    command -v node >/dev/null || { echo "error: --compare needs node on the PATH (or BENCH_COMPARE_CMD)" >&2; exit 2; }
    # the entry point: package.json "main", else "node X" in its start script, else a usual file name
    entry=""
    if [ -f "$compare_dir/package.json" ]; then
      entry=$(node -e 'const p=require(process.argv[1]);const s=(p.scripts&&p.scripts.start)||"";
        const m=/(?:^|\s)node\s+([^\s;&|]+)/.exec(s);process.stdout.write(p.main||(m?m[1]:""))' "$compare_dir/package.json" 2>/dev/null || true)
    fi
    if [ -z "$entry" ] || [ ! -f "$compare_dir/$entry" ]; then
      entry=""
      for f in server.js index.js app.js src/server.js src/index.js src/app.js; do
        if [ -f "$compare_dir/$f" ]; then entry=$f; break; fi
      done
    fi
    [ -n "$entry" ] || { echo "error: --compare $compare_dir: no entry point (package.json main or start script, server.js, index.js, src/...); set BENCH_COMPARE_CMD" >&2; exit 2; }
    compare_cmd="node $compare_dir/$entry"
  fi
fi
if [ "${BENCH_CHECK_ARGS:-}" = 1 ]; then
  # dry run of the argument handling (tests): what would run, nothing started
  echo "compare: ${compare_cmd:-none}"
  exit 0
fi

JAVA_HOME=${JAVA_HOME:-$(scripts/find-jdk.sh)}
JAVA="$JAVA_HOME/bin/java"

[ -f foundry-sim/target/foundry-sim.jar ] || { echo "error: foundry-sim/target/foundry-sim.jar is missing; run 'make build'" >&2; exit 1; }
[ "$(uname -s)" = Linux ] || { echo "error: the bench reads /proc and runs on Linux only" >&2; exit 1; }

# The load client's only dependency is Jackson (for the JSON report), taken from a built jar's libs/ folder.
CP=""
for libs in foundry-sim/target/libs proxy/target/libs; do
  if compgen -G "$libs/jackson-databind-*.jar" >/dev/null; then CP="$libs/*"; break; fi
done
[ -n "$CP" ] || { echo "error: no jackson-databind jar in foundry-sim/target/libs or proxy/target/libs; run 'make build'" >&2; exit 1; }

# Each side of the bench needs a file descriptor per stream (2,000 streams: client, proxy and simulator sockets).
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 16384 ]; then
  ulimit -n 16384 2>/dev/null || echo "warning: open-file limit $(ulimit -n) may be too low for 2,000 streams" >&2
fi

BENCH_CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
export BENCH_CLK_TCK

pin=()
if [ -n "${BENCH_PIN_CLIENT:-}" ]; then pin=(taskset -c "$BENCH_PIN_CLIENT"); fi

# Image compression: cost per megapixel of the proxy's own InlineImageCompressor, in-process (a few seconds).
if [ "${BENCH_IMAGES:-1}" != 0 ]; then
  "$JAVA" --enable-native-access=ALL-UNNAMED -cp "proxy/target/proxy.jar:proxy/target/libs/*" scripts/bench/ImageBench.java
fi

# Limits: what a limited key adds per request (estimate, admission, charge), local and Redis on loopback, in-process.
if [ "${BENCH_LIMITS:-1}" != 0 ]; then
  "$JAVA" -cp "proxy/target/proxy.jar:proxy/target/libs/*" scripts/bench/LimitsBench.java
fi

# ${CLIENT_JAVA_OPTS}: the load client's own JVM; small and fixed so it costs little CPU next to the servers.
client() {
  # shellcheck disable=SC2086
  "${pin[@]}" "$JAVA" ${CLIENT_JAVA_OPTS:--XX:+UseSerialGC -Xms256m -Xmx1g -XX:+UseCompactObjectHeaders} \
    -cp "$CP" scripts/bench/BenchMain.java
}
if [ -z "$compare_cmd" ]; then
  client
  exit $?
fi

# --compare: the gateway's run, then the original's run with the same phases, then both side by side
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p target/bench
ours=target/bench/compare-$stamp-gateway.json
rc=0
BENCH_JSON_OUT=$ours client || rc=$?
[ -f "$ours" ] || { echo "error: the gateway's run wrote no $ours" >&2; exit 1; }
BENCH_GATEWAY_CMD=$compare_cmd BENCH_GATEWAY_NAME=original BENCH_COMPARE_WITH=$ours \
  BENCH_JSON_OUT=target/bench/compare-$stamp-original.json client || rc=$?
exit $rc
