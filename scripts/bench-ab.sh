#!/usr/bin/env bash
# Two or more builds of the proxy against one foundry-sim, the same non-stream load sent to each in turn (short
# slices, round-robin), so every build sees the same background load: CPU per 1,000 requests, system share, context
# switches per request, requests/s, p50/p99, and each build's CPU ratio to the first. For bisecting a regression:
#   git worktree add ../old <commit> && (cd ../old && mvn -B -q -DskipTests package)
#   scripts/bench-ab.sh old=../old/proxy/target/proxy.jar new=proxy/target/proxy.jar
# Settings (scripts/bench/README.md): AB_CONCURRENCY, AB_ROUNDS, AB_SLICE_MS, AB_WARMUP_REQUESTS, AB_KEY_LIMITS,
# PROXY_JAVA_OPTS. Needs foundry-sim/target/foundry-sim.jar (make build).
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-$(scripts/find-jdk.sh)}
[ -f foundry-sim/target/foundry-sim.jar ] || { echo "error: foundry-sim/target/foundry-sim.jar is missing; run 'make build'" >&2; exit 2; }
BENCH_CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
export BENCH_CLK_TCK
exec "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms256m -Xmx1g -cp "foundry-sim/target/libs/*" scripts/bench/AbMain.java "$@"
