#!/usr/bin/env bash
# Prints the Debian mirror to use: APT_MIRROR if set, else the one this machine's apt already uses. Offline image
# builds and tools/host/install-engine.sh read it, so the repository never names a mirror: a user brings theirs.
# Exits 2, naming what to set, when neither gives one.
set -euo pipefail
if [ -n "${APT_MIRROR:-}" ]; then echo "$APT_MIRROR"; exit 0; fi
# deb822 sources (bookworm's default) first, then the one-line format; the security archive is no full mirror.
uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
[ -n "$uri" ] || uri=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
  | sed -E 's/\[[^]]*\] *//' | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
if [ -z "$uri" ]; then
  echo "apt-mirror.sh: no Debian mirror in this machine's apt sources: set APT_MIRROR=<a Debian mirror's URL>" >&2
  exit 2
fi
echo "$uri"
