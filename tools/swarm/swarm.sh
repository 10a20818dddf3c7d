#!/usr/bin/env bash
# The stack on Docker Swarm: what the make swarm-* targets run (swarm/README.md).
#
#   swarm.sh up                   local swarm (unless DOCKER_HOST is set), images, deploy, wait, URLs
#   swarm.sh deploy <tag>         rolling update of the api to <tag>; exits 1 if Swarm rolled it back
#   swarm.sh build <tag>          build the api image <tag> from services/api (NEVER_READY=true: a broken release)
#   swarm.sh scale <n>            api tasks
#   swarm.sh ps                   tasks per node
#   swarm.sh logs [request-id]    every service's logs merged through the manager, or one request's lines
#   swarm.sh drain|activate <node>
#   swarm.sh config               print the generated stack file
#   swarm.sh down                 remove the stack and the local swarm
#
# Two modes, chosen by DOCKER_HOST:
#  - unset: the local swarm (tools/swarm/local-swarm.sh). Images are built on this host's engine and pushed to
#    the swarm's registry, which the nodes pull from. The CLI talks to the manager through its unix socket.
#  - set (a real manager, e.g. ssh://you@manager): no node is created. Images must be pullable by every node:
#    set API_IMAGE_REPO to a repository of your registry (registry.example.com/scaleout/api); `up` and `build`
#    build and push it through that engine. The other images are compose.yaml's official pins.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

STACK=$SWARM_NAME
API_IMAGE_REPO=${API_IMAGE_REPO:-scaleout/api}
# compose reads these; the stack takes the api's environment, limits and ports from compose.yaml through them.
export COMPOSE_PROJECT_NAME=$STACK API_IMAGE_REPO
# COMPOSE_FILES: the compose.yaml (+ compose.offline.yaml) list the Makefile uses for `make up`.
COMPOSE_FILES=${COMPOSE_FILES:--f compose.yaml}
CONVERGE_TIMEOUT_SEC=${SWARM_CONVERGE_TIMEOUT_SEC:-300}
GENERATOR="node $root/tools/build/tools/swarm/src/cli.js"
cd "$root"

if [ -n "${DOCKER_HOST:-}" ]; then
  LOCAL=0
  REGISTRY=${SWARM_REGISTRY:-}
  outer() { docker "$@"; }
else
  LOCAL=1
  REGISTRY=$SWARM_REGISTRY
  # The host's own engine builds and pushes; the manager's socket runs the swarm commands.
  outer() { env -u DOCKER_HOST docker "$@"; }
fi
manager_host() { [ "$LOCAL" = 1 ] && "$here/local-swarm.sh" host || echo "$DOCKER_HOST"; }
swarm() { DOCKER_HOST=$(manager_host) docker "$@"; }
# shellcheck disable=SC2086,SC2046 # a list of ids/words: splitting is meant
compose() { outer compose $COMPOSE_FILES "$@"; }

# The api's version: API_VERSION, or what runs now, or dev.
running_version() { swarm service inspect -f '{{range .Spec.TaskTemplate.ContainerSpec.Env}}{{println .}}{{end}}' "${STACK}_api" 2>/dev/null | sed -n "s/^APP_VERSION=//p" || true; }
running_replicas() { swarm service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "${STACK}_api" 2>/dev/null || true; }

compose_config() { compose config --format json; }

stack_file() {
  mkdir -p "$root/swarm/build"
  local f="$root/swarm/build/$STACK.stack.yaml"
  # `|| die`: inside $(...) a failed pipeline would not stop the script, and an empty stack file would be deployed.
  local extra=() o
  # SWARM_EXTRA_OVERLAYS: more overlay files merged after swarm/stack.overlay.yaml (make test-swarm's faster checks).
  for o in ${SWARM_EXTRA_OVERLAYS:-}; do [ -r "$o" ] || die "SWARM_EXTRA_OVERLAYS: $o is not a readable file"; extra+=(--extra-overlay "$o"); done
  compose_config | $GENERATOR stack --stack "$STACK" --registry "$REGISTRY" "${extra[@]}" > "$f" || die "generating the stack file failed (the error is above)"
  echo "$f"
}

