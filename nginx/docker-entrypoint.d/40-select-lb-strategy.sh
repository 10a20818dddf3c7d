#!/bin/sh
# Selects the upstream load-balancing method from LB_STRATEGY before nginx starts.
#
# The official nginx image's /docker-entrypoint.sh runs every executable *.sh in /docker-entrypoint.d/ in
# lexical order before starting nginx, and stops the container if one fails (it runs under `set -e`).
# Compose mounts this file there; 40- runs after the image's own 10-/20-/30- hooks.
# https://github.com/nginx/docker-nginx/blob/master/entrypoint/docker-entrypoint.sh
#
# LB_STRATEGY: round_robin (default) or any other file name in
# /etc/nginx/strategies without .conf. An unknown name stops the container with the list of valid ones,
# rather than silently falling back to a default and running a different experiment than the one asked for.
#
# The validation and linking live in one place, switch-lb-strategy (nginx/bin/switch-lb-strategy.sh, mounted at
# /usr/local/bin/switch-lb-strategy), which also does live switches; this hook only calls it.
set -eu

SWITCH=/usr/local/bin/switch-lb-strategy

if [ ! -x "$SWITCH" ]; then
    echo "$0: error: $SWITCH is missing or not executable (mount nginx/bin/switch-lb-strategy.sh there)" >&2
    exit 1
fi

exec "$SWITCH" --init "${LB_STRATEGY:-round_robin}"
