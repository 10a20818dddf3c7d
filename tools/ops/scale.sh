#!/usr/bin/env bash
# make scale N=<n>: change the number of api replicas under load, nothing dropped either way.
#
# Up:   `compose up --scale api=N --no-recreate` adds containers and leaves the running ones alone. They join
#       Docker's DNS at once; nginx (`resolve`, valid=2s) and Prometheus (dns_sd, refresh 5 s) follow with no
#       reload. Each new one joins hash_consistent's ring (the lowest free slot, lib.sh ring_sync) once it is
#       ready. New containers run the version the others run, not whatever API_VERSION says now, so scaling
#       after a `make deploy` does not mix versions. Done when each new one is healthy and every worker ready.
# Down: plain `compose up --scale` would stop the removed replicas all at once. Here they are drained one at a
#       time (lib.sh drain_and_remove: SIGTERM -> pm2 drains every worker -> the container leaves the
#       network), the highest-numbered first, as compose would pick them.
# Both: wait until Prometheus scrapes exactly N blue targets, and give nginx's resolver cache (2 s) time, so
#       the command returns when the new membership is what everything sees.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=${1:?usage: scale.sh <replicas>}
case $N in '' | *[!0-9]* | 0) die "N must be a whole number >= 1 (got '$N'); make down stops everything" ;; esac

mapfile -t current < <(containers_of api)
[ "${#current[@]}" -gt 0 ] || die "no running api container in project $PROJECT (make up first)"
version=$(version_of "${current[0]}")
started=$(date +%s)

if [ "$N" -gt "${#current[@]}" ]; then
    say "scaling api up: ${#current[@]} -> $N replicas (version $version)"
    API_VERSION=$version compose --progress quiet up -d --no-deps --no-recreate --scale "api=$N" api
    for container in $(comm -13 <(printf '%s\n' "${current[@]}" | sort) <(containers_of api | sort)); do
        wait_healthy_and_ready "$container" || die "$container is not ready: $LAST_PROBE (make ps; make logs S=api)"
        log "$container healthy and ready"
    done
    # Only now on hash_consistent's ring: a slot takes its share of the keys the moment nginx resolves it.
    ring_sync
elif [ "$N" -lt "${#current[@]}" ]; then
    say "scaling api down: ${#current[@]} -> $N replicas, draining the removed ones first"
    for container in $(printf '%s\n' "${current[@]}" | tail -n $(( ${#current[@]} - N )) | sort -rV); do
        drain_and_remove "$container"
    done
else
    log "already $N replicas"
fi

# Prometheus: the blue pool's targets come from the DNS name "api" (prometheus/prometheus.yml).
deadline=$(( $(date +%s) + 30 ))
until [ "$(curl -fsS "http://127.0.0.1:${PROMETHEUS_PORT:-9090}/api/v1/targets?state=active" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const t = JSON.parse(s).data.activeTargets.filter((t) => t.labels.job === "api" && t.discoveredLabels.__meta_dns_name === "api" && t.health === "up");
      console.log(t.length);
    });')" = "$N" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "Prometheus does not see $N healthy api targets after 30 s (http://127.0.0.1:${PROMETHEUS_PORT:-9090}/targets)"
    sleep 1
done
sleep 2 # nginx's resolver cache (valid=2s, nginx/nginx.conf)
say "api runs $N replicas ($(( $(date +%s) - started )) s); Prometheus scrapes all of them"
compose ps api
