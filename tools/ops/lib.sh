# shellcheck shell=bash
# Shared helpers of the zero-downtime operations (tools/ops/*.sh). Sourced, not run.
#
# The Makefile hands over the exact compose command it uses (with or without compose.offline.yaml) in COMPOSE,
# and the project name in COMPOSE_PROJECT_NAME, so these scripts act on the same stack as `make up`.
set -euo pipefail

: "${COMPOSE:?COMPOSE is not set: run the operations through make (make reload, make deploy, ...)}"
PROJECT=${COMPOSE_PROJECT_NAME:-scaleout}
# The api image's repository (compose.yaml: ${API_IMAGE_REPO:-scaleout/api}:${API_VERSION}).
API_IMAGE_REPO=${API_IMAGE_REPO:-scaleout/api}
OPS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Longer than a cold worker start on 2 shared CPUs (~1-2 s) plus pm2's listen_timeout (10 s), so a slow but
# good release is never mistaken for a broken one.
READY_TIMEOUT_SEC=${READY_TIMEOUT_SEC:-30}
# docker stop's grace: the same 30 s as compose's stop_grace_period, above pm2's kill_timeout (drain + 5 s).
STOP_TIMEOUT_SEC=${STOP_TIMEOUT_SEC:-30}

# say, log, die: the scripts' shared output helpers.
# shellcheck source=../lib/common.sh
. "$OPS_DIR/../lib/common.sh"

# The compose command, split into words on purpose (it is a command line, not one word).
compose() { $COMPOSE "$@"; }

# Running containers of a compose service, in replica order (api-1, api-2, ..., api-10).
containers_of() {
    docker ps --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1" \
        --format '{{.Names}}' | sort -V
}

# The APP_VERSION a container runs (compose sets it from API_VERSION; it is also the image tag).
version_of() {
    docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$1" | sed -n 's/^APP_VERSION=//p'
}

# One readiness probe of every worker in a container (tools/ops/probe-readiness.cjs); prints its JSON line.
probe_ready() {
    docker exec -i "$1" node - < "$OPS_DIR/probe-readiness.cjs" 2>&1
}

# Waits until every worker of container $1 answers /readyz 200, at most $2 seconds. On timeout, leaves the
# probe's last verdict in LAST_PROBE and fails.
LAST_PROBE=''
wait_ready() {
    local container=$1 timeout=${2:-$READY_TIMEOUT_SEC} deadline
    deadline=$(( $(date +%s) + timeout ))
    while :; do
        if LAST_PROBE=$(probe_ready "$container"); then return 0; fi
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 1
    done
}

# Docker's health status of a container (healthy, starting, unhealthy).
health_of() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1"; }

# Waits until Docker's healthcheck (liveness, /healthz) says healthy AND every worker is ready (/readyz), at
# most $2 seconds in all. Both: healthy is what `compose up --wait` and restart policies go by; ready is
# what says the new workers may take traffic.
wait_healthy_and_ready() {
    local container=$1 timeout=${2:-$READY_TIMEOUT_SEC} deadline
    deadline=$(( $(date +%s) + timeout ))
    until [ "$(health_of "$container")" = healthy ]; do
        # shellcheck disable=SC2034 # LAST_PROBE is read by the scripts that source this file (scale.sh)
        if [ "$(date +%s)" -ge "$deadline" ]; then LAST_PROBE="Docker health: $(health_of "$container")"; return 1; fi
        sleep 1
    done
    wait_ready "$container" $(( deadline - $(date +%s) > 1 ? deadline - $(date +%s) : 1 ))
}

# Drains and removes one api container, in three steps:
#  1. `pm2 stop api` inside it: pm2 stops every worker with the app's graceful drain (/readyz 503, stop
#     accepting, in-flight requests finish with Connection: close, idle keep-alive sockets closed), bounded by
#     kill_timeout. pm2-runtime itself stays up, so the container keeps its address, now with nothing listening.
#  2. Wait NGINX_FORGET_SEC. Every connection nginx opens to it now is refused at once, which nginx retries on
#     another replica, POSTs included (a refused connection never carried the request), and after max_fails (3)
#     nginx stops choosing it for fail_timeout (10 s): nginx/conf.d/10-upstream.conf.
#     https://nginx.org/en/docs/http/ngx_http_upstream_module.html#max_fails
#  3. `docker stop` (PID 1 exits at once, nothing is left to drain) and `docker rm`. The container leaves Docker's
#     DNS, but nginx keeps the old answer for up to 2 s (resolver valid=2s). Without step 2, nginx could pick the
#     vanished address in that window: the connection times out after proxy_connect_timeout (2 s), nginx's
#     peer list is re-resolved meanwhile, and the retry finds "no live upstreams": a 502 (measured: 15 of 733
#     requests during a scale-down from 5 to 3, before this step existed).
NGINX_FORGET_SEC=${NGINX_FORGET_SEC:-3}
drain_and_remove() {
    local container=$1 started code
    started=$(date +%s)
    docker exec "$container" node /app/node_modules/pm2/bin/pm2 stop api >/dev/null \
        || log "$container: pm2 stop failed; docker stop drains it instead"
    sleep "$NGINX_FORGET_SEC"
    docker stop -t "$STOP_TIMEOUT_SEC" "$container" >/dev/null
    code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
    docker rm "$container" >/dev/null
    log "$container drained and removed in $(( $(date +%s) - started )) s (pm2-runtime exit code $code)"
}

