#!/bin/sh
# switch-lb-strategy: choose the load-balancing method of nginx's upstream "api", live and safely.
#
# Installed in the nginx container as /usr/local/bin/switch-lb-strategy (compose mounts this file there).
#
#   switch-lb-strategy <strategy>       relink, `nginx -t`, graceful `nginx -s reload`; restores the old link
#                                       if the test or the reload fails
#   switch-lb-strategy --show           print the active strategy name (nothing else: scriptable)
#   switch-lb-strategy --list           print the available strategy names, one per line
#   switch-lb-strategy --init <name>    link only, for the entrypoint hook (nginx is not running yet)
#
# From the host:  docker compose exec nginx switch-lb-strategy least_conn   (or: make lb LB=least_conn)
#
# How it works: the upstream block includes /etc/nginx/strategy/active.conf, a symlink to one of
# /etc/nginx/strategies/<name>.conf. Choosing a strategy is choosing a file, never editing text.
# `nginx -s reload` is graceful: the master starts new workers with the new config, and the old workers stop
# accepting, finish every request they already have, then exit. No request is dropped.
# https://nginx.org/en/docs/control.html#reconfiguration
#
# The switch lives only as long as the container: a restart re-runs the entrypoint hook, which links LB_STRATEGY
# again. To make a choice permanent, set LB_STRATEGY in the environment (.env) and recreate the container.
#
# POSIX sh: runs on Debian (dash) and Alpine (busybox) nginx images alike.
set -eu

STRATEGIES_DIR=${LB_STRATEGIES_DIR:-/etc/nginx/strategies}
ACTIVE_LINK=${LB_ACTIVE_LINK:-/etc/nginx/strategy/active.conf}
NGINX_BIN=${NGINX_BIN:-nginx}
LOCK_DIR=${LB_SWITCH_LOCK_DIR:-/tmp/switch-lb-strategy.lock}

PROG=switch-lb-strategy

# log, die, take_lock, test_and_reload: shared with switch-api-pool (nginx/bin/nginx-change.sh).
. "${NGINX_CHANGE_LIB:-/usr/local/lib/nginx-change.sh}"

usage() {
    cat >&2 <<EOF
usage: $PROG <strategy> | --show | --list | --init <strategy>
strategies: $(list_strategies | tr '\n' ' ')
EOF
}

list_strategies() {
    for file in "$STRATEGIES_DIR"/*.conf; do
        [ -f "$file" ] || continue
        name=${file##*/}
        printf '%s\n' "${name%.conf}"
    done
}

# Prints the active strategy's name; fails if the link is missing.
active_strategy() {
    target=$(readlink "$ACTIVE_LINK" 2>/dev/null) || return 1
    name=${target##*/}
    printf '%s\n' "${name%.conf}"
}

# Fails loudly unless $1 names a file in the strategies directory. The character check comes first so a value
# like "../x" or "a b" can never be turned into a path.
validate() {
    case $1 in
        '' | *[!a-z_]*)
            die "invalid strategy name '$1' (lowercase letters and _ only); available: $(list_strategies | tr '\n' ' ')" ;;
    esac
    [ -f "$STRATEGIES_DIR/$1.conf" ] ||
        die "unknown strategy '$1'; available: $(list_strategies | tr '\n' ' ')(files in $STRATEGIES_DIR)"
}

# Points the active link at $1's file. A new link is created beside the old one and renamed over it: rename(2)
# is atomic, so a concurrent `nginx -t` or reload never sees a missing include.
# It also writes the strategy's NAME as an nginx variable ($lb_strategy, in active-name.conf beside the link), which
# conf.d/30-internal.conf serves as the metric scaleout_lb_strategy_info{strategy="..."}: Prometheus then knows
# which strategy was active when, and the dashboard can split any series by strategy.
link_strategy() {
    link_dir=${ACTIVE_LINK%/*}
    mkdir -p "$link_dir" 2>/dev/null || true
    if [ ! -d "$link_dir" ] || [ ! -w "$link_dir" ]; then
        die "$link_dir is not a writable directory (mount a tmpfs there, e.g. compose 'tmpfs: [/etc/nginx/strategy]')"
    fi
    tmp_link="$link_dir/.active.conf.$$"
    ln -s "$STRATEGIES_DIR/$1.conf" "$tmp_link"
    mv -f "$tmp_link" "$ACTIVE_LINK"
    # validate() allowed only [a-z_] in the name, so it is safe inside the quotes.
    tmp_name="$link_dir/.active-name.conf.$$"
    printf 'set $lb_strategy "%s";\n' "$1" >"$tmp_name"
    mv -f "$tmp_name" "$link_dir/active-name.conf"
}

# Puts the previous state back: the old link, or no link if there was none.
restore() {
    if [ -n "${1:-}" ]; then
        link_strategy "$1"
    else
        rm -f "$ACTIVE_LINK"
    fi
}

switch_live() {
    new=$1
    validate "$new"

    take_lock

    old=$(active_strategy || true)
    if [ "$old" = "$new" ]; then
        log "$new is already active; nothing to do"
        printf 'active: %s\n' "$new"
        return 0
    fi

    link_strategy "$new"
    test_and_reload "restore $old" "strategy '$new'" "'${old:-none}'"

    log "switched ${old:-none} -> $new; nginx reloads gracefully (in-flight requests finish on the old workers)"
    printf 'active: %s\n' "$new"
}

[ $# -ge 1 ] || { usage; exit 2; }

case $1 in
    --show)
        active_strategy || die "no active strategy: $ACTIVE_LINK is missing (did the entrypoint hook run?)"
        ;;
    --list)
        list_strategies
        ;;
    --init)
        [ $# -eq 2 ] || { usage; exit 2; }
        validate "$2"
        link_strategy "$2"
        log "active strategy: $2 ($ACTIVE_LINK -> $STRATEGIES_DIR/$2.conf)"
        ;;
    -h | --help)
        usage
        ;;
    -*)
        usage
        exit 2
        ;;
    *)
        [ $# -eq 1 ] || { usage; exit 2; }
        switch_live "$1"
        ;;
esac