# push_images [api]: every image of the stack, or only the api's (a release must not re-push, and so re-pin, the
# other services' images: a stand-in rebuilt meanwhile would update nginx, whose host-mode port then drops requests).
push_images() {
  local only=${1:-}
  if [ -z "$REGISTRY" ]; then
    # Your own swarm without SWARM_REGISTRY: the official images as pinned, and the api from API_IMAGE_REPO.
    log "pushing $API_IMAGE_REPO:$API_VERSION (the other images are pulled as compose.yaml pins them)"
    outer push --quiet "$API_IMAGE_REPO:$API_VERSION" >/dev/null || die "push of $API_IMAGE_REPO:$API_VERSION failed: is API_IMAGE_REPO a repository of your registry?"
    return
  fi
  local local_name remote pushed_as
  while IFS=$'\t' read -r local_name remote; do
    [ "$only" = api ] && [ "${local_name%:*}" != "$API_IMAGE_REPO" ] && continue
    outer image inspect "$local_name" >/dev/null 2>&1 || die "image $local_name is missing on the building engine"
    if [ "$LOCAL" = 1 ]; then
      # Docker trusts a registry on 127.0.0.1 without TLS: push through the host port, pull by the registry's name.
      pushed_as="127.0.0.1:${SWARM_REGISTRY_PORT:-5000}/${local_name}"
    else
      pushed_as=$remote
    fi
    outer tag "$local_name" "$pushed_as"
    outer push --quiet "$pushed_as" >/dev/null || die "push of $pushed_as failed"
    [ "$LOCAL" = 1 ] && outer rmi "$pushed_as" >/dev/null
    printf '    pushed %s\n' "$remote" >&2
  done < <(compose_config | $GENERATOR images --registry "$REGISTRY")
}

# wait_converged: every service of the stack runs its desired tasks, and the api's update (if any) has ended.
# Prints the api's UpdateStatus state at the end (empty when the service was never updated).
wait_converged() {
  local deadline=$(( $(date +%s) + CONVERGE_TIMEOUT_SEC )) state line pending last=''
  while :; do
    state=$(swarm service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "${STACK}_api" 2>/dev/null || echo missing)
    pending=''
    # Every service's update must have ended, not only the api's: nginx updates stop-first, and while it does
    # its port answers nothing.
    while read -r line; do
      # shellcheck disable=SC2086,SC2046 # a list of ids/words: splitting is meant
      set -- $line
      case "${2:-}" in updating|rollback_started|paused|rollback_paused) pending="$pending $1:$2" ;; esac
    done < <(swarm service ls -q --filter "label=com.docker.stack.namespace=$STACK" | xargs -r docker --host "$(manager_host)" service inspect -f '{{.Spec.Name}} {{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}')
    while read -r line; do
      # "s1_api 3/3" (or "4/3 (max 4 per node)" while a start-first update overlaps): running/desired.
      # shellcheck disable=SC2086,SC2046 # a list of ids/words: splitting is meant
      set -- $line
      local running=${2%%/*} desired=${2#*/}; desired=${desired%% *}
      [ "$running" = "$desired" ] || pending="$pending $1:$2"
    done < <(swarm service ls --filter "label=com.docker.stack.namespace=$STACK" --format '{{.Name}} {{.Replicas}}')
    if [ -z "$pending" ]; then
      # Read again: the api's update may have moved on between the two looks above.
      state=$(swarm service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "${STACK}_api" 2>/dev/null || echo missing)
      case "$state" in updating|rollback_started|paused|rollback_paused) ;; *) echo "$state"; return 0 ;; esac
    fi
    [ "$pending" != "$last" ] && printf '    waiting for:%s\n' "$pending" >&2 && last=$pending
    if [ "$(date +%s)" -ge "$deadline" ]; then
      swarm service ps --no-trunc --filter desired-state=running "${STACK}_api" >&2 || true
      die "not converged after ${CONVERGE_TIMEOUT_SEC} s:$pending"
    fi
    sleep 2
  done
}

wait_http() { # <url>: 5 answers in a row, within 60 s
  local ok=0
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; then ok=$((ok + 1)); [ "$ok" -ge 5 ] && return 0; else ok=0; fi
    sleep 0.5
  done
  die "$1 does not answer after 60 s (make swarm-ps, make swarm-logs)"
}

deploy_stack() { # <api version>
  local f
  local replicas
  # A running stack keeps its task count (make swarm-scale); API_REPLICAS is the count of a first deploy.
  replicas=$(running_replicas); replicas=${replicas:-${API_REPLICAS:-3}}
  f=$(API_VERSION=$1 API_REPLICAS=$replicas stack_file) || exit 1
  # --resolve-image always: the manager pins each tag to its digest, so every node runs the very same image.
  swarm stack deploy --prune --resolve-image always --detach=true -c "$f" "$STACK" >/dev/null
}

