#!/usr/bin/env bash
# `make bench`: foundry-sim and the proxy from the built jars, load from a separate JVM (scripts/bench/), one table
# comparing direct-to-simulator with through-proxy, and the same numbers as JSON in target/bench/bench-<timestamp>.json.
# Needs `make build` first (the Makefile's bench target does it). Settings: see scripts/bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
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
# shellcheck disable=SC2086
exec "${pin[@]}" "$JAVA" ${CLIENT_JAVA_OPTS:--XX:+UseSerialGC -Xms256m -Xmx1g -XX:+UseCompactObjectHeaders} \
  -cp "$CP" scripts/bench/BenchMain.java "$@"
