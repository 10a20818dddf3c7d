#!/usr/bin/env bash
# Blue-green and canary releases with two api pools: blue (compose service `api`, nginx `upstream api`) and
# green (service `api-green`, profile green, nginx `upstream api_green`). nginx sends each request to one pool,
# by a split_clients percentage that switch-api-pool rewrites and reloads (nginx/conf.d/15-api-pool.conf).
#
#   pools.sh canary <0..100> [version]  start green (with [version], if it is not running) and send it PCT %
#   pools.sh switch                     flip ALL traffic to the other pool: green if it has less than 100 %, else blue
#   pools.sh promote                    finish: 100 % green. Blue keeps running as the instant way back (make switch)
#   pools.sh rollback                   undo: 100 % blue, then drain and remove the green pool
#
# Why each step:
#  - A pool gets traffic only after every worker in it answers /readyz (lib.sh wait_ready); nginx open source
#    cannot health-check it for us, and a container being "healthy" (liveness) does not mean ready.
#  - The switch is an nginx reload: new workers take the new split, old ones finish their in-flight requests,
#    so each request goes to exactly one pool and none is dropped (https://nginx.org/en/docs/control.html).
#  - Green is drained only after nginx stopped sending it requests, so its drain sees no new ones.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pool_percent() { compose exec -T nginx switch-api-pool --show; }
set_percent() { compose exec -T nginx switch-api-pool "$1" | sed 's/^/    /'; }

# Gate: every container of a pool exists and is ready, else fail without touching nginx.
require_ready() {
    local service=$1 container
    mapfile -t pool < <(containers_of "$service")
    [ "${#pool[@]}" -gt 0 ] || die "the $service pool has no running container${2:+: $2}"
    for container in "${pool[@]}"; do
        wait_ready "$container" || die "$container is not ready, traffic not moved: $LAST_PROBE"
    done
    log "$service: ${#pool[@]} containers, every worker ready (version $(version_of "${pool[0]}"))"
}

start_green() {
    local version=$1
    if [ -n "$(containers_of api-green)" ]; then
        local running; running=$(version_of "$(containers_of api-green | head -n1)")
        [ -z "$version" ] || [ "$version" = "$running" ] || die "green already runs $running; make rollback first to start $version"
        return 0
    fi
    [ -n "$version" ] || die "green is not running: give the version to start, e.g. make canary PCT=10 VERSION=v2"
    if ! docker image inspect "$API_IMAGE_REPO:$version" >/dev/null 2>&1; then
        say "building $API_IMAGE_REPO:$version"
        # Built through the blue service: same Dockerfile, same build args (offline too), same tag scheme.
        API_VERSION=$version compose build --quiet api
    fi
    say "starting the green pool with $version"
    API_GREEN_VERSION=$version compose --progress quiet --profile green up -d --no-deps --wait --wait-timeout "$READY_TIMEOUT_SEC" api-green \
        || die "the green pool did not become healthy (make ps; make logs S=api-green)"
}

action=${1:?usage: pools.sh canary <pct> [version] | switch | promote | rollback}
started=$(date +%s)
case $action in
    canary)
        pct=${2:?usage: pools.sh canary <0..100> [version]}
        start_green "${3:-}"
        require_ready api-green
        say "canary: $pct % of requests to green"
        set_percent "$pct"
        ;;
    promote)
        require_ready api-green "start it with make canary PCT=<n> VERSION=<v>"
        say "promote: all requests to green"
        set_percent 100
        log "blue keeps running idle: make switch goes back to it at once; make scale N= or make down frees it"
        ;;
    switch)
        if [ "$(pool_percent)" -lt 100 ]; then target=100 service=api-green; else target=0 service=api; fi
        require_ready "$service"
        say "switch: all requests to $service"
        set_percent "$target"
        ;;
    rollback)
        require_ready api
        say "rollback: all requests to blue"
        set_percent 0
        # Old nginx workers finish the requests they already sent to green; the green workers drain those too.
        for container in $(containers_of api-green); do drain_and_remove "$container"; done
        ;;
    *) die "unknown action '$action' (canary, switch, promote, rollback)" ;;
esac
say "green now gets $(pool_percent) % of requests ($(( $(date +%s) - started )) s). See X-Served-By (api-green-N) or curl 127.0.0.1:${HTTP_PORT:-8080}/whoami"
