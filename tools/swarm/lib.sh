# shellcheck shell=bash
# Shared by tools/swarm/*.sh: the names of everything the local swarm creates, all derived from SWARM_NAME.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../offline/swarm.env
. "$root/tools/offline/swarm.env"

SWARM_NAME=${SWARM_NAME:-scaleout-swarm}
[[ "$SWARM_NAME" =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] || { echo "SWARM_NAME=$SWARM_NAME: lowercase letters, digits and dashes only" >&2; exit 2; }
# shellcheck disable=SC2034 # read by the scripts that source this file
SWARM_NET="$SWARM_NAME-net"
# shellcheck disable=SC2034 # read by the scripts that source this file
SWARM_REGISTRY_CONTAINER="$SWARM_NAME-registry"
# The name the nodes pull from (a network alias on SWARM_NET); images are pushed through 127.0.0.1 instead.
SWARM_REGISTRY_HOST="$SWARM_NAME-registry"
# shellcheck disable=SC2034 # read by the scripts that source this file
SWARM_REGISTRY="$SWARM_REGISTRY_HOST:5000"
# Where the nodes' engine sockets appear on this host (root only).
SWARM_RUN_DIR="${TMPDIR:-/tmp}/scaleout-swarm-$SWARM_NAME"
socket_dir() { echo "$SWARM_RUN_DIR/node$1"; }

log() { printf '==> [swarm] %s\n' "$*" >&2; }
die() { printf 'swarm: error: %s\n' "$*" >&2; exit 1; }
