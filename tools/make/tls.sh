#!/usr/bin/env bash
# make tls: nginx's HTTPS certificate and key. With the defaults (the local CA's, in <tls dir>), create them if
# missing; with TLS_CERT_FILE/TLS_KEY_FILE set to your own, check both are given and readable before anything starts.
# Usage: tls.sh <tls dir> <default cert> <default key> <cert> <key>
set -euo pipefail
dir=$1 default_cert=$2 default_key=$3 cert=$4 key=$5
if [ "$cert $key" = "$default_cert $default_key" ]; then
  exec "$(dirname "$0")/../host/local-ca.sh" "$dir"
fi
for v in "TLS_CERT_FILE=$cert" "TLS_KEY_FILE=$key"; do
  f=${v#*=}
  [ -n "$f" ] || { echo "${v%%=*} is empty: set TLS_CERT_FILE and TLS_KEY_FILE together, or neither"; exit 2; }
  [ -r "$f" ] || { echo "${v%%=*}=$f is not a readable file"; exit 2; }
done
