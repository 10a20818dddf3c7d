#!/usr/bin/env bash
# Prints the Debian mirror this machine's apt already uses. Offline image
# builds use it, so the repo never names a mirror: an offline user brings theirs.
set -euo pipefail
uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
[ -n "$uri" ] || uri=$(grep -hsE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
echo "${APT_MIRROR:-${uri:-http://deb.debian.org/debian}}"
