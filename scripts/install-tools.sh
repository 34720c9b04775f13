#!/usr/bin/env bash
# Installs what the tests need when it is missing; idempotent and fast when everything is present.
#  - Debian packages: caddy and redis-server (neither ever started as a system service; tests start their own),
#    chromium, docker-compose (to parse compose.yaml), fonts-wqy-microhei (a CJK font for the admin page's Chinese
#    screenshots)
#  - npm tools in tools/ from the committed lockfile: openai@6, @openai/agents (+ zod), azurite@3, playwright-core
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v caddy >/dev/null 2>&1 || need_pkgs+=(caddy)
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
command -v docker-compose >/dev/null 2>&1 || need_pkgs+=(docker-compose)
command -v redis-server >/dev/null 2>&1 || need_pkgs+=(redis-server)
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
# a CJK font, so the admin page's Chinese screenshots show characters rather than empty boxes
[ -n "$(fc-list :lang=zh 2>/dev/null)" ] || need_pkgs+=(fonts-wqy-microhei)

if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "error: missing Debian packages (${need_pkgs[*]}) and not root; install them and rerun" >&2
    exit 1
  fi
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "==> installing Debian packages: ${need_pkgs[*]}"
  # The caddy and redis-server packages enable and start their own services; a policy-rc.d that answers 101 keeps
  # them from starting during the install, and they are disabled afterwards so nothing holds :80, the admin port
  # 2019 or Redis's 6379 (the tests start their own redis-server on a free loopback port).
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"
    own_policy=1
  fi
  trap '[ "$own_policy" = 1 ] && $SUDO rm -f "$policy"' EXIT
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now caddy.service >/dev/null 2>&1 || true
    $SUDO systemctl disable --now redis-server.service >/dev/null 2>&1 || true
  fi
fi

if [ ! -d tools/node_modules/openai ] || [ ! -d tools/node_modules/azurite ] || [ ! -d tools/node_modules/playwright-core ] \
   || [ ! -d tools/node_modules/@openai/agents ] \
   || [ tools/package-lock.json -nt tools/node_modules/.package-lock.json ]; then
  echo "==> installing npm test tools into tools/"
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
fi