# ---- hash_consistent's ring slots -----------------------------------------------------------------------
# The ring (nginx/strategies/hash_consistent.conf) is one `server <API_RING_PREFIX><k>:3000 resolve` line per slot
# k = 1..API_RING_SIZE (nginx/docker-entrypoint.d/39-generate-api-ring.sh), and a slot is a network ALIAS on the
# compose network `ring`: nginx joins that network in compose.yaml, each api container is connected to it here with
# its slot as the alias. Ketama hashes the server names, so a key's place belongs to the slot, not to the container:
# `make deploy` hands each old container's slot to its replacement (compose numbers those api-4..6, but they hold
# slots 1..3), and the keys stay where they were. Aliases survive container restarts; a container compose
# recreates comes back without one, so every path that creates api containers ends with ring_sync.
# Both settings are read from the running nginx, whose ring they describe (compose.yaml has their one definition).
RING_NET='' RING_PREFIX='' RING_SIZE=''
ring_settings() {
    [ -z "$RING_NET" ] || return 0
    local nginx
    nginx=$(containers_of nginx | head -n 1)
    [ -n "$nginx" ] || die "no running nginx in project $PROJECT: its ring settings decide the slots (make up first)"
    RING_PREFIX=$(docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$nginx" | sed -n 's/^API_RING_PREFIX=//p')
    RING_SIZE=$(docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$nginx" | sed -n 's/^API_RING_SIZE=//p')
    RING_NET=$(docker network ls --filter "label=com.docker.compose.project=$PROJECT" \
        --filter label=com.docker.compose.network=ring --format '{{.Name}}' | head -n 1)
    if [ -z "$RING_PREFIX" ] || [ -z "$RING_SIZE" ] || [ -z "$RING_NET" ]; then
        die "nginx ($nginx) has no ring (API_RING_PREFIX '$RING_PREFIX', API_RING_SIZE '$RING_SIZE', network '$RING_NET'): is it from an older compose.yaml? make up"
    fi
}

# The slot number container $1 holds (its alias on the ring network), or nothing.
ring_slot_of() {
    ring_settings
    docker inspect -f "{{with index .NetworkSettings.Networks \"$RING_NET\"}}{{range .Aliases}}{{println .}}{{end}}{{end}}" "$1" \
        | sed -n "s/^${RING_PREFIX}\([0-9][0-9]*\)\$/\1/p" | head -n 1
}

# Puts container $1 on the ring as slot $2.
ring_join() {
    ring_settings
    docker network connect --alias "$RING_PREFIX$2" "$RING_NET" "$1"
}

# Gives every running api container without a slot the lowest free one, in replica order. Slots held by stopped
# containers count as taken (they come back with them). A container past API_RING_SIZE slots gets none: under
# hash_consistent it takes no share, and this says so.
ring_sync() {
    ring_settings
    local -A taken=()
    local c s
    for c in $(docker ps -a --filter "label=com.docker.compose.project=$PROJECT" --filter label=com.docker.compose.service=api --format '{{.Names}}'); do
        s=$(ring_slot_of "$c")
        [ -z "$s" ] || taken[$s]=$c
    done
    for c in $(containers_of api); do
        [ -z "$(ring_slot_of "$c")" ] || continue
        s=1
        while [ -n "${taken[$s]:-}" ]; do s=$(( s + 1 )); done
        if [ "$s" -gt "$RING_SIZE" ]; then
            log "$c gets no ring slot: all $RING_SIZE are taken (raise API_RING_SIZE); under hash_consistent it takes no share"
            continue
        fi
        ring_join "$c" "$s"
        taken[$s]=$c
        log "$c holds ring slot $RING_PREFIX$s"
    done
}

# make deploy: the new container $2 takes the old container $1's slot before $1 is drained. Both answer for the slot
# meanwhile (ketama gives one name's addresses the same points, nginx#523), so no key moves to another slot; then
# wait out nginx's resolver cache (valid=2s) so nginx knows the new address before the old one stops accepting.
ring_hand_over() {
    local slot
    slot=$(ring_slot_of "$1")
    if [ -z "$slot" ]; then ring_sync; return; fi
    ring_join "$2" "$slot"
    log "$2 takes ring slot $RING_PREFIX$slot over from $1"
    sleep 2.5
}

# The slots and who holds them, for make ring.
ring_show() {
    ring_settings
    local c s
    printf '%-5s %-16s %s\n' slot 'ring name' container
    for c in $(containers_of api); do
        s=$(ring_slot_of "$c")
        if [ -n "$s" ]; then printf '%-5s %-16s %s\n' "$s" "$RING_PREFIX$s" "$c"; else printf '%-5s %-16s %s\n' - '(none)' "$c"; fi
    done | sort -n
}
