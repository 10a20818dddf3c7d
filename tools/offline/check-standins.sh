#!/usr/bin/env bash
# Checks that Debian has every offline stand-in written beside compose.yaml's image pins, before anything is built:
#   tools/offline/check-standins.sh [compose.yaml]
# A stand-in Debian cannot provide fails with the pin's name and the nearest version Debian has, e.g.
#   PROMETHEUS_IMAGE: its stand-in prometheus 3.13.4 is not in Debian sid; the nearest Debian has is 3.5.3 ...
# The suites come from versions.env; they are read through a private apt state (the machine's sources stay as
# they are), from this machine's mirror (tools/host/apt-mirror.sh). build-images.sh runs it before a build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SAY_TAG='[offline] '
# shellcheck source=../lib/common.sh
. "$root/tools/lib/common.sh"
versions=$("$here/image-versions.sh" "$@")
eval "$versions"
# shellcheck source=versions.env
. "$here/versions.env"
mirror=$("$root/tools/host/apt-mirror.sh")

# pin variable, Debian package, stand-in version, suite: the stand-ins built from Debian packages (Node comes from npm).
checks=(
  "NGINX_IMAGE nginx $NGINX_VERSION $NGINX_SUITE"
  "PROMETHEUS_IMAGE prometheus $PROMETHEUS_VERSION $PROMETHEUS_SUITE"
  "NGINX_EXPORTER_IMAGE prometheus-nginx-exporter $NGINX_EXPORTER_VERSION $NGINX_EXPORTER_SUITE"
  "VALKEY_IMAGE valkey-server $VALKEY_VERSION $VALKEY_SUITE"
)

# STANDINS_APT_STATE=<dir>: keep the suites' index there and reuse it on the next run (the tests check two compose
# files against one index); by default a temp folder, removed on exit.
if [ -n "${STANDINS_APT_STATE:-}" ]; then
  work=$STANDINS_APT_STATE
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
chmod 755 "$work" # apt drops to the _apt user for downloads
mkdir -p "$work/lists/partial" "$work/cache"
for suite in $(printf '%s\n' "${checks[@]}" | awk '{print $4}' | sort -u); do
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main"
done >"$work/sources.list"
# No status file and a cache of its own (built once, read by each madison): only the suites above are seen. Check-Valid-Until=false: the
# mirror may be a frozen snapshot whose newer suites read as expired.
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/lists"
  -o Dir::State::status=/dev/null -o "Dir::Cache=$work/cache" -o Dir::Cache::srcpkgcache= -o Acquire::Check-Valid-Until=false
  -o APT::Sandbox::User=root -o Acquire::Languages=none)
[ -n "$(find "$work/lists" -maxdepth 1 -name '*Packages*' -print -quit)" ] \
  || apt-get "${apt_opts[@]}" update -qq --error-on=any \
  || die "apt-get update failed at $mirror: the mirror did not answer, or is no Debian mirror (set APT_MIRROR=<a Debian mirror's URL>)"

# upstream <debian-version>: 1:3.5.3+ds1-6 -> 3.5.3 (no epoch, no repack suffix, no Debian revision).
upstream() { sed -E 's/^[0-9]+://; s/[+~-].*$//' <<<"$1"; }
failed=0
for c in "${checks[@]}"; do
  read -r var package want suite <<<"$c"
  have=$(apt-cache "${apt_opts[@]}" madison "$package" | awk -F'|' -v s="$suite" '$3 ~ " "s"/" {gsub(/ /, "", $2); print $2}')
  found=0 below='' above=''
  for v in $have; do
    u=$(upstream "$v")
    if [ "$u" = "$want" ]; then found=1; break; fi
    # The nearest: the newest release below the pin, else the oldest above it.
    if dpkg --compare-versions "$u" lt "$want"; then
      { [ -z "$below" ] || dpkg --compare-versions "$u" gt "$below"; } && below=$u
    else
      { [ -z "$above" ] || dpkg --compare-versions "$u" lt "$above"; } && above=$u
    fi
  done
  if [ "$found" = 1 ]; then say "$var: $package $want is in Debian $suite"; continue; fi
  failed=1
  if [ -z "$have" ]; then
    log "$var: Debian $suite has no package $package at all (set another suite in tools/offline/versions.env)"
  else
    log "$var: its stand-in $package $want is not in Debian $suite; the nearest Debian has is ${below:-$above} (write '# stand-in ${below:-$above}' beside the pin in compose.yaml)"
  fi
done
[ "$failed" = 0 ] || die "a stand-in Debian cannot provide: nothing was built"
