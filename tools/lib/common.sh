# shellcheck shell=bash
# The helpers every host-side shell script under tools/ (and .ci/run) shares. Sourced, not run:
#   . "$(dirname "$0")/../lib/common.sh"
# Progress and errors go to stderr, so a script's stdout stays its result (tools/bench/api.sh's table, say).
# The scripts that run inside containers (nginx/bin, nginx/docker-entrypoint.d, tools/offline/nginx) stay
# self-contained: this file is not in their images.

# A step, in bold, as the Makefile prints its own (`say` there). SAY_TAG, if set, goes first: "[offline] ".
say() { printf '\033[1m==> %s%s\033[0m\n' "${SAY_TAG:-}" "$*" >&2; }
# A detail under the last step.
log() { printf '    %s\n' "$*" >&2; }
# What went wrong, then exit 1.
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }
