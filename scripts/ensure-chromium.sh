#!/usr/bin/env sh
# Browser tests drive Debian's Chromium through playwright-core (Playwright cannot
# download its own browser here). Install it when missing and we are root.
set -e
bin="${LENSLET_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$bin" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at $bin: run 'sudo apt-get install -y chromium' (or set LENSLET_CHROMIUM)." >&2
exit 1
