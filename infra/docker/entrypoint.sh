#!/bin/sh
# Entry point of the gateway images: seeds the config file when asked, then replaces itself with the Java process so
# that the JVM is PID 1 and receives SIGTERM from `docker stop` / ACI directly (no orphaned children, no trap logic).
#
#   CONFIG_SEED  optional: a file copied to CONFIG_PATH when CONFIG_PATH does not exist yet (first start only; an
#                existing config is never overwritten). The compose `sim` override uses it to start against foundry-sim.
#   CONFIG_PATH  the config file (default /app/data/config.json)
#   APP_JAR      the application jar started when no command is given
#   JAVA_OPTS    JVM flags, split on spaces
set -eu

if [ -n "${CONFIG_SEED:-}" ]; then
  target="${CONFIG_PATH:-/app/data/config.json}"
  if [ ! -e "$target" ]; then
    if [ ! -r "$CONFIG_SEED" ]; then
      echo "entrypoint: CONFIG_SEED=$CONFIG_SEED is not a readable file" >&2
      exit 64
    fi
    mkdir -p "$(dirname "$target")"
    # Copy then rename, so that a process watching CONFIG_PATH never sees a half-written file.
    cp "$CONFIG_SEED" "$target.seed.$$"
    mv "$target.seed.$$" "$target"
    echo "entrypoint: seeded $target from $CONFIG_SEED"
  fi
fi

if [ "$#" -gt 0 ]; then
  exec "$@"
fi
if [ -z "${APP_JAR:-}" ]; then
  echo "entrypoint: APP_JAR is not set and no command was given" >&2
  exit 64
fi
# JAVA_OPTS is deliberately unquoted: it is a space-separated list of JVM flags.
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar "$APP_JAR"
