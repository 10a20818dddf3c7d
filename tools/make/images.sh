#!/usr/bin/env bash
# make images: offline, build the stand-in images from Debian packages; online, nothing to do.
set -euo pipefail
[ "$STACK_MODE" = offline ] || exit 0
echo "offline mode: no container registry answers, so the stack runs on stand-in images built from Debian packages (Grafana and k6 are not available offline; make loadtest uses the Node load runner)."
exec "$(dirname "$0")/../offline/build-images.sh"
