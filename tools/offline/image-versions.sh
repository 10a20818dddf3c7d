#!/usr/bin/env bash
# Prints the offline stand-ins' versions as NAME=VERSION lines, read from the image pins in compose.yaml:
#   NODE_VERSION=26.10.0  NGINX_VERSION=1.30.6  PROMETHEUS_VERSION=3.5.3  NGINX_EXPORTER_VERSION=1.5.1
#   VALKEY_VERSION=8.1.1
# compose.yaml is the one place an image version is written down; the stand-ins take theirs from it, so an
# upgrade there upgrades the offline stack too (and fails loudly if Debian's mirror lacks that version).
# The Makefile exports these for compose.offline.yaml; build-images.sh reads them the same way.
set -euo pipefail
compose=${1:-"$(cd "$(dirname "$0")/../.." && pwd)/compose.yaml"}

# pin <VARIABLE>: the version in `${VARIABLE:-repo/name:vX.Y.Z-suffix}`, without the v and the suffix.
pin() {
  local v
  v=$(sed -nE "s/.*\\\$\\{$1:-[^}:]+:v?([0-9]+\\.[0-9]+\\.[0-9]+)[^}]*\\}.*/\\1/p" "$compose" | head -n1)
  [ -n "$v" ] || { echo "image-versions.sh: no pinned default for \${$1:-...} in $compose" >&2; exit 1; }
  echo "$v"
}

node=$(pin NODE_IMAGE)
runtime=$(pin NODE_RUNTIME_IMAGE)
# One stand-in Node serves both build stages, so both stages must pin the same release.
[ "$node" = "$runtime" ] || { echo "image-versions.sh: NODE_IMAGE ($node) and NODE_RUNTIME_IMAGE ($runtime) differ in $compose" >&2; exit 1; }
echo "NODE_VERSION=$node"
echo "NGINX_VERSION=$(pin NGINX_IMAGE)"
echo "PROMETHEUS_VERSION=$(pin PROMETHEUS_IMAGE)"
echo "NGINX_EXPORTER_VERSION=$(pin NGINX_EXPORTER_IMAGE)"
echo "VALKEY_VERSION=$(pin VALKEY_IMAGE)"
