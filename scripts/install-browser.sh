#!/usr/bin/env bash
# Installs Debian's Chromium for the console's browser tests when it is missing.
# The tests drive it with playwright-core, which never downloads a browser of its own.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "chromium present: $(chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing and installing it needs root: run 'sudo apt-get install chromium'" >&2
  exit 1
fi

echo "installing chromium from Debian's packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
chromium --version
