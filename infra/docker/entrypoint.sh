#!/bin/sh
# Entry point of the gateway images: seeds the config file when asked, loads (or generates) the demo secrets, then
# replaces itself with the Java process so that the JVM is PID 1 and receives SIGTERM from `docker stop` / ACI directly
# (no orphaned children, no trap logic).
#
#   CONFIG_SEED       optional: a file copied to CONFIG_PATH when CONFIG_PATH does not exist yet (first start only; an
#                     existing config is never overwritten). The compose `sim` override uses it to start against
#                     foundry-sim.
#   CONFIG_SEED_JSON  optional: the same, with the document itself as the value (the ACI templates render it). Used
#                     only when CONFIG_SEED is not set.
#   CONFIG_PATH       the config file (default /app/data/config.json)
#   SECRETS_FILE      optional: a file of NAME=value lines on the data volume (mode 600). Every NAME in it that is not
#                     already set (non-empty) in the environment is exported to the Java process.
#   SECRETS_GENERATE  names (space-separated) to generate into SECRETS_FILE when they are neither set nor in it
#   SECRETS_PRINT     of those, the names whose generated value is printed, once, when generated
#   SECRETS_WAIT      names to wait for in SECRETS_FILE (up to 120 s) when not set: another container generates them
#   APP_JAR           the application jar started when no command is given
#   JAVA_OPTS         JVM flags, split on spaces
set -eu

target="${CONFIG_PATH:-/app/data/config.json}"
if [ -n "${CONFIG_SEED:-}" ]; then
  if [ ! -e "$target" ]; then
    if [ ! -r "$CONFIG_SEED" ]; then
      echo "entrypoint: CONFIG_SEED=$CONFIG_SEED is not a readable file" >&2
      exit 64
    fi
    mkdir -p "$(dirname "$target")"
    # Copy then rename, so that a process watching CONFIG_PATH never sees a half-written file; mode 600.
    (umask 077 && cp "$CONFIG_SEED" "$target.seed.$$")
    mv "$target.seed.$$" "$target"
    echo "entrypoint: seeded $target from $CONFIG_SEED"
  fi
elif [ -n "${CONFIG_SEED_JSON:-}" ]; then
  if [ ! -e "$target" ]; then
    mkdir -p "$(dirname "$target")"
    (umask 077 && printf '%s\n' "$CONFIG_SEED_JSON" > "$target.seed.$$")
    mv "$target.seed.$$" "$target"
    echo "entrypoint: seeded $target from CONFIG_SEED_JSON"
  fi
fi

is_set() { # $1 = a variable name; true when it is set and not empty
  eval "[ -n \"\${$1:-}\" ]"
}
in_file() { # $1 = a name; true when SECRETS_FILE has a line for it
  [ -r "$SECRETS_FILE" ] && grep -q "^$1=" "$SECRETS_FILE"
}
check_name() {
  case "$1" in
    ''|[!A-Z_]*|*[!A-Z0-9_]*) echo "entrypoint: '$1' is not a variable name (A-Z, 0-9, _)" >&2; exit 64 ;;
  esac
}
if [ -n "${SECRETS_FILE:-}" ]; then
  for name in ${SECRETS_WAIT:-}; do
    check_name "$name"
    waited=0
    until is_set "$name" || in_file "$name"; do
      if [ "$waited" -ge 120 ]; then
        echo "entrypoint: $name did not appear in $SECRETS_FILE within 120 s (the container that generates it did not start?)" >&2
        exit 64
      fi
      sleep 1
      waited=$((waited + 1))
    done
  done
  missing=""
  for name in ${SECRETS_GENERATE:-}; do
    check_name "$name"
    if ! is_set "$name" && ! in_file "$name"; then
      missing="$missing $name"
    fi
  done
  if [ -n "$missing" ]; then
    mkdir -p "$(dirname "$SECRETS_FILE")"
    # The old lines plus the new ones, written beside the file and renamed: a reader never sees half a file.
    (
      umask 077
      if [ -r "$SECRETS_FILE" ]; then cat "$SECRETS_FILE"; fi
      for name in $missing; do
        printf '%s=%s\n' "$name" "$(LC_ALL=C tr -dc 'A-Za-z0-9' < /dev/urandom | head -c 40)"
      done
    ) > "$SECRETS_FILE.new.$$"
    chmod 600 "$SECRETS_FILE.new.$$"
    mv "$SECRETS_FILE.new.$$" "$SECRETS_FILE"
    for name in $missing; do
      case " ${SECRETS_PRINT:-} " in
        *" $name "*)
          value=$(sed -n "s/^$name=//p" "$SECRETS_FILE" | head -n 1)
          echo "entrypoint: generated $name=$value (printed this once; kept in $SECRETS_FILE)" ;;
        *)
          echo "entrypoint: generated $name (kept in $SECRETS_FILE)" ;;
      esac
    done
  fi
  if [ -r "$SECRETS_FILE" ]; then
    while IFS='=' read -r name value; do
      case "$name" in ''|'#'*) continue ;; esac
      check_name "$name"
      if ! is_set "$name"; then
        export "$name=$value"
      fi
    done < "$SECRETS_FILE"
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
