#!/usr/bin/env bash
# make images: the pins beside their stand-ins and support dates; offline, build the stand-ins from Debian packages.
set -euo pipefail
here=$(dirname "$0")
{ printf 'PIN\tIMAGE\tOFFLINE STAND-IN\tLINE\tSUPPORTED UNTIL\tKIND\n'; "$here/../offline/image-versions.sh" --table; } |
  awk -F'\t' '{ printf "  %-21s %-39s %-17s %-5s %-16s %s\n", $1, $2, $3, $4, $5, $6 }'
[ "$STACK_MODE" = offline ] || exit 0
echo "offline mode: no container registry answers, so the stack runs on stand-in images built from Debian packages (Grafana and k6 are not available offline; make loadtest uses the Node load runner)."
exec "$here/../offline/build-images.sh"
