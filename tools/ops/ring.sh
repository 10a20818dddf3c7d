#!/usr/bin/env bash
# make ring: which api container holds each slot of hash_consistent's ring (tools/ops/lib.sh explains the slots).
# `ring.sh sync` gives every api container without a slot the lowest free one: `make up`, `make scale` and the
# comparisons run it after they create containers; `make deploy` hands slots over itself.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case ${1:-show} in
    sync) ring_sync ;;
    show) ring_show ;;
    *) die "usage: ring.sh [show|sync] (got '$1')" ;;
esac
