#!/usr/bin/env bash
# make p2p: tools/p2p/src/peerClient.ts (compiled) in a container of the api image on the stack's network, so it
# resolves the api replicas through Docker's DNS as nginx does. Mounted as .mjs: the folder has no package.json saying "type": "module". STOP=<n> stops replica n a third of the way in
# (docker stop: the app drains, then exits) and starts it again after; nginx's view of the same moment is in its
# access log and in Grafana's "Responses by status per replica".
set -euo pipefail
. "$(dirname "$0")/../ops/lib.sh"

duration=${DURATION:-10}
stop=${STOP:-}
network="${PROJECT}_default"
image=$(docker inspect --format '{{.Config.Image}}' "$(containers_of api | head -n1)") || die "no running api container in project $PROJECT (make up first)"
build_dir="$(cd "$(dirname "$0")/../build/tools/p2p/src" && pwd)"

if [ -n "$stop" ]; then
    victim="${PROJECT}-api-${stop}"
    docker inspect "$victim" >/dev/null 2>&1 || die "no replica $victim (STOP is a replica number: make ps lists them)"
    ( sleep "$(( duration / 3 ))"; say "stopping $victim (the client is not told)"; docker stop "$victim" >/dev/null ) &
    stopper=$!
fi
docker run --rm --network "$network" -e DURATION="$duration" -v "$build_dir/peerClient.js:/p2p/peerClient.mjs:ro" --entrypoint node "$image" /p2p/peerClient.mjs
if [ -n "$stop" ]; then
    wait "$stopper"
    say "starting $victim again"
    docker start "$victim" >/dev/null
    wait_ready "$victim" || die "$victim did not become ready again: $LAST_PROBE"
fi
say "Next: the same minute through nginx: make loadtest while one replica stops (lab 04), and compare who noticed"