urls() {
  printf '\n  api (through nginx)  http://127.0.0.1:%s/whoami\n' "${HTTP_PORT:-8080}"
  printf '  api over HTTPS       https://localhost:%s/whoami  (and wss://)\n' "${HTTPS_PORT:-8443}"
  printf '  Prometheus           http://127.0.0.1:%s/targets\n' "${PROMETHEUS_PORT:-9090}"
  if swarm service inspect "${STACK}_grafana" >/dev/null 2>&1; then
    printf '  Grafana              http://127.0.0.1:%s/d/load-distribution\n' "${GRAFANA_PORT:-3000}"
  else printf '  Grafana              not deployed (offline: no image)\n'; fi
  printf '\nNext: make swarm-ps, make swarm-deploy VERSION=<tag>, make swarm-scale N=<tasks>, make swarm-logs\n'
}

cmd_up() {
  local started version
  started=$(date +%s)
  [ "$LOCAL" = 1 ] && "$here/local-swarm.sh" up
  version=${API_VERSION:-$(running_version)}; version=${version:-dev}
  log "building the api image $API_IMAGE_REPO:$version"
  API_VERSION=$version compose build --quiet api
  log "pushing the images to ${REGISTRY:-their registries}"
  API_VERSION=$version push_images
  log "deploying stack $STACK"
  deploy_stack "$version"
  # The manager takes the new spec asynchronously: give it a moment before asking whether it converged.
  sleep 3
  wait_converged >/dev/null
  # Then nginx must answer through the published port (the manager's host-mode port, via 127.0.0.1 locally).
  [ "$LOCAL" = 1 ] && wait_http "http://127.0.0.1:${HTTP_PORT:-8080}/whoami"
  log "stack $STACK converged in $(( $(date +%s) - started )) s"
  cmd_ps
  urls
}

cmd_deploy() { # <tag>
  local tag=$1 before state
  [[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "VERSION=$tag is not a valid image tag"
  # Before anything changes: the image must exist, or nothing is pushed and nothing is updated.
  outer image inspect "$API_IMAGE_REPO:$tag" >/dev/null 2>&1 \
    || die "no image $API_IMAGE_REPO:$tag on the building engine: build it first (make swarm-build VERSION=$tag). Nothing was changed."
  swarm service inspect "${STACK}_api" >/dev/null 2>&1 || die "no stack $STACK running (make swarm-up first). Nothing was changed."
  before=$(running_version)
  log "rolling update of ${STACK}_api: $before -> $tag (start-first, one task at a time)"
  API_VERSION=$tag push_images api
  deploy_stack "$tag"
  # The update starts asynchronously: wait until the manager has taken it.
  sleep 2
  state=$(wait_converged)
  case "$state" in
    rollback_completed)
      swarm service inspect -f '{{.UpdateStatus.Message}}' "${STACK}_api" >&2
      die "Swarm rolled the update to $tag back: every task runs $(running_version) again (see make swarm-ps)" ;;
    completed|'') log "every api task runs $tag" ;;
    *) die "update ended in state $state" ;;
  esac
}

cmd_build() { # <tag>
  local tag=$1
  log "building $API_IMAGE_REPO:$tag${NEVER_READY:+ with NEVER_READY=$NEVER_READY}"
  API_VERSION=$tag compose build --quiet ${NEVER_READY:+--build-arg NEVER_READY=$NEVER_READY} api
  echo "Next: make swarm-deploy VERSION=$tag"
}

cmd_scale() { # <n>
  [[ "$1" =~ ^[0-9]+$ ]] || die "N=$1: expected a number of api tasks"
  swarm service scale --detach "${STACK}_api=$1" >/dev/null
  wait_converged >/dev/null
  cmd_ps
}

cmd_ps() {
  # Tasks per node: the running ones, grouped by the node they landed on.
  swarm node ls --format '{{.Hostname}} {{.Status}} {{.Availability}}' | while read -r node status avail; do
    printf '%-8s %-6s %-7s %s\n' "$node" "$status" "$avail" \
      "$(swarm node ps --filter desired-state=running --format '{{.Name}}' "$node" 2>/dev/null | sed "s/^${STACK}_//" | sort -V | paste -sd' ' -)"
  done
}

