#!/usr/bin/env bash
# make chaos: one fault through nginx, on a stack started with CHAOS_ENABLED=true (the /chaos routes exist only
# then). Usage: chaos.sh <error|leak|crash> [MB for leak]. Environment: HTTP_PORT.
set -euo pipefail
fault=${1:-} mb=${2:-}
case "$fault" in error | leak | crash) ;; *)
  echo "usage: make chaos FAULT=<error|leak|crash> [MB=<1..256> for leak]   (start the stack with CHAOS_ENABLED=true make up)"; exit 2 ;;
esac
query=''
if [ "$fault" = leak ]; then query="?mb=${mb:-10}"; fi
out=$(curl -sS -X POST -w '\nHTTP %{http_code}' "http://127.0.0.1:$HTTP_PORT/chaos/$fault$query")
echo "$out"
if grep -q '^HTTP 404' <<<"$out"; then
  echo "404: the stack runs without the /chaos routes; start it with CHAOS_ENABLED=true make up"; exit 2
fi
