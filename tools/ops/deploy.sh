#!/usr/bin/env bash
# make deploy VERSION=<v>: rolling replacement of the api containers by image $API_IMAGE_REPO:<v> (scaleout/api unless set), one at a time.
#
# Why not `docker compose up` with the new image? Compose recreates the containers of a service together: it
# ignores deploy.update_config, which only Swarm honours (https://github.com/docker/compose/issues/11016), so
# every replica would stop at once. Instead, per old replica:
#   1. Start ONE new container beside it: `compose up --scale api=<n+1> --no-recreate` adds a container with
#      the new image and leaves the others alone.
#   2. Gate: wait until Docker calls it healthy AND every pm2 worker in it answers /readyz 200
#      (probe-readiness.cjs). It joined Docker's DNS when it started, so nginx (`resolve`, re-read every 2 s)
#      already sends it requests; until its workers listen those connections are refused and nginx retries
#      them on another replica. nginx open source has no active health checks, so this is as close to "add it
#      to the upstream only once healthy" as DNS membership gets.
#   3. Hand the old container's slot on hash_consistent's ring to the new one (lib.sh ring_hand_over), so the
#      keys it served stay on that slot: the ring is built over slot names, not over api-1..N, which a deploy renumbers.
#   4. Drain the old container (docker stop: pm2 drains every worker) and remove it (lib.sh drain_and_remove).
# A new container that is not ready within READY_TIMEOUT_SEC is a broken release: it is drained and removed,
# the replicas already replaced go back to the previous version the same way, and the deploy fails loudly.
# No old replica is ever stopped before its replacement passed the gate, so a broken release never replaces a
# healthy worker (pm2's own reload would: it stops the old worker after listen_timeout whether or not the new
# one became ready, lib/God/Reload.js).
#
# A version is immutable: the image is built only when the tag does not exist yet. Rebuild = new VERSION.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VERSION=${1:?usage: deploy.sh <version>}
case $VERSION in *[!A-Za-z0-9_.-]* | '') die "VERSION '$VERSION': use letters, digits, . _ - (it becomes an image tag)";; esac

mapfile -t old < <(containers_of api)
[ "${#old[@]}" -gt 0 ] || die "no running api container in project $PROJECT (make up first)"
previous=$(version_of "${old[0]}")

if ! docker image inspect "$API_IMAGE_REPO:$VERSION" >/dev/null 2>&1; then
    say "building $API_IMAGE_REPO:$VERSION"
    API_VERSION=$VERSION compose build --quiet api
fi

started=$(date +%s)
replaced=0
for container in "${old[@]}"; do
    if [ "$(version_of "$container")" = "$VERSION" ]; then log "$container already runs $VERSION"; continue; fi
    mapfile -t before < <(containers_of api)
    say "starting a $VERSION replica to replace $container"
    API_VERSION=$VERSION compose --progress quiet up -d --no-deps --no-recreate --scale "api=$(( ${#before[@]} + 1 ))" api
    new=$(comm -13 <(printf '%s\n' "${before[@]}" | sort) <(containers_of api | sort))
    [ -n "$new" ] || die "compose started no new api container"

    if ! wait_healthy_and_ready "$new"; then
        printf '\n\033[1;31mROLLBACK: %s (version %s) never became ready within %s s: %s\033[0m\n' \
            "$new" "$VERSION" "$READY_TIMEOUT_SEC" "$LAST_PROBE" >&2
        drain_and_remove "$new"
        if [ "$replaced" -gt 0 ] && [ -z "${DEPLOY_ROLLING_BACK:-}" ]; then
            say "putting the $replaced replaced replicas back on $previous"
            DEPLOY_ROLLING_BACK=1 "$0" "$previous" || die "rollback to $previous failed too: check make ps"
        fi
        die "deploy of $VERSION rolled back: every replica still runs $previous, no healthy worker was replaced"
    fi
    log "$new healthy and ready: $LAST_PROBE"
    ring_hand_over "$container" "$new"
    say "draining $container ($(version_of "$container"))"
    drain_and_remove "$container"
    replaced=$(( replaced + 1 ))
done
say "deployed $VERSION to ${#old[@]} replicas in $(( $(date +%s) - started )) s (was $previous)"
printf 'Next: curl -s 127.0.0.1:%s/whoami (version), make ps; undo with make deploy VERSION=%s\n' "${HTTP_PORT:-8080}" "$previous"
