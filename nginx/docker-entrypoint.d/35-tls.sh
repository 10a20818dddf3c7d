#!/bin/sh
# Before nginx starts: checks the HTTPS server's certificate and key (conf.d/25-https.conf), and writes the
# plain-HTTP server's redirect include. Runs through the official image's /docker-entrypoint.d contract, like
# 40-/45- (a failing hook stops the container, so a stack with a bad certificate never half-starts and answers 502).
# https://github.com/nginx/docker-nginx/blob/master/entrypoint/docker-entrypoint.sh
#
#   /run/secrets/tls_cert, /run/secrets/tls_key   compose secrets from TLS_CERT_FILE / TLS_KEY_FILE (compose.yaml)
#   HTTP_TO_HTTPS=true|false                      plain HTTP on 8080 answers 308 to https://<host>:HTTPS_PUBLIC_PORT
#   HTTPS_PUBLIC_PORT                             the published HTTPS port, for the redirect's Location (8443)
set -eu

# check_pem <path> <variable naming it on the host> <PEM label regex>: exists, readable by this user (root, the
# master's user), and holds the PEM block nginx expects. nginx itself would fail later with a less direct message.
check_pem() {
    if [ ! -e "$1" ]; then
        echo "$0: error: $1 is missing: set $2 to an existing file (make up creates .secrets/tls/ by default)" >&2
        exit 1
    fi
    if [ ! -r "$1" ]; then
        echo "$0: error: $1 (from $2) is not readable by $(id -un) in the container" >&2
        exit 1
    fi
    if ! grep -Eq -- "-----BEGIN ($3)-----" "$1"; then
        echo "$0: error: $1 (from $2) holds no PEM block of type $3" >&2
        exit 1
    fi
}
check_pem /run/secrets/tls_cert TLS_CERT_FILE 'CERTIFICATE'
check_pem /run/secrets/tls_key TLS_KEY_FILE '(EC |RSA |ENCRYPTED )?PRIVATE KEY'

mkdir -p /etc/nginx/edge
out=/etc/nginx/edge/http-to-https.conf
case "${HTTP_TO_HTTPS:-false}" in
    true)
        port=${HTTPS_PUBLIC_PORT:-8443}
        case "$port" in
            ''|*[!0-9]*) echo "$0: error: HTTPS_PUBLIC_PORT must be a port number, got '$port'" >&2; exit 1 ;;
        esac
        # 308, not 301: the method and body are kept (a POST stays a POST). $host has no port: the published one is
        # added. Written at start, never edited by hand (/etc/nginx/edge is a tmpfs).
        # $host and $request_uri are nginx variables, written literally into the include.
        # shellcheck disable=SC2016
        printf '# Written by 35-tls.sh: HTTP_TO_HTTPS=true.\nreturn 308 https://$host:%s$request_uri;\n' "$port" > "$out"
        echo "$0: plain HTTP redirects to HTTPS on port $port"
        ;;
    false)
        printf '# Written by 35-tls.sh: HTTP_TO_HTTPS=false, plain HTTP is served.\n' > "$out"
        ;;
    *) echo "$0: error: HTTP_TO_HTTPS must be true or false, got '${HTTP_TO_HTTPS}'" >&2; exit 1 ;;
esac
