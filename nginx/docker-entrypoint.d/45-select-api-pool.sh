#!/bin/sh
# Writes the api pools' server lines and the blue/green split (conf.d/10-upstream.conf, conf.d/15-api-pool.conf)
# before nginx starts. Runs after 40-select-lb-strategy.sh, like it through the official image's
# /docker-entrypoint.d contract (a failing hook stops the container).
# https://github.com/nginx/docker-nginx/blob/master/entrypoint/docker-entrypoint.sh
#
# API_UPSTREAM_HOST / API_GREEN_UPSTREAM_HOST: the DNS names nginx re-resolves for each pool's replicas
# (default api / api-green, compose's service names). On Docker Swarm they are tasks.api / tasks.api-green:
# `tasks.<service>` is every task's own address whatever the endpoint mode, where the bare name is one virtual
# IP under the default (vip) mode, which would leave nginx one peer and nothing to choose (swarm/README.md).
# Only a DNS name is accepted: the value lands in nginx's config.
set -eu
for pool in api:"${API_UPSTREAM_HOST:-api}" api_green:"${API_GREEN_UPSTREAM_HOST:-api-green}"; do
    name=${pool%%:*} host=${pool#*:}
    case "$host" in
        ''|*[!A-Za-z0-9.-]*) echo "$0: error: upstream host '$host' for $name is not a DNS name" >&2; exit 1 ;;
    esac
    printf '# Written by 45-select-api-pool.sh at start; see conf.d/10-upstream.conf.\nserver %s:3000 resolve max_fails=3 fail_timeout=10s;\n' \
        "$host" > "/etc/nginx/pool/servers-$name.conf"
done
exec /usr/local/bin/switch-api-pool --init "${API_GREEN_PERCENT:-0}"
