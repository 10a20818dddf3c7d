#!/usr/bin/env bash
# Checks the ports the stack is about to publish, BEFORE anything starts, and names the one that is wrong:
#   tools/host/check-ports.sh <bind-address> NAME=port [NAME=port ...]     (make up: HTTP_PORT, HTTPS_PORT, ...)
# Fails when a value is not a port, when two variables name the same port, or when something other than this
# compose project (COMPOSE_PROJECT_NAME) already listens on one. Without it, Docker reports "port is already
# allocated" only after the services before nginx have started: a half-started stack.
# OWNER_LABEL names whose containers' ports count as ours (default: the compose project's label); make swarm-up
# passes its local swarm's label, org.scaleout.swarm=<SWARM_NAME>.
set -euo pipefail
bind=$1; shift
owner=${OWNER_LABEL:-com.docker.compose.project=${COMPOSE_PROJECT_NAME:-scaleout}}
# The ports the owner's running containers publish already (`make up` on a running stack is fine).
ours=$(docker ps --filter "label=$owner" --format '{{.Ports}}' 2>/dev/null | tr ',' '\n' || true)
# Where to knock: the bind address itself, or loopback when binding to every interface.
case "$bind" in 0.0.0.0|'*'|'') host=127.0.0.1 ;; *) host=$bind ;; esac

declare -A seen=()
status=0
for pair in "$@"; do
  name=${pair%%=*} port=${pair#*=}
  if ! [[ "$port" =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then
    echo "check-ports: $name=$port is not a port number (1-65535)" >&2; status=2; continue
  fi
  if [ -n "${seen[$port]:-}" ]; then
    echo "check-ports: $name=$port clashes with ${seen[$port]}=$port: give each its own port" >&2; status=2; continue
  fi
  seen[$port]=$name
  if grep -qE "(^|[ :])$port->" <<<"$ours"; then continue; fi
  # Something accepts a connection there: another program, or another copy of the stack.
  if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
    echo "check-ports: $name=$port: port $port on $host is already in use by another program or stack; set $name to a free port (in .env or on the command line)" >&2
    status=2
  fi
done
exit $status
