#!/usr/bin/env bash
# Reads the image pins of compose.yaml, the one place an image version is written, with the comment beside each:
#   image: ${PROMETHEUS_IMAGE:-prom/prometheus:v3.13.4} # stand-in 3.5.3 · 3.13 until 2027-07-31 eol
#
#   image-versions.sh [compose.yaml]           the offline stand-ins' versions as NAME=VERSION lines
#                                              (NODE_VERSION NGINX_VERSION PROMETHEUS_VERSION NGINX_EXPORTER_VERSION
#                                              VALKEY_VERSION): the Makefile exports them for compose.offline.yaml,
#                                              build-images.sh reads them the same way
#   image-versions.sh --table [compose.yaml]   every pin, tab-separated: variable, image, stand-in (or none), release
#                                              line, supported until, kind (eol|successor|review); `make images`
#                                              prints it, tests/static/support.test.ts checks the dates
# Where Debian has no package of the pinned release, the stand-in is the nearest release it has: the offline stack
# then runs that one (docs/offline.md says what that leaves untested).
set -euo pipefail
table=0
if [ "${1:-}" = --table ]; then table=1; shift; fi
compose=${1:-"$(cd "$(dirname "$0")/../.." && pwd)/compose.yaml"}

# The pinned lines: VARIABLE<TAB>image<TAB>stand-in<TAB>line<TAB>until<TAB>kind (the Node runtime stage carries no
# comment: it must pin the same release as NODE_IMAGE, checked below).
rows=$(sed -nE 's/.*\$\{([A-Z0-9_]+_IMAGE):-([^}]+)\} *# stand-in ([^ ]+) · ([^ ]+) until ([0-9]{4}-[0-9]{2}-[0-9]{2}) (eol|successor|review) *$/\1\t\2\t\3\t\4\t\5\t\6/p' "$compose")
if [ "$table" = 1 ]; then printf '%s\n' "$rows"; exit 0; fi

# standin <VARIABLE>: the stand-in version written beside that pin.
standin() {
  local v
  v=$(awk -F'\t' -v n="$1" '$1 == n { print $3 }' <<<"$rows")
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
    echo "image-versions.sh: no '# stand-in X.Y.Z · <line> until <YYYY-MM-DD> <eol|successor|review>' beside \${$1:-...} in $compose" >&2
    exit 1
  }
  echo "$v"
}
# pin <VARIABLE>: the pinned version in `${VARIABLE:-repo/name:vX.Y.Z-suffix}`, without the v and the suffix.
pin() {
  local v
  v=$(sed -nE "s/.*\\\$\\{$1:-[^}:]+:v?([0-9]+\\.[0-9]+\\.[0-9]+)[^}]*\\}.*/\\1/p" "$compose" | head -n1)
  [ -n "$v" ] || { echo "image-versions.sh: no pinned default for \${$1:-...} in $compose" >&2; exit 1; }
  echo "$v"
}

# One stand-in Node serves both build stages, so both stages must pin the same release.
node=$(pin NODE_IMAGE)
runtime=$(pin NODE_RUNTIME_IMAGE)
[ "$node" = "$runtime" ] || { echo "image-versions.sh: NODE_IMAGE ($node) and NODE_RUNTIME_IMAGE ($runtime) differ in $compose" >&2; exit 1; }
echo "NODE_VERSION=$(standin NODE_IMAGE)"
echo "NGINX_VERSION=$(standin NGINX_IMAGE)"
echo "PROMETHEUS_VERSION=$(standin PROMETHEUS_IMAGE)"
echo "NGINX_EXPORTER_VERSION=$(standin NGINX_EXPORTER_IMAGE)"
echo "VALKEY_VERSION=$(standin VALKEY_IMAGE)"
