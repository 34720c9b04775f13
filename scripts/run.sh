#!/usr/bin/env bash
# `make run`: the gateway on loopback in front of the local Azure simulator (or your own config).
#
#   make run                      dev config in .run/ (written on first run), foundry-sim as the upstream
#   make run CONFIG=my.json       your config (e.g. your real Azure endpoint); no simulator
#
# Environment: PORT (proxy, default 3000), SIM_PORT (simulator, default 18081).
# Ctrl-C stops everything and leaves no process behind.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JAVA_HOME=${JAVA_HOME:-$(scripts/find-jdk.sh)}
JAVA="$JAVA_HOME/bin/java"
RUN_DIR="$ROOT/.run"
PORT=${PORT:-3000}
SIM_PORT=${SIM_PORT:-18081}
USER_CONFIG=${1:-}
mkdir -p "$RUN_DIR"
chmod 700 "$RUN_DIR"

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  echo "stopped."
}
trap cleanup INT TERM EXIT

rand() { # $1 = length; base62
  head -c 2000 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9' | cut -c1-"$1"
}

sha256_hex() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

hex_to_b64() { printf '%b' "$(printf '%s' "$1" | sed 's/../\\x&/g')" | base64 -w0; }

# PBKDF2-SHA256 hash in the proxy's format pbkdf2-sha256$<iterations>$<b64 salt>$<b64 hash>; empty when openssl lacks kdf.
pbkdf2() {
  local pw=$1 iter=210000 salt_hex hash_hex
  salt_hex=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  hash_hex=$(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt "pass:$pw" -kdfopt "hexsalt:$salt_hex" \
    -kdfopt "iter:$iter" PBKDF2 2>/dev/null | tr -d ':\n' | tr 'A-F' 'a-f') || return 0
  [ -n "$hash_hex" ] || return 0
  printf 'pbkdf2-sha256$%s$%s$%s' "$iter" "$(hex_to_b64 "$salt_hex")" "$(hex_to_b64 "$hash_hex")"
}

first_run=0
client_key="(shown on the first run only; delete .run/ to start over)"
admin_password="(shown on the first run only; delete .run/ to start over)"
if [ -n "$USER_CONFIG" ]; then
  CONFIG_PATH=$(readlink -f "$USER_CONFIG")
  [ -f "$CONFIG_PATH" ] || { echo "error: config file not found: $USER_CONFIG" >&2; exit 1; }
  use_sim=0
else
  CONFIG_PATH="$RUN_DIR/config.json"
  use_sim=1
  if [ ! -f "$RUN_DIR/sim.env" ]; then
    echo "SIM_API_KEYS=sim-$(rand 24)" > "$RUN_DIR/sim.env"
  fi
  # shellcheck disable=SC1091
  . "$RUN_DIR/sim.env"
  if [ ! -f "$CONFIG_PATH" ]; then
    first_run=1
    client_key="sk-dev-$(rand 32)"
    admin_password=$(rand 20)
    hash=$(pbkdf2 "$admin_password")
    if [ -n "$hash" ] && [[ "$hash" != *'$$'* ]] && [[ "$hash" != *'$' ]]; then
      admin_auth="\"passwordHash\": \"$hash\""
    else
      admin_auth="\"password\": \"$admin_password\""
    fi
    umask 077
    cat > "$CONFIG_PATH" <<EOF
{
  "server": {
    "host": "127.0.0.1",
    "port": $PORT,
    "adminAuth": { "username": "admin", $admin_auth },
    "upstream": { "connectTimeoutMs": 5000, "firstByteTimeoutMs": 120000, "idleTimeoutMs": 120000, "maxRetries": 1 }
  },
  "auth": { "mode": "apiKey", "apiKey": "$SIM_API_KEYS" },
  "apiKeys": [ { "id": "dev", "key": "sha256:$(sha256_hex "$client_key")" } ],
  "upstreams": [ { "name": "sim", "baseUrl": "http://127.0.0.1:$SIM_PORT" } ],
  "models": [
    { "id": "gpt-4o-mini", "upstream": "sim", "targetModel": "gpt-4o-mini", "family": "gpt-4o" },
    { "id": "gpt-5-mini", "upstream": "sim", "targetModel": "gpt-5-mini", "family": "gpt-5" },
    { "id": "gpt-5-codex", "upstream": "sim", "targetModel": "gpt-5-codex", "family": "gpt-5", "routes": { "chat/completions": "responses" } },
    { "id": "text-embedding-3-small", "upstream": "sim", "targetModel": "text-embedding-3-small", "family": "embedding" },
    { "id": "gpt-image-1", "upstream": "sim", "targetModel": "gpt-image-1", "family": "image" }
  ]
}
EOF
    umask 022
  fi
