#!/usr/bin/env bash
# The local multi-node swarm for this repo's tests and the workshop: N Docker-in-Docker nodes on their own
# bridge network, a registry beside them, one swarm. Everything it creates is named and labelled after
# SWARM_NAME, so a second swarm (another SWARM_NAME) on the same engine never touches this one.
#
#   tools/swarm/local-swarm.sh up        create what is missing (nodes, registry, swarm, joins); idempotent
#   tools/swarm/local-swarm.sh down      remove every container, volume and network of SWARM_NAME; idempotent
#   tools/swarm/local-swarm.sh host      print the manager's DOCKER_HOST (unix socket) when the swarm exists
#   tools/swarm/local-swarm.sh usage     measured CPU and memory of the nodes and the registry
#
# Why these flags (see ../../../shared/ENVIRONMENT.md on this machine, and swarm/README.md):
#  - `--privileged` needs CAP_SYS_RESOURCE, which some hosts (this CI) do not grant; every other capability,
#    seccomp/apparmor unconfined and a writable cgroup fs are what an inner dockerd needs.
#  - /var/lib/docker is a named volume (on the host's own filesystem, so the inner overlay2 works): a node that
#    is stopped and started again keeps its images and its swarm identity, and rejoins by itself.
#  - The manager's API is a unix socket in a host directory only root can enter, never a TCP port.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

NODES=${SWARM_NODES:-3}
[[ "$NODES" =~ ^[1-9][0-9]?$ ]] || die "SWARM_NODES=$NODES: expected a node count from 1 to 99"
REGISTRY_PORT=${SWARM_REGISTRY_PORT:-5000}
NODE_IMAGE="scaleout-offline/swarm-node:$SWARM_NODE_SUITE"
REGISTRY_IMAGE="scaleout-offline/registry:$SWARM_REGISTRY_VERSION"
LABEL="org.scaleout.swarm=$SWARM_NAME"

node_name() { echo "$SWARM_NAME-node$1"; }

# Built when missing or out of date (their pins or folders changed): the script compares an input hash, so an
# up-to-date image costs a second. Checking only that the images exist once hid a build that failed everywhere else.
ensure_images() {
  docker image inspect "$NODE_IMAGE" "$REGISTRY_IMAGE" >/dev/null 2>&1 \
    || log "building the swarm's node and registry images from Debian packages (about 1 min, once)"
  "$root/tools/offline/build-images.sh" --swarm
}

ensure_network() {
  docker network inspect "$SWARM_NET" >/dev/null 2>&1 && return
  log "network $SWARM_NET"
  docker network create --label "$LABEL" "$SWARM_NET" >/dev/null
}

ensure_registry() {
  local state
  state=$(docker inspect -f '{{.State.Running}}' "$SWARM_REGISTRY_CONTAINER" 2>/dev/null || true)
  [ "$state" = true ] && return
  [ "$state" = false ] && { docker start "$SWARM_REGISTRY_CONTAINER" >/dev/null; return; }
  log "registry $SWARM_REGISTRY_CONTAINER (127.0.0.1:$REGISTRY_PORT for pushes from this host, $SWARM_REGISTRY for the nodes)"
  docker run -d --name "$SWARM_REGISTRY_CONTAINER" --label "$LABEL" --network "$SWARM_NET" \
    --network-alias "$SWARM_REGISTRY_HOST" -p "127.0.0.1:$REGISTRY_PORT:5000" \
    --memory 128m --restart unless-stopped "$REGISTRY_IMAGE" >/dev/null \
    || die "the registry did not start: is 127.0.0.1:$REGISTRY_PORT taken? (set SWARM_REGISTRY_PORT)"
}