# task_logs <task-id> <file>: one task's log, bounded, retried once. `docker service logs` intermittently never
# ends its stream (moby/moby#38640, docker/cli#4678; seen here after a node was lost and came back), so each
# task is read on its own, in parallel: a hung stream costs that task's lines for one bound, not the whole answer.
task_logs() {
  local try
  for try in 1 2; do
    timeout "${SWARM_LOG_TIMEOUT_SEC:-15}" env DOCKER_HOST="$(manager_host)" docker service logs --timestamps --no-trunc \
      --since "${SWARM_LOG_SINCE:-30m}" --tail "${SWARM_LOG_TAIL:-2000}" "$1" > "$2" 2>&1 && return 0
    [ "$try" = 1 ] && : > "$2"
  done
  printf '    (the log of task %s did not arrive within %s s, twice)\n' "$1" "${SWARM_LOG_TIMEOUT_SEC:-15}" >&2
}

cmd_logs() { # [request-id]
  local id=${1:-} svc task dir
  dir=$(mktemp -d); trap 'rm -rf "$dir"' RETURN
  # `docker service logs` through the manager fetches each task's log from whichever node runs it: Swarm's own way.
  # Every task of the stack that should be running, each prefixed with service.slot.task@node; merged by timestamp.
  for svc in $(swarm service ls --filter "label=com.docker.stack.namespace=$STACK" --format '{{.Name}}'); do
    for task in $(swarm service ps -q --filter desired-state=running "$svc"); do task_logs "$task" "$dir/$task" & done
  done
  wait
  cat "$dir"/* 2>/dev/null | if [ -n "$id" ]; then grep -F -- "$id" || die "no log line carries the request id $id"; else cat; fi \
    | awk '{ ts=""; for (i=1;i<=NF;i++) if ($i ~ /^[0-9]{4}-[0-9]{2}-[0-9]{2}T/) { ts=$i; break } print ts "\t" $0 }' | sort -s -k1,1 | cut -f2-
}

node_id() { # <hostname>
  local id list
  list=$(swarm node ls --format '{{.ID}} {{.Hostname}}') || die "cannot list the swarm's nodes through $(manager_host) (the error is above)"
  id=$(awk -v n="$1" '$2 == n {print $1}' <<<"$list")
  [ -n "$id" ] || die "no node named $1 (make swarm-ps lists them)"
  echo "$id"
}

cmd_availability() { # drain|active <node>
  local id
  id=$(node_id "$2")
  swarm node update --availability "$1" "$id" >/dev/null
  log "$2: $1"
  if [ "$1" = drain ]; then
    # The orchestrator moves the tasks asynchronously: wait until none is meant to run there any more, and then
    # until none still runs there. A drained task stops within its grace period, and until it has, `service ls`
    # counts it as running: the convergence check below would pass before the replacements are up.
    for _ in $(seq 1 120); do
      [ -z "$(swarm node ps -q --filter desired-state=running "$id" 2>/dev/null)" ] \
        && ! swarm node ps --format '{{.CurrentState}}' "$id" 2>/dev/null | grep -q '^Running' && break
      sleep 1
    done
  fi
  sleep 2
  wait_converged >/dev/null
  cmd_ps
}

cmd_down() {
  if [ "$LOCAL" = 1 ]; then
    # Removing the nodes removes the stack with them, whatever it was doing (an update included).
    "$here/local-swarm.sh" down
  else
    swarm stack rm "$STACK"
  fi
}

case "${1:-}" in
  up) cmd_up ;;
  deploy) cmd_deploy "${2:?usage: swarm.sh deploy <tag>}" ;;
  build) cmd_build "${2:?usage: swarm.sh build <tag>}" ;;
  scale) cmd_scale "${2:?usage: swarm.sh scale <n>}" ;;
  ps) cmd_ps ;;
  logs) cmd_logs "${2:-}" ;;
  drain) cmd_availability drain "${2:?usage: swarm.sh drain <node>}" ;;
  activate) cmd_availability active "${2:?usage: swarm.sh activate <node>}" ;;
  config) f=$(stack_file); cat "$f" ;;
  down) cmd_down ;;
  *) die "usage: $0 up|deploy <tag>|build <tag>|scale <n>|ps|logs [id]|drain <node>|activate <node>|config|down" ;;
esac
