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
RUN_DIR=${RUN_DIR:-$ROOT/.run}   # tests point it elsewhere
PORT=${PORT:-3000}
SIM_PORT=${SIM_PORT:-18081}
USER_CONFIG=${1:-}
mkdir -p "$RUN_DIR"
chmod 700 "$RUN_DIR"

# One make run per checkout: a second one would overwrite the first one's logs in .run/.
exec 9>"$RUN_DIR/run.lock"
if ! flock -n 9; then
  echo "error: another make run is already running from this checkout (its logs are in .run/); stop it first" >&2
  exit 1
fi

port_in_use() { # $1 = port on 127.0.0.1
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
if port_in_use "$PORT"; then
  echo "error: port $PORT is already in use (another make run or another program); stop it or use make run PORT=<free port>" >&2
  exit 1
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  [ "${#pids[@]}" -gt 0 ] || return 0
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
  "upstreams": [ { "name": "sim", "baseUrl": "http://127.0.0.1:$SIM_PORT" },
                 { "name": "sim-payg", "baseUrl": "http://127.0.0.1:$SIM_PORT" } ],
  "models": [
    { "id": "gpt-4o-mini", "family": "gpt-4o", "deployments": [
        { "upstream": "sim", "deployment": "gpt-4o-mini-ptu", "priority": 0, "spillAbovePercent": 90 },
        { "upstream": "sim-payg", "deployment": "gpt-4o-mini", "priority": 1 } ] },
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

# The validator first (a second or two): a config with errors stops here with its lines, each naming the file.
if ! summary=$("$JAVA" -jar proxy/target/proxy.jar check-config "$CONFIG_PATH"); then
  echo "error: the config has errors (above); nothing was started" >&2
  exit 1
fi
models=$(printf '%s\n' "$summary" | sed -n 's/^models //p')
model=${models%% *}
[ -n "$model" ] || model=gpt-4o-mini
if [ -n "$USER_CONFIG" ]; then
  key_ids=$(printf '%s\n' "$summary" | sed -n 's/^keys //p')
  client_key="one of apiKeys[] in $USER_CONFIG (ids: ${key_ids:-none active})"
  if printf '%s\n' "$summary" | grep -qx 'admin-password usable'; then
    admin_password="the one configured in $USER_CONFIG"
  else
    admin_password="generated: see the 'Admin password generated' line above"
  fi
fi

wait_for_proxy() { # $1 = url, $2 = pid, $3 = log: ready when this run's proxy logged its listening line and answers 200
  for _ in $(seq 1 300); do
    if ! kill -0 "$2" 2>/dev/null; then
      # its own one-line error is already on the console (the log is a copy of its output)
      grep -q '^error: ' "$3" 2>/dev/null || echo "error: the proxy exited; see .run/proxy.log" >&2
      return 1
    fi
    if grep -q "proxy listening on" "$3" 2>/dev/null; then
      code=$(curl -sS -o "$RUN_DIR/healthz.json" -w '%{http_code}' "$1" 2>/dev/null || true)
      [ "$code" = 200 ] && return 0
      if [ "$code" = 503 ]; then
        echo "error: the proxy has no valid config: $(cat "$RUN_DIR/healthz.json")" >&2
        return 1
      fi
    fi
    sleep 0.2
  done
  echo "error: the proxy did not answer at $1 within 60 s; see .run/proxy.log" >&2
  return 1
}

if [ "$use_sim" = 1 ]; then
  if port_in_use "$SIM_PORT"; then
    echo "error: port $SIM_PORT (the simulator's) is already in use; stop what listens there or use make run SIM_PORT=<free port>" >&2
    exit 1
  fi
  SIM_PORT=$SIM_PORT SIM_API_KEYS=$SIM_API_KEYS "$JAVA" -jar foundry-sim/target/foundry-sim.jar > "$RUN_DIR/sim.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do grep -q "foundry-sim listening" "$RUN_DIR/sim.log" 2>/dev/null && break; sleep 0.2; done
  grep -q "foundry-sim listening" "$RUN_DIR/sim.log" || { echo "error: foundry-sim did not start; see .run/sim.log" >&2; exit 1; }
  # the demo pool: a small PTU deployment (20 requests a minute, reports its utilisation) in front of pay-as-you-go
  curl -fsS -o /dev/null -X POST "http://127.0.0.1:$SIM_PORT/_sim/config" -H 'content-type: application/json' \
    -d '{"deployments":{"gpt-4o-mini-ptu":{"capacity":{"rpm":20,"tpm":20000,"ptu":true}}}}' \
    || { echo "error: could not give foundry-sim its demo capacity" >&2; exit 1; }
fi

export CADDY_MANAGER_TOKEN=${CADDY_MANAGER_TOKEN:-$(rand 32)}
# The JVM flags `make aot` trained the cache with; the cache is used only when it is newer than the jar it was made from.
PROXY_RUN_OPTS=${PROXY_RUN_OPTS:--XX:+UseSerialGC -XX:+UseCompactObjectHeaders}
if [ proxy/target/proxy.aot -nt proxy/target/proxy.jar ]; then PROXY_RUN_OPTS="$PROXY_RUN_OPTS -XX:AOTCache=proxy/target/proxy.aot"; fi
# shellcheck disable=SC2086
CONFIG_PATH="$CONFIG_PATH" PORT=$PORT "$JAVA" $PROXY_RUN_OPTS -jar proxy/target/proxy.jar > >(tee "$RUN_DIR/proxy.log") 2>&1 &
pids+=($!)
wait_for_proxy "http://127.0.0.1:$PORT/healthz" "${pids[-1]}" "$RUN_DIR/proxy.log"

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
   models       $models
$( [ "$first_run" = 1 ] && echo "   The key and password are printed this once; only their hashes are stored.")

 curl:
   curl -sS $BASE/chat/completions -H "Authorization: Bearer \$KEY" \\
     -H 'content-type: application/json' \\
     -d '{"model":"$model","messages":[{"role":"user","content":"Say hello"}]}'

 Node (save as hello.mjs in a directory where npm install openai ran; run: node hello.mjs):
   import OpenAI from 'openai';
   const client = new OpenAI({ baseURL: '$BASE', apiKey: process.env.KEY });
   const r = await client.chat.completions.create({ model: '$model', messages: [{ role: 'user', content: 'Say hello' }] });
   console.log(r.choices[0].message.content);

 Python (pip install openai; save as hello.py; run: python3 hello.py):
   import os
   from openai import OpenAI
   client = OpenAI(base_url="$BASE", api_key=os.environ["KEY"])
   r = client.chat.completions.create(model="$model", messages=[{"role": "user", "content": "Say hello"}])
   print(r.choices[0].message.content)

 gpt-4o-mini is a pool: a small PTU deployment (20 requests/min) spilling to pay-as-you-go above 90 %
 utilisation or on a 429; the x-aoaigw-served-by header names the deployment that answered, and
 the admin page (GET /admin/api/deployments) shows each one's state.

 (export KEY=<the client key> first.)  Ctrl-C stops everything.
================================================================================
EOF

# Stop everything as soon as one process exits.
wait -n "${pids[@]}" || true
echo "a process exited; stopping the rest"