# ensure_node <k>: node k running, its engine answering.
ensure_node() {
  local k=$1 name state ports=()
  name=$(node_name "$k")
  state=$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null || true)
  if [ "$state" = false ]; then log "starting $name again"; docker start "$name" >/dev/null; fi
  if [ -z "$state" ]; then
    # The manager (node 1) carries the stack's published ports: nginx, Prometheus and Grafana are placed on it
    # (swarm/stack.overlay.yaml) and publish in host mode, so the host reaches them through node 1's ports.
    if [ "$k" = 1 ]; then
      # The same number outside and inside: the stack publishes compose.yaml's ports (HTTP_PORT...) on the node.
      # HTTPS_PORT too: nginx's TLS server carries https and wss:// (tests/swarm/47-websockets).
      local p
      for p in "${HTTP_PORT:-8080}" "${HTTPS_PORT:-8443}" "${PROMETHEUS_PORT:-9090}" "${GRAFANA_PORT:-3000}"; do ports+=(-p "127.0.0.1:$p:$p"); done
    fi
    mkdir -p "$(socket_dir "$k")" && chmod 700 "$SWARM_RUN_DIR" "$(socket_dir "$k")"
    log "node $name"
    docker run -d --name "$name" --hostname "node$k" --label "$LABEL" --network "$SWARM_NET" "${ports[@]}" \
      --cap-add=ALL --cap-drop=SYS_RESOURCE \
      --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined \
      --tmpfs /run -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
      -v "$SWARM_NAME-node$k-docker:/var/lib/docker" -v "$(socket_dir "$k"):/run/scaleout" \
      --label "org.scaleout.swarm.node=$k" "$NODE_IMAGE" \
      dockerd -H unix:///var/run/docker.sock -H "unix:///run/scaleout/docker.sock" \
        --insecure-registry "$SWARM_REGISTRY" --log-driver json-file --log-opt max-size=10m --log-opt max-file=3 \
      >/dev/null || die "node $name did not start (docker run above says why)"
  fi
  for _ in $(seq 1 60); do
    docker exec "$name" docker info >/dev/null 2>&1 && return
    sleep 1
  done
  docker logs --tail 20 "$name" >&2 || true
  die "the engine in $name did not answer within 60 s (its last log lines are above)"
}

node_ip() { docker inspect -f "{{(index .NetworkSettings.Networks \"$SWARM_NET\").IPAddress}}" "$(node_name "$1")"; }
swarm_state() { docker exec "$(node_name "$1")" docker info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown; }

ensure_swarm() {
  local manager ip state
  manager=$(node_name 1)
  ip=$(node_ip 1)
  state=$(swarm_state 1)
  if [ "$state" != active ]; then
    log "swarm init on $manager ($ip)"
    docker exec "$manager" docker swarm init --advertise-addr "$ip" >/dev/null
  fi
  local token k out
  token=$(docker exec "$manager" docker swarm join-token -q worker)
  for k in $(seq 2 "$NODES"); do
    if [ "$(swarm_state "$k")" = active ]; then
      # Active, but in this swarm? A node that was re-initialised or joined elsewhere is active too.
      member "$k" && continue
      die "$(node_name "$k") is part of another swarm (the manager does not know its node id). Make it leave:" \
        "docker exec $(node_name "$k") docker swarm leave --force   (or make swarm-down for a fresh swarm)"
    fi
    log "$(node_name "$k") joins the swarm"
    # The entries the manager still keeps for this hostname: a node that left joins as a new node id, and the
    # manager marks the old one Down only after its heartbeat times out, so it is removed by id after the join.
    local old
    old=$(docker exec "$manager" docker node ls --format '{{.ID}} {{.Hostname}}' | awk -v h="node$k" '$2 == h {print $1}')
    # A join that fails says why (wrong token, manager unreachable, address in use): print it and stop.
    if ! out=$(docker exec "$(node_name "$k")" docker swarm join --token "$token" "$ip:2377" 2>&1); then
      die "$(node_name "$k") could not join the swarm at $ip:2377: $out"
    fi
    local id
    for id in $old; do
      log "forgetting the old entry of node$k ($id)"
      docker exec "$manager" docker node rm --force "$id" >/dev/null || true
    done
  done
}

# member <k>: node k's id is one of the manager's nodes.
member() {
  local id
  id=$(docker exec "$(node_name "$1")" docker info -f '{{.Swarm.NodeID}}' 2>/dev/null)
  [ -n "$id" ] && docker exec "$(node_name 1)" docker node inspect "$id" >/dev/null 2>&1
}

