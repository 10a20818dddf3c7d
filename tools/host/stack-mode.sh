#!/usr/bin/env bash
# Prints "online" or "offline": whether this machine can pull the stack's official images.
#   OFFLINE=auto (default) asks Docker Hub's registry API; OFFLINE=1 / OFFLINE=0 force a mode.
# A reachable registry answers /v2/ with 401 (it wants a token); any failure within a few seconds,
# which is what a machine with no registry access sees, means offline.
set -uo pipefail
case "${1:-auto}" in
  1|true|yes|offline) echo offline; exit 0 ;;
  0|false|no|online) echo online; exit 0 ;;
esac
code=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' https://registry-1.docker.io/v2/ 2>/dev/null || true)
case "$code" in
  200|401) echo online ;;
  *) echo offline ;;
esac
