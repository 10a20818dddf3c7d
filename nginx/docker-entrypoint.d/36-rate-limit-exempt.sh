#!/bin/sh
# Before nginx starts: writes which client addresses the per-address rate limit does not count
# (conf.d/00-maps.conf's geo $rate_limit_exempt includes the file; conf.d/05-rate-limit.conf sets the numbers).
# Runs through the official image's /docker-entrypoint.d contract; a bad value stops the container.
#
#   RATE_LIMIT_EXEMPT  addresses or CIDRs, separated by spaces or commas, and the word `gateway` for this container's
#                      default gateway. Empty or unset: every address is limited. compose.yaml sets `gateway`, the
#                      Kubernetes manifest sets nothing; compose.yaml and k8s/base/nginx.yaml say why.
set -eu

die() { echo "$0: error: $*" >&2; exit 1; }

out=/etc/nginx/edge/rate-limit-exempt.conf
mkdir -p /etc/nginx/edge

# The default route's gateway, from /proc/net/route (no `ip` needed): its address is little-endian hex.
gateway() {
    hex=$(awk '$2 == "00000000" { print $3; exit }' /proc/net/route)
    [ -n "$hex" ] || die "RATE_LIMIT_EXEMPT names 'gateway' but this container has no default route"
    printf '%d.%d.%d.%d' "0x${hex#??????}" "0x$(echo "$hex" | cut -c5-6)" "0x$(echo "$hex" | cut -c3-4)" "0x$(echo "$hex" | cut -c1-2)"
}

{
    echo "# Written by 36-rate-limit-exempt.sh from RATE_LIMIT_EXEMPT='${RATE_LIMIT_EXEMPT:-}'."
    for entry in $(echo "${RATE_LIMIT_EXEMPT:-}" | tr ',' ' '); do
        [ "$entry" = gateway ] && entry=$(gateway)
        # Only what an IPv4/IPv6 address or CIDR holds, so a value can never inject a directive.
        case $entry in
            *[!0-9A-Fa-f.:/]* | '') die "RATE_LIMIT_EXEMPT: '$entry' is not an address, a CIDR or 'gateway'" ;;
        esac
        echo "$entry 1;"
    done
} >"$out"
echo "$0: rate limit exempts: $(grep -c ' 1;$' "$out") entries ($(grep ' 1;$' "$out" | tr '\n' ' '))"
