#!/bin/sh
# Writes how nginx finds the api replicas, before nginx starts: which DNS server it asks, and which names it asks
# for. Runs through the official image's /docker-entrypoint.d contract, before 40-select-lb-strategy.sh.
# https://github.com/nginx/docker-nginx/blob/master/entrypoint/docker-entrypoint.sh
#
# Why generated: nginx's own resolver (the one `server ... resolve` uses) never applies resolv.conf's search
# domains, so the bare name "api" works only where the DNS server itself answers it. Docker's embedded DNS does
# (compose); Kubernetes' cluster DNS needs the qualified name (api.<namespace>.svc.cluster.local). Same files,
# two environments: the differences are these three variables, and the defaults are compose's.
#
#   NGINX_RESOLVER           DNS server for nginx's resolver. Default: the first `nameserver` of /etc/resolv.conf,
#                            which is Docker's 127.0.0.11 under compose and the cluster DNS Service in a Kubernetes pod.
#   API_UPSTREAM_HOST        name of the blue pool (upstream api): every replica's address. Default "api".
#   API_GREEN_UPSTREAM_HOST  name of the green pool (upstream api_green). Default "api-green".
#
# Output, in the tmpfs /etc/nginx/discovery: resolver.conf (included by nginx.conf), api.conf and api_green.conf
# (the `server` line of each upstream, included by conf.d/10-upstream.conf). A bad value stops the container.
set -eu

DIR=${NGINX_DISCOVERY_DIR:-/etc/nginx/discovery}

die() { echo "$0: error: $*" >&2; exit 1; }

resolver=${NGINX_RESOLVER:-$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf 2>/dev/null || true)}
[ -n "$resolver" ] || die "no NGINX_RESOLVER and no nameserver in /etc/resolv.conf"

# Only characters a DNS name or an IP address can hold, so a value can never inject a directive.
for pair in "NGINX_RESOLVER=$resolver" "API_UPSTREAM_HOST=${API_UPSTREAM_HOST:-api}" "API_GREEN_UPSTREAM_HOST=${API_GREEN_UPSTREAM_HOST:-api-green}"; do
    case ${pair#*=} in
        '' | *[!A-Za-z0-9.:_-]*) die "${pair%%=*}='${pair#*=}' is not a host name or an IP address" ;;
    esac
done

mkdir -p "$DIR" 2>/dev/null || true
{ [ -d "$DIR" ] && [ -w "$DIR" ]; } || die "$DIR is not a writable directory (mount a tmpfs or an emptyDir there)"

# valid=2s: the cluster's DNS TTL (Docker: 600 s, CoreDNS: 5 s) would hide a new or removed replica for that long;
# 2 s costs one small UDP query per 2 s. ipv6=off: both networks are IPv4 here; without it nginx also asks for
# AAAA records, which Docker forwards to the host's resolvers for a name that can't exist there.
# https://nginx.org/en/docs/http/ngx_http_core_module.html#resolver
cat >"$DIR/resolver.conf" <<CONF
resolver         $resolver valid=2s ipv6=off;
resolver_timeout 2s;
CONF

# `resolve` re-resolves the name every valid= seconds and follows replicas without a reload (conf.d/10-upstream.conf
# explains it and max_fails/fail_timeout). 3000 is the app's PORT.
server_line() { printf 'server %s:3000 resolve max_fails=3 fail_timeout=10s;\n' "$1"; }
server_line "${API_UPSTREAM_HOST:-api}" >"$DIR/api.conf"
server_line "${API_GREEN_UPSTREAM_HOST:-api-green}" >"$DIR/api_green.conf"

echo "$0: resolver $resolver; api pool ${API_UPSTREAM_HOST:-api}, green pool ${API_GREEN_UPSTREAM_HOST:-api-green}"
