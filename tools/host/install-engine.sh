#!/usr/bin/env bash
# Sets up what this machine lacks to run or test the stack, then starts the Docker engine:
#   tools/host/install-engine.sh [up|test] [--offline]
#     up         what `make up` needs: Docker Engine, Compose v2, curl, openssl, and mmdebstrap with --offline
#                (the stand-in images are built from Debian packages)
#     test       (the default) all of that, plus shellcheck (make lint) and kubectl 1.36 with Kubernetes' schema
#                (make k8s-validate)
# `make up` and `make test` run it first (make setup). When nothing is missing it prints nothing and needs no root.
# Otherwise it says what it will install and why, then installs it: as root, on Debian or Ubuntu, with apt.
# AUTO_INSTALL=0 refuses the install; then, and without root or apt, it names what to install and exits 2 before
# changing anything. Idempotent: every step is skipped when its result is already there.
#
# Why not Docker's own apt repo? Machines like our CI reach only Debian's mirror. Debian bookworm ships Engine 20.10
# (docker.io) but only Compose v1; Compose v2 is packaged in newer suites as one static binary, so we take that binary
# from the sid .deb without adding sid to the machine's apt sources (same for kubectl 1.36).
set -euo pipefail

COMPOSE_SUITE="${COMPOSE_SUITE:-sid}"
KUBECTL_SUITE="${KUBECTL_SUITE:-sid}"
AUTO_INSTALL="${AUTO_INSTALL:-1}"
# Where install_kubectl puts the Kubernetes schema (the Makefile reads it from here too).
K8S_SCHEMA_DIR=/usr/local/share/scaleout/k8s-schema
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
here=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=../lib/common.sh
. "$here/../lib/common.sh"

purpose=test offline=0
for arg in "$@"; do
  case "$arg" in
    up | test) purpose=$arg ;;
    --offline) offline=1 ;;
    *) echo "install-engine.sh: unknown argument $arg (expected up, test, --offline)" >&2; exit 2 ;;
  esac
done
[ "$purpose" = test ] && offline=1 # make test builds the stand-ins (and the swarm's images) too

# kubectl >= 1.36 (the version k8s/ targets, kustomize v5.8 built in); an older one on the PATH (bookworm's 1.20,
# a cloud SDK's) is shadowed by sid's in /usr/local/bin.
kubectl_ok() { kubectl version --client -o json 2>/dev/null | grep -qE '"minor": *"(3[6-9]|[4-9][0-9])'; }
engine_answers() { docker info >/dev/null 2>&1; }

# ---- what is missing, and why (nothing changes in this part) ----
apt_packages=() # Debian/Ubuntu packages from the machine's own apt sources
from_sid=()     # compose, kubectl: from Debian $COMPOSE_SUITE / $KUBECTL_SUITE through a private apt state
why=()          # one line per missing piece, for the user
command -v dockerd >/dev/null || { apt_packages+=(docker.io); why+=("docker.io: Docker Engine (20.10 in bookworm), runs the stack's containers"); }
command -v curl >/dev/null || { apt_packages+=(curl); why+=("curl: asks whether a container registry answers (online or offline mode)"); }
command -v openssl >/dev/null || { apt_packages+=(openssl); why+=("openssl: the local CA behind nginx's HTTPS certificate"); }
if [ "$offline" = 1 ] && ! command -v mmdebstrap >/dev/null; then
  apt_packages+=(mmdebstrap); why+=("mmdebstrap: builds the stand-in images from Debian packages when no container registry answers")
fi
if [ "$purpose" = test ]; then
  command -v shellcheck >/dev/null || { apt_packages+=(shellcheck); why+=("shellcheck: make lint checks every shell script"); }
  command -v chromium >/dev/null || { apt_packages+=(chromium); why+=("chromium: make test-stack opens the compare report and a make panel picture in a real browser"); }
  if ! kubectl_ok || [ ! -s "$K8S_SCHEMA_DIR/schema.yaml" ]; then
    from_sid+=(kubectl); why+=("kubectl 1.36 and Kubernetes 1.36's schema (Debian $KUBECTL_SUITE): make k8s-validate renders and checks k8s/")
  fi