fi

wait_for() { # $1 = what, $2 = url, $3 = pid
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$2" 2>/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || { echo "error: $1 exited; see its log in .run/" >&2; return 1; }
    sleep 0.2
  done
  echo "error: $1 did not answer at $2 within 30 s; see .run/" >&2
  return 1
}

if [ "$use_sim" = 1 ]; then
  SIM_PORT=$SIM_PORT SIM_API_KEYS=$SIM_API_KEYS "$JAVA" -jar foundry-sim/target/foundry-sim.jar > "$RUN_DIR/sim.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do grep -q "foundry-sim listening" "$RUN_DIR/sim.log" 2>/dev/null && break; sleep 0.2; done
  grep -q "foundry-sim listening" "$RUN_DIR/sim.log" || { echo "error: foundry-sim did not start; see .run/sim.log" >&2; exit 1; }
fi

export CADDY_MANAGER_TOKEN=${CADDY_MANAGER_TOKEN:-$(rand 32)}
# The JVM flags `make aot` trained the cache with; the cache is used only when it is newer than the jar it was made from.
PROXY_RUN_OPTS=${PROXY_RUN_OPTS:--XX:+UseSerialGC -XX:+UseCompactObjectHeaders}
if [ proxy/target/proxy.aot -nt proxy/target/proxy.jar ]; then PROXY_RUN_OPTS="$PROXY_RUN_OPTS -XX:AOTCache=proxy/target/proxy.aot"; fi
# shellcheck disable=SC2086
CONFIG_PATH="$CONFIG_PATH" PORT=$PORT "$JAVA" $PROXY_RUN_OPTS -jar proxy/target/proxy.jar > >(tee "$RUN_DIR/proxy.log") 2>&1 &
pids+=($!)
wait_for proxy "http://127.0.0.1:$PORT/healthz" "${pids[-1]}"

if command -v "${CADDY_BIN:-caddy}" >/dev/null 2>&1 && [ -f caddy-manager/target/caddy-manager.jar ]; then
  CONFIG_PATH="$CONFIG_PATH" CADDY_DATA_DIR="$RUN_DIR/caddy" PROXY_ADMIN_URL="http://127.0.0.1:$PORT" \
    "$JAVA" -jar caddy-manager/target/caddy-manager.jar > "$RUN_DIR/caddy-manager.log" 2>&1 &
  pids+=($!)
fi

BASE="http://127.0.0.1:$PORT/v1"
cat <<EOF

================================================================================
 AOAI Gateway is running$( [ "$use_sim" = 1 ] && echo " in front of foundry-sim (the local Azure simulator)")
   base URL     $BASE
   client key   $client_key
   admin page   http://127.0.0.1:$PORT/admin/   (user admin, password: $admin_password)
   config       ${CONFIG_PATH#"$ROOT"/}     logs: .run/
$( [ "$first_run" = 1 ] && echo "   The key and password are printed this once; only their hashes are stored.")

 curl:
   curl -sS $BASE/chat/completions -H "Authorization: Bearer \$KEY" \\
     -H 'content-type: application/json' \\
     -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}'

 Node (npm install openai):
   import OpenAI from 'openai';
   const client = new OpenAI({ baseURL: '$BASE', apiKey: process.env.KEY });
   const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
   console.log(r.choices[0].message.content);

 Python (pip install openai):
   from openai import OpenAI
   client = OpenAI(base_url="$BASE", api_key=os.environ["KEY"])
   r = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hello"}])
   print(r.choices[0].message.content)

 (export KEY=<the client key> first.)  Ctrl-C stops everything.
================================================================================
EOF

# Stop everything as soon as one process exits.
wait -n "${pids[@]}" || true
echo "a process exited; stopping the rest"
