#!/usr/bin/env bash
# make reload: pm2's graceful reload inside every api replica, one replica at a time, one worker at a time.
#
# Per replica:
#   1. `pm2 reload api --parallel 1` inside the container. pm2 starts a new worker, waits for its
#      process.send('ready') (wait_ready), then sends the old one the shutdown message and lets it drain.
#      --parallel 1: pm2 reloads PM2_CONCURRENT_ACTIONS processes at once, 2 by default (pm2 constants.js),
#      which is BOTH workers of a 2-CPU replica: the replica would briefly have no old worker left.
#   2. Our own readiness gate: pm2 moves on after listen_timeout even if the new worker never became ready
#      (lib/God/Reload.js, https://github.com/Unitech/pm2/issues/6129), so we ask every worker's /readyz
#      before touching the next replica. A replica that fails the gate stops the rollout, leaving the
#      other replicas as they were.
# The other replicas keep serving the whole time, and within the replica the other worker does, so nginx
# never runs out of somewhere to send a request.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mapfile -t replicas < <(containers_of api)
[ "${#replicas[@]}" -gt 0 ] || die "no running api container in project $PROJECT (make up first)"

started=$(date +%s)
for container in "${replicas[@]}"; do
    say "pm2 reload in $container (one worker at a time)"
    # pm2 talks to the pm2-runtime daemon of the container through its socket in PM2_HOME (/tmp/pm2).
    docker exec "$container" node /app/node_modules/pm2/bin/pm2 reload api --parallel 1 >/dev/null \
        || die "pm2 reload failed in $container; the replicas after it were not touched"
    wait_ready "$container" || die "$container is not ready after its reload: $LAST_PROBE; the replicas after it were not touched"
    log "ready: $LAST_PROBE"
done
say "reloaded ${#replicas[@]} replicas in $(( $(date +%s) - started )) s; new pids: make ps, or curl -si 127.0.0.1:\$HTTP_PORT/whoami"
