# shellcheck shell=sh
# nginx-change: what switch-lb-strategy and switch-api-pool share, sourced by both (POSIX sh, not run alone).
# Installed in the nginx container as /usr/local/lib/nginx-change.sh (compose mounts this file there).
#
# Both change one generated file or link under a tmpfs, then make nginx use it safely: one switch at a time,
# `nginx -t` on the whole configuration first, then a graceful `nginx -s reload`; on any failure the previous
# state is put back and the running nginx keeps its configuration.
# https://nginx.org/en/docs/control.html#reconfiguration
#
# The caller sets PROG (its name, for messages), LOCK_DIR and NGINX_BIN.

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# mkdir is atomic, so a directory works as a lock with nothing but POSIX tools: two concurrent switches
# would otherwise interleave their change/test/restore steps. Released when the script exits.
take_lock() {
    mkdir "$LOCK_DIR" 2>/dev/null ||
        die "another switch is in progress (lock $LOCK_DIR); if none is, remove that directory"
    trap 'rmdir "$LOCK_DIR" 2>/dev/null || true' EXIT INT TERM
}

# test_and_reload <undo command> <what was changed> <what is kept on failure>
# The change is already on disk. `nginx -t` checks the whole configuration with it before the running server is
# touched; the reload is graceful (new workers take the new configuration, old ones finish their requests).
# On failure, runs the undo command (word-split on purpose: a function name and its argument) and dies.
test_and_reload() {
    if ! test_output=$("$NGINX_BIN" -t 2>&1); then
        $1
        printf '%s\n' "$test_output" >&2
        die "nginx -t failed with $2; kept $3"
    fi
    if ! "$NGINX_BIN" -s reload; then
        $1
        die "nginx -s reload failed (is nginx running in this container?); kept $3"
    fi
}
