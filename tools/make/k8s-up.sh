#!/usr/bin/env bash
# make k8s-up: a kind cluster, the api image loaded into its node, the kind overlay applied, every rollout waited
# for. Usage: k8s-up.sh <cluster name> <namespace>. Environment from make: KUBECTL, KIND, STACK_MODE, EXTRA_CA_FILE.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/common.sh
. tools/lib/common.sh
cluster=$1 ns=$2
tools/make/need-kubectl.sh
command -v "$KIND" >/dev/null || { echo "kind is not installed: make k8s-up needs kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation)"
  echo "and a container registry for kind's node image (kindest/node). Here: make k8s-render / make k8s-validate need neither."; exit 2; }
docker info >/dev/null 2>&1 || { echo "no Docker engine answers: kind runs its node as a container (tools/host/install-engine.sh starts one)"; exit 2; }
if [ "$STACK_MODE" = offline ]; then echo "no container registry answers: kind needs its node image (kindest/node) from one. make k8s-validate works offline."; exit 2; fi
say "kind cluster $cluster"
"$KIND" get clusters 2>/dev/null | grep -qx "$cluster" || "$KIND" create cluster --name "$cluster" --config k8s/overlays/kind/kind-cluster.yaml --wait 120s
say "building scaleout/api:dev and loading it into the node"
DOCKER_BUILDKIT=1 docker build --quiet ${EXTRA_CA_FILE:+--secret id=extra_ca,src="$EXTRA_CA_FILE"} -t scaleout/api:dev services/api >/dev/null
"$KIND" load docker-image scaleout/api:dev --name "$cluster"
say "applying k8s/overlays/kind"
make --no-print-directory k8s-secrets
"$KUBECTL" apply -k k8s/overlays/kind
for d in api nginx prometheus grafana; do "$KUBECTL" -n "$ns" rollout status "deployment/$d" --timeout=180s; done
printf '\n  api (through nginx)  http://127.0.0.1:8080/whoami\n  Prometheus           kubectl -n %s port-forward svc/prometheus 9090\n' "$ns"
printf '  Grafana              kubectl -n %s port-forward svc/grafana 3000  (user admin, password in .secrets/grafana-admin-password)\n' "$ns"
printf '\nNext: kubectl -n %s rollout restart deployment/api   (watch it with k6 or make loadtest), make k8s-down\n' "$ns"
