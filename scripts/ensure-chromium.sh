#!/usr/bin/env bash
# The browser tests drive Debian's chromium (never a downloaded browser build).
# Install it only when it is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is missing: run 'sudo apt-get update && sudo apt-get install -y chromium'" >&2
    exit 1
fi
echo "Installing chromium for the browser tests..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
