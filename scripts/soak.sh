#!/usr/bin/env bash
# `make soak`: a bounded soak of the proxy jar against the foundry-sim jar (scripts/soak/Soak.java starts both as
# child processes): mixed stream and non-stream traffic over several keys and models, 5% injected upstream faults,
# a config save through the admin API every 30 s. SOAK_SECONDS (default 180, at most 600) sets the length.
# The report goes to stdout and to target/soak/<UTC timestamp>/report.txt; exit status 0 when every check held.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-$(scripts/find-jdk.sh)}
JAVA="$JAVA_HOME/bin/java"

for jar in proxy/target/proxy.jar foundry-sim/target/foundry-sim.jar; do
  [ -f "$jar" ] || { echo "error: $jar is missing; run 'make build'" >&2; exit 2; }
done
[ "$(uname -s)" = Linux ] || { echo "error: the soak reads /proc and runs on Linux only" >&2; exit 2; }
compgen -G "proxy/target/libs/jackson-databind-*.jar" >/dev/null \
  || { echo "error: no jackson-databind jar in proxy/target/libs; run 'make build'" >&2; exit 2; }

SOAK_OUT=${SOAK_OUT:-target/soak/$(date -u +%Y%m%dT%H%M%SZ)}
export SOAK_OUT
mkdir -p "$SOAK_OUT"
echo "soak: output in $SOAK_OUT"
exec "$JAVA" -XX:+UseSerialGC -Xmx256m -cp "proxy/target/libs/*" scripts/soak/Soak.java
