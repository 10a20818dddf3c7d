#!/usr/bin/env bash
# Installs and starts what a fresh Debian machine needs to run and test this stack:
# Docker Engine, the Compose v2 plugin, mmdebstrap (for the offline images) and shellcheck (make lint).
# Idempotent: every step is skipped when its result is already there.
#
# Why not Docker's own apt repo? Machines like our CI reach only Debian's mirror.
# Debian bookworm ships Engine 20.10 (docker.io) but only Compose v1; Compose v2
# is packaged in newer suites as one static binary, so we take that binary from
# the sid .deb without adding sid to the machine's apt sources.
set -euo pipefail

COMPOSE_SUITE="${COMPOSE_SUITE:-sid}"
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins

# shellcheck source=../lib/common.sh
. "$(dirname "$0")/../lib/common.sh"

need_root() {
  [ "$(id -u)" = 0 ] || die "install-engine.sh installs system packages: run it as root (or install Docker + Compose v2 yourself)."
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  command -v curl >/dev/null || missing+=(curl)
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  if [ ${#missing[@]} -gt 0 ]; then
    say "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

install_compose_v2() {
  if docker compose version >/dev/null 2>&1; then return; fi
  say "installing the Compose v2 plugin from Debian ${COMPOSE_SUITE}"
  local work mirror
  work=$(mktemp -d)
  chmod 755 "$work" # apt drops to the _apt user for downloads
  mirror=$("$(dirname "$0")/apt-mirror.sh")
  mkdir -p "$work/lists/partial" "$work/archives/partial"
  # Signed by the same Debian archive keys the machine already trusts.
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} ${COMPOSE_SUITE} main" >"$work/sources.list"
  # A private apt state: the machine's own sources and lists stay untouched.
  # The mirror may be a frozen snapshot whose newer suites read as expired.
  local opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
    -o Acquire::Check-Valid-Until=false -o APT::Get::List-Cleanup=false)
  apt-get "${opts[@]}" update -qq
  (cd "$work" && apt-get "${opts[@]}" download docker-compose >/dev/null)
  dpkg -x "$work"/docker-compose_*.deb "$work/unpacked"
  mkdir -p "$PLUGIN_DIR"
  install -m 0755 "$work/unpacked/usr/libexec/docker/cli-plugins/docker-compose" "$PLUGIN_DIR/docker-compose"
  rm -rf "$work"
  docker compose version >&2
}

start_engine() {
  if docker info >/dev/null 2>&1; then return; fi
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    systemctl start docker || true
  fi
  if ! docker info >/dev/null 2>&1; then
    say "starting dockerd in the background (log: /var/log/dockerd.log)"
    nohup dockerd >/var/log/dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && { say "Docker engine is up"; return; }
    sleep 1
  done
  tail -n 20 /var/log/dockerd.log >&2 || true
  die "dockerd did not answer within 60 s; see /var/log/dockerd.log (its last lines above)"
}

# Everything already there (the packages install_packages would add, included): nothing to do, no root needed.
if docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1 \
  && command -v mmdebstrap >/dev/null && command -v curl >/dev/null && command -v shellcheck >/dev/null; then
  exit 0
fi
need_root
install_packages
start_engine
install_compose_v2
