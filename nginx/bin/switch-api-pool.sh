#!/bin/sh
# switch-api-pool: how many percent of the requests nginx sends to the green api pool, live and safely.
#
# Installed in the nginx container as /usr/local/bin/switch-api-pool (compose mounts this file there).
#
#   switch-api-pool <0..100>        write the split, `nginx -t`, graceful `nginx -s reload`; restores the old
#                                   split if the test or the reload fails
#   switch-api-pool --show          print the green percentage (nothing else: scriptable)
#   switch-api-pool --init <0..100> write only, for the entrypoint hook (nginx is not running yet)
#
# From the host: make canary PCT=10, make promote (100), make rollback (0), make switch (0 <-> 100).
#
# The split is a generated split_clients block (conf.d/15-api-pool.conf explains it). The percentage is
# checked to be a whole number from 0 to 100 before it is written, so what nginx reads is always one of three
# shapes: all blue, all green, or "<n>% green, the rest blue". Lives as long as the container, like a strategy.
#
# POSIX sh: runs on Debian (dash) and Alpine (busybox) nginx images alike.
set -eu

SPLIT_FILE=${API_POOL_SPLIT_FILE:-/etc/nginx/pool/split.conf}
NGINX_BIN=${NGINX_BIN:-nginx}
LOCK_DIR=${API_POOL_LOCK_DIR:-/tmp/switch-api-pool.lock}
PROG=switch-api-pool

# log, die, take_lock, test_and_reload: shared with switch-lb-strategy (nginx/bin/nginx-change.sh).
# shellcheck source=nginx-change.sh
. "${NGINX_CHANGE_LIB:-/usr/local/lib/nginx-change.sh}"

validate() {
    case $1 in '' | *[!0-9]*) die "percentage '$1' is not a whole number from 0 to 100" ;; esac
    [ "$1" -le 100 ] || die "percentage '$1' is above 100"
}

# The green share recorded in the file's first line ("# green_percent=<n>"); fails if there is no file.
current() { sed -n '1s/^# green_percent=\([0-9]*\).*/\1/p' "$SPLIT_FILE" 2>/dev/null | grep . ; }

# Writes the split for $1 % green beside the old file and renames it over: rename(2) is atomic, so a
# concurrent `nginx -t` or reload never reads a half-written file.
write_split() {
    dir=${SPLIT_FILE%/*}
    if [ ! -d "$dir" ] || [ ! -w "$dir" ]; then
        die "$dir is not a writable directory (mount a tmpfs there, e.g. compose 'tmpfs: [/etc/nginx/pool]')"
    fi
    tmp="$dir/.split.conf.$$"
    {
        printf '# green_percent=%s (written by %s; see conf.d/15-api-pool.conf)\n' "$1" "$PROG"
        # shellcheck disable=SC2016 # nginx's variables, written as they are for nginx to expand
        printf 'split_clients "${request_id}" $api_pool {\n'
        # split_clients has no 0% entry, so the two ends are a single catch-all.
        case $1 in
            0) printf '    * api;\n' ;;
            100) printf '    * api_green;\n' ;;
            *) printf '    %s%% api_green;\n    * api;\n' "$1" ;;
        esac
        printf '}\n'
    } > "$tmp"
    mv -f "$tmp" "$SPLIT_FILE"
}

switch_live() {
    validate "$1"
    take_lock
    old=$(current || echo 0)
    write_split "$1"
    test_and_reload "write_split $old" "green at $1%" "$old%"
    log "green ${old}% -> $1%; nginx reloads gracefully (in-flight requests finish on the old workers)"
    printf 'green: %s%%\n' "$1"
}

[ $# -ge 1 ] || die "usage: $PROG <0..100> | --show | --init <0..100>"
case $1 in
    --show) current || die "no split: $SPLIT_FILE is missing (did the entrypoint hook run?)" ;;
    --init) [ $# -eq 2 ] || die "usage: $PROG --init <0..100>"; validate "$2"; write_split "$2"; log "green: $2%" ;;
    -*) die "usage: $PROG <0..100> | --show | --init <0..100>" ;;
    *) switch_live "$1" ;;
esac