fi
# Compose v2 is a plugin of the client: checked once the client runs (docker.io brings one).
if ! docker compose version >/dev/null 2>&1; then
  from_sid+=(compose); why+=("Compose v2 (Debian $COMPOSE_SUITE's docker-compose plugin, one static binary): compose.yaml needs v2, bookworm has only v1")
fi
start=0
if ! engine_answers; then start=1; why+=("start dockerd: no Docker engine answers (its log: /var/log/dockerd.log)"); fi

[ ${#why[@]} -gt 0 ] || exit 0

# ---- say it, then install it or name it and stop ----
say "this machine lacks what make $purpose needs:"
for w in "${why[@]}"; do log "$w"; done
manual() { # the reason nothing is installed
  printf '\033[1;31merror:\033[0m %s\n' "$1" >&2
  log "nothing was changed. To set up by hand:"
  [ ${#apt_packages[@]} -eq 0 ] || log "  apt-get install ${apt_packages[*]}   (or your system's packages of the same)"
  [[ " ${from_sid[*]} " != *" compose "* ]] || log "  Docker Compose v2 (https://docs.docker.com/compose/install/linux/)"
  [[ " ${from_sid[*]} " != *" kubectl "* ]] || log "  kubectl >= 1.36, then run this script as root for Kubernetes' schema (make k8s-validate)"
  [ "$start" = 0 ] || log "  start the Docker engine (systemctl start docker, or dockerd &)"
  exit 2
}
[ "$AUTO_INSTALL" != 0 ] || manual "AUTO_INSTALL=0: not installing"
[ "$(id -u)" = 0 ] || manual "installing needs root: run make as root, or set up the above yourself"
command -v apt-get >/dev/null || manual "no apt-get: this script installs on Debian or Ubuntu only"
say "installing it now (AUTO_INSTALL=0 refuses; tools/host/install-engine.sh says why each is needed)"

# apt_update <what> [apt options]: apt-get update that names the mirror when it fails.
apt_update() {
  local what=$1; shift
  if ! apt-get "$@" update -qq --error-on=any; then
    # shellcheck disable=SC2016 # $(REPO_URI) is apt's own placeholder, not the shell's
    die "apt-get update failed for $what: the mirror did not answer or is not a Debian mirror. Tried: $(apt-get "$@" indextargets --format '$(REPO_URI)' 2>/dev/null | sort -u | tr '\n' ' ')(set APT_MIRROR=<a Debian mirror's URL> for the newer suites; fix /etc/apt/sources.list* for the machine's own)"
  fi
}

install_packages() {
  [ ${#apt_packages[@]} -gt 0 ] || return 0
  say "apt-get install ${apt_packages[*]}"
  apt_update "this machine's apt sources"
  # needrestart (a recommend of docker.io) would otherwise scan every process and print warnings mid-install.
  DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq "${apt_packages[@]}" >/dev/null
}

# Newer suites are read through a private apt state per suite (the machine's own sources and lists stay untouched),
# prepared before anything is installed, so a mirror that does not answer stops the install before it changes
# anything, naming the mirror.
declare -A suite_state=()
trap 'for w in "${suite_state[@]}"; do rm -rf "$w"; done' EXIT
opts_of() { # work-dir
  echo "-o Dir::Etc::SourceList=$1/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$1/lists"
  # The mirror may be a frozen snapshot whose newer suites read as expired.
  echo "-o Dir::Cache::Archives=$1/archives -o Acquire::Check-Valid-Until=false -o APT::Get::List-Cleanup=false"
  # The download lands in a root-owned temp folder: no point dropping to _apt (it only warns that it can't).
  echo "-o APT::Sandbox::User=root"
}
prepare_suite() { # suite
  [ -z "${suite_state[$1]:-}" ] || return 0
  local work mirror
  mirror=$("$here/apt-mirror.sh") || exit 2
  work=$(mktemp -d)
  chmod 755 "$work" # apt drops to the _apt user for downloads
  mkdir -p "$work/lists/partial" "$work/archives/partial"
  [ -s /usr/share/keyrings/debian-archive-keyring.gpg ] \
    || die "Debian's archive keys are missing (/usr/share/keyrings/debian-archive-keyring.gpg): apt-get install debian-archive-keyring"
  # Signed by the same Debian archive keys the machine already trusts.
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} $1 main" >"$work/sources.list"
  say "reading Debian $1's package index from $mirror"
  # shellcheck disable=SC2046 # opts_of prints options: splitting is meant (no spaces in the temp path)
  apt-get $(opts_of "$work") update -qq --error-on=any \
    || die "apt-get update failed for Debian $1 at $mirror: the mirror did not answer, or is no Debian mirror (set APT_MIRROR=<a Debian mirror's URL>). Nothing was installed."
  suite_state[$1]=$work
}

# fetch_from_suite <suite> <package> <dir>: downloads <package>'s .deb from Debian <suite> and unpacks it into <dir>.
fetch_from_suite() {
  local suite=$1 package=$2 dest=$3 work
  prepare_suite "$suite"
  work=${suite_state[$suite]}
  # <package>/<suite>: the suite's version even when another one is installed (a cloud SDK's kubectl, say).
  # shellcheck disable=SC2046 # as above
  (cd "$work" && apt-get $(opts_of "$work") download "$package/$suite" >/dev/null) || die "no $package in Debian $suite"
  dpkg -x "$work/${package}"_*.deb "$dest"
  rm -f "$work/${package}"_*.deb
}

install_compose_v2() {
  if docker compose version >/dev/null 2>&1; then return; fi
  say "installing the Compose v2 plugin from Debian ${COMPOSE_SUITE}"
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
  say "installing kubectl and the Kubernetes schema from Debian ${KUBECTL_SUITE}"
  local unpacked go
  unpacked=$(mktemp -d)
  fetch_from_suite "$KUBECTL_SUITE" kubectl "$unpacked"
  fetch_from_suite "$KUBECTL_SUITE" golang-k8s-client-go-dev "$unpacked"
  install -m 0755 "$unpacked/usr/bin/kubectl" /usr/local/bin/kubectl
  go="$unpacked/usr/share/gocode/src/k8s.io/client-go/applyconfigurations/internal/internal.go"
  mkdir -p "$K8S_SCHEMA_DIR"
  # The YAML between `typed.YAMLObject(\`` and the closing backtick (backticks are literal: single quotes on purpose).
  # shellcheck disable=SC2016
  sed -n '/YAMLObject(`types:/,/^`)/p' "$go" | sed -e '1s/.*YAMLObject(`//' -e '$d' >"$K8S_SCHEMA_DIR/schema.yaml"
  # The client-go release the schema comes from (0.36.x is Kubernetes 1.36.x), for the validator's messages.
  zcat "$unpacked/usr/share/doc/golang-k8s-client-go-dev/changelog.Debian.gz" | head -n1 | sed -E 's/.*\(([^)]+)\).*/\1/' \
    >"$K8S_SCHEMA_DIR/client-go-version"
  rm -rf "$unpacked"
  kubectl version --client >&2
}

start_engine() {
  if engine_answers; then return; fi
  if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    systemctl start docker || true
  fi
  if ! engine_answers; then
    say "starting dockerd in the background (log: /var/log/dockerd.log)"
    nohup dockerd >/var/log/dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do
    engine_answers && { say "Docker engine is up"; return; }
    sleep 1
  done
  tail -n 20 /var/log/dockerd.log >&2 || true
  die "dockerd did not answer within 60 s; see /var/log/dockerd.log (its last lines above)"
}

started=$(date +%s)
# The newer suites' indexes first: a mirror that does not answer fails here, before anything is installed.
[[ " ${from_sid[*]} " != *" compose "* ]] || prepare_suite "$COMPOSE_SUITE"
[[ " ${from_sid[*]} " != *" kubectl "* ]] || prepare_suite "$KUBECTL_SUITE"
install_packages
start_engine
install_compose_v2
[[ " ${from_sid[*]} " != *" kubectl "* ]] || install_kubectl
say "this machine is set up for make $purpose ($(( $(date +%s) - started )) s)"
