#!/bin/sh
# Writes the blue/green split (conf.d/15-api-pool.conf) before nginx starts: API_GREEN_PERCENT (default 0, all
# blue) percent of the requests go to the green pool. Runs after 40-select-lb-strategy.sh, like it through the
# official image's /docker-entrypoint.d contract (a failing hook stops the container).
# https://github.com/nginx/docker-nginx/blob/master/entrypoint/docker-entrypoint.sh
set -eu
exec /usr/local/bin/switch-api-pool --init "${API_GREEN_PERCENT:-0}"