# A node that left (or lost its state) and joined again is a new node id; the manager keeps the old one as Down.
# Remove those, so `docker node ls` and the tests see each hostname once.
forget_stale_nodes() {
  local id host
  docker exec "$(node_name 1)" docker node ls --format '{{.ID}} {{.Hostname}} {{.Status}}' | while read -r id host status; do
    [ "$status" = Down ] || continue
    if docker exec "$(node_name 1)" docker node ls --format '{{.Hostname}} {{.Status}}' | grep -qx "$host Ready"; then
      log "forgetting the stale entry of $host ($id)"
      docker exec "$(node_name 1)" docker node rm --force "$id" >/dev/null
    fi
  done
}

wait_nodes_ready() {
  local ready
  for _ in $(seq 1 60); do
    ready=$(docker exec "$(node_name 1)" docker node ls --format '{{.Status}}' | grep -c '^Ready$' || true)
    [ "$ready" -ge "$NODES" ] && return
    sleep 1
  done
  docker exec "$(node_name 1)" docker node ls >&2
  die "only $ready of $NODES nodes are Ready after 60 s"
}

cmd_up() {
  command -v docker >/dev/null || die "docker is missing: run tools/host/install-engine.sh"
  ensure_images
  ensure_network
  ensure_registry
  local k
  for k in $(seq 1 "$NODES"); do ensure_node "$k"; done
  ensure_swarm
  wait_nodes_ready
  forget_stale_nodes
  log "swarm $SWARM_NAME: $NODES nodes ready"
  docker exec "$(node_name 1)" docker node ls >&2
}

cmd_down() {
  local ids
  ids=$(docker ps -aq --filter "label=$LABEL")
  # -v: the nodes' anonymous volumes too; the named /var/lib/docker volumes are removed below.
  # shellcheck disable=SC2086,SC2046 # a list of ids/words: splitting is meant
  [ -n "$ids" ] && docker rm -fv $ids >/dev/null
  ids=$(docker volume ls -q --filter "name=^$SWARM_NAME-node[0-9]+-docker$")
  # shellcheck disable=SC2086,SC2046 # a list of ids/words: splitting is meant
  [ -n "$ids" ] && docker volume rm -f $ids >/dev/null
  docker network rm "$SWARM_NET" >/dev/null 2>&1 || true
  rm -rf "$SWARM_RUN_DIR"
  # Tags a push left on this host's engine if it was interrupted (tools/swarm/swarm.sh removes them after a push).
  ids=$(docker image ls --format '{{.Repository}}:{{.Tag}}' | grep "^127\.0\.0\.1:$REGISTRY_PORT/" || true)
  # shellcheck disable=SC2086,SC2046 # a list of ids/words: splitting is meant
  [ -n "$ids" ] && docker rmi $ids >/dev/null
  log "swarm $SWARM_NAME removed (nodes, registry, volumes, network)"
}

cmd_host() {
  [ -S "$(socket_dir 1)/docker.sock" ] || die "no local swarm $SWARM_NAME (make swarm-up), and DOCKER_HOST is not set"
  echo "unix://$(socket_dir 1)/docker.sock"
}

cmd_usage() {
  # The nodes' engines put their containers' cgroups beside the node's (the node mounts the host's cgroup fs),
  # so a node's own figure is its engine alone: the tasks are listed per node from the inner engine.
  echo "container/task	CPU	memory"
  # shellcheck disable=SC2086,SC2046 # a list of ids/words: splitting is meant
  docker stats --no-stream --format '{{.Name}} (engine)\t{{.CPUPerc}}\t{{.MemUsage}}' $(docker ps -q --filter "label=$LABEL")
  local k
  for k in $(seq 1 "$NODES"); do
    docker exec "$(node_name "$k")" docker stats --no-stream --format "node$k {{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}" 2>/dev/null \
      | sed -E 's/\.[a-z0-9]{25}//' || true
  done
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  host) cmd_host ;;
  usage) cmd_usage ;;
  *) die "usage: $0 up|down|host|usage" ;;
esac
