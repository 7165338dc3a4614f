#!/usr/bin/env sh
# The tests drive real tools, never stand-ins: Debian's Chromium (playwright-core; Playwright cannot download
# its own browser here), exiftool (reads back the XMP sidecars we write), redis-server (the several-process
# backend), openssl (a self-signed certificate for the HTTPS test), curl and iproute2 (a second "machine" in a
# network namespace), unzip (opens the sidecar zip export). Install whichever is missing when we are root; otherwise say what to run.
set -e
chromium="${LENSLET_CHROMIUM:-/usr/bin/chromium}"
missing=""
[ -x "$chromium" ] || missing="$missing chromium"
command -v exiftool >/dev/null 2>&1 || missing="$missing libimage-exiftool-perl"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
command -v ip >/dev/null 2>&1 || missing="$missing iproute2"
command -v unzip >/dev/null 2>&1 || missing="$missing unzip"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages the tests use:$missing…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null
  # The package starts a system redis on 6379; the tests start their own on free ports.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now redis-server >/dev/null 2>&1 || true; fi
  exit 0
fi
echo "The tests need these Debian packages:$missing. Run: sudo apt-get install -y$missing" >&2
exit 1
