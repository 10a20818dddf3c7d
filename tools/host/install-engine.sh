#!/usr/bin/env bash
# Installs and starts what a fresh Debian machine needs to run this stack:
# Docker Engine, the Compose v2 plugin, (for the offline images) mmdebstrap, and kubectl (make k8s-validate).
# Idempotent: every step is skipped when its result is already there.
#
# Why not Docker's own apt repo? Machines like our CI reach only Debian's mirror.
# Debian bookworm ships Engine 20.10 (docker.io) but only Compose v1; Compose v2
# is packaged in newer suites as one static binary, so we take that binary from
# the sid .deb without adding sid to the machine's apt sources.
set -euo pipefail

COMPOSE_SUITE="${COMPOSE_SUITE:-sid}"
KUBECTL_SUITE="${KUBECTL_SUITE:-sid}"
# Where install_kubectl puts the Kubernetes schema (the Makefile reads it from here too).
K8S_SCHEMA_DIR=/usr/local/share/scaleout/k8s-schema
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins

log() { printf '==> %s\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "install-engine.sh installs system packages: run it as root (or install Docker + Compose v2 yourself)." >&2
    exit 1
  fi
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# fetch_from_suite <suite> <package> <dir>: downloads <package>'s .deb from Debian <suite> and unpacks it into <dir>,
# through a private apt state: the machine's own sources and lists stay untouched.
fetch_from_suite() {
  local suite=$1 package=$2 dest=$3 work mirror
  work=$(mktemp -d)
  chmod 755 "$work" # apt drops to the _apt user for downloads
  mirror=$("$(dirname "$0")/apt-mirror.sh")
  mkdir -p "$work/lists/partial" "$work/archives/partial"
  # Signed by the same Debian archive keys the machine already trusts.
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} ${suite} main" >"$work/sources.list"
  # The mirror may be a frozen snapshot whose newer suites read as expired.
  local opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
    -o Acquire::Check-Valid-Until=false -o APT::Get::List-Cleanup=false)
  apt-get "${opts[@]}" update -qq
  # <package>/<suite>: the suite's version even when another one is installed (a cloud SDK's kubectl, say).
  (cd "$work" && apt-get "${opts[@]}" download "$package/$suite" >/dev/null)
  dpkg -x "$work/${package}"_*.deb "$dest"
  rm -rf "$work"
}

install_compose_v2() {
  if docker compose version >/dev/null 2>&1; then return; fi
  log "installing the Compose v2 plugin from Debian ${COMPOSE_SUITE}"
  local unpacked
  unpacked=$(mktemp -d)
  fetch_from_suite "$COMPOSE_SUITE" docker-compose "$unpacked"
  mkdir -p "$PLUGIN_DIR"
  install -m 0755 "$unpacked/usr/libexec/docker/cli-plugins/docker-compose" "$PLUGIN_DIR/docker-compose"
  rm -rf "$unpacked"
  docker compose version >&2
}

# kubectl 1.36 and the Kubernetes 1.36 schema, for `make k8s-validate` (k8s/README.md): bookworm's kubectl is 1.20,
# too old. From sid, like the compose plugin: the `kubectl` package (one static binary), and from client-go of the same
# release (golang-k8s-client-go-dev) the structural schema of every built-in type that it generates from the
# Kubernetes OpenAPI spec (applyconfigurations/internal/internal.go), which tests/k8s validates the manifests against.
install_kubectl() {
  if kubectl_ok && [ -s "$K8S_SCHEMA_DIR/schema.yaml" ]; then return; fi
  log "installing kubectl and the Kubernetes schema from Debian ${KUBECTL_SUITE}"
  local unpacked go
  unpacked=$(mktemp -d)
  fetch_from_suite "$KUBECTL_SUITE" kubectl "$unpacked"
  fetch_from_suite "$KUBECTL_SUITE" golang-k8s-client-go-dev "$unpacked"
  install -m 0755 "$unpacked/usr/bin/kubectl" /usr/local/bin/kubectl
  go="$unpacked/usr/share/gocode/src/k8s.io/client-go/applyconfigurations/internal/internal.go"
  mkdir -p "$K8S_SCHEMA_DIR"
  # The YAML between `typed.YAMLObject(\`` and the closing backtick.
  sed -n '/YAMLObject(`types:/,/^`)/p' "$go" | sed -e '1s/.*YAMLObject(`//' -e '$d' >"$K8S_SCHEMA_DIR/schema.yaml"
  # The client-go release the schema comes from (0.36.x is Kubernetes 1.36.x), for the validator's messages.
  zcat "$unpacked/usr/share/doc/golang-k8s-client-go-dev/changelog.Debian.gz" | head -n1 | sed -E 's/.*\(([^)]+)\).*/\1/' \
    >"$K8S_SCHEMA_DIR/client-go-version"
  rm -rf "$unpacked"
  kubectl version --client >&2
}

start_engine() {
  if docker info >/dev/null 2>&1; then return; fi
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    systemctl start docker || true
  fi
  if ! docker info >/dev/null 2>&1; then
    log "starting dockerd in the background (log: /var/log/dockerd.log)"
    nohup dockerd >/var/log/dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && { log "Docker engine is up"; return; }
    sleep 1
  done
  echo "dockerd did not answer within 60 s; see /var/log/dockerd.log" >&2
  tail -n 20 /var/log/dockerd.log >&2 || true
  exit 1
}

# kubectl >= 1.36 (the version k8s/ targets, kustomize v5.8 built in); an older one on the PATH (bookworm's 1.20,
# a cloud SDK's) is shadowed by sid's in /usr/local/bin.
kubectl_ok() { kubectl version --client -o json 2>/dev/null | grep -qE '"minor": *"(3[6-9]|[4-9][0-9])'; }

if docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1 && command -v mmdebstrap >/dev/null && kubectl_ok \
  && [ -s "$K8S_SCHEMA_DIR/schema.yaml" ]; then
  exit 0
fi
need_root
install_packages
start_engine
install_compose_v2
install_kubectl
