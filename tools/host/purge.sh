#!/usr/bin/env bash
# Puts this machine back to the project's zero state, as a new machine has it: removes every container, volume and
# network of the stack (COMPOSE_PROJECT_NAME) and of every local swarm, every image the project builds (the offline
# stand-ins, the tests' k6 stand-in, the swarm's node and registry, the api under API_IMAGE_REPO, and tags left by
# swarm pushes), the image build cache, and the build outputs in this checkout.
# Keeps .secrets/ (your passwords and certificates) and .env.
#   tools/host/purge.sh      (make purge; .ci/run runs it first, so every build path runs on every CI run)
# Installed packages (tools/host/install-engine.sh) stay: they are the machine's, not the project's.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/common.sh
. "$root/tools/lib/common.sh"
project=${COMPOSE_PROJECT_NAME:-scaleout}
api_repo=${API_IMAGE_REPO:-scaleout/api}

# rm_listed <what> <command...>: runs the command on the ids read from stdin, when there are any.
rm_listed() {
  local what=$1 ids; shift
  ids=$(sort -u | grep -v '^$' || true)
  [ -n "$ids" ] || return 0
  log "$what: $(wc -l <<<"$ids")"
  # shellcheck disable=SC2086 # a list of ids: splitting is meant
  "$@" $ids >/dev/null
}

say "removing the project's state from this machine (compose project $project, local swarms, images, build outputs)"
if docker info >/dev/null 2>&1; then
  # Containers: the stack's (every profile) and every local swarm's nodes and registry, with their anonymous volumes.
  { docker ps -aq --filter "label=com.docker.compose.project=$project"; docker ps -aq --filter label=org.scaleout.swarm; } \
    | rm_listed containers docker rm -fv
  # Volumes: the stack's named volumes and the swarm nodes' engines (<swarm>-node<k>-docker).
  { docker volume ls -q --filter "label=com.docker.compose.project=$project"; docker volume ls -q | grep -E -- '-node[0-9]+-docker$' || true; } \
    | rm_listed volumes docker volume rm -f
  { docker network ls -q --filter "label=com.docker.compose.project=$project"; docker network ls -q --filter label=org.scaleout.swarm; } \
    | rm_listed networks docker network rm
  # Images: by repository, since a tag is all a stand-in, an api release or a push leaves behind.
  docker image ls --format '{{.Repository}}:{{.Tag}}' \
    | grep -E "^(scaleout-offline/|scaleout-test/|${api_repo}:|127\.0\.0\.1:[0-9]+/)" | rm_listed images docker rmi -f
  docker image prune -f >/dev/null
  # The build cache: otherwise `npm ci` in the api's build would come from an earlier run's layer.
  docker builder prune -af >/dev/null 2>&1 || true
else
  log "no Docker engine answers: no containers, volumes or images to remove"
fi
rm -rf "${TMPDIR:-/tmp}"/scaleout-swarm-* # the local swarms' manager sockets (tools/swarm/lib.sh)
# Build outputs of this checkout (.gitignore lists them), then npm's installs, which a new clone has none of.
rm -rf "$root/tools/build" "$root/services/api/dist" "$root/.offline" "$root/reports" "$root/swarm/build" \
  "$root/tools/node_modules" "$root/services/api/node_modules"
say "this machine is at the project's zero state (next: make up, or make test)"
