#!/usr/bin/env bash
# Exit 2, naming the fix, unless $KUBECTL is kubectl >= 1.30 (the k8s-* targets run it first); with --schema, unless
# Kubernetes' schema is in $K8S_SCHEMA_DIR too (make k8s-validate validates against it).
set -euo pipefail
if ! "$KUBECTL" version --client -o json 2>/dev/null | grep -qE '"minor": *"(3[0-9]|[4-9][0-9])'; then
  echo "kubectl >= 1.30 is missing ($KUBECTL): run make setup SETUP_FOR=test as root (installs Debian sid's kubectl 1.36)"
  exit 2
fi
if [ "${1:-}" = --schema ] && [ ! -s "$K8S_SCHEMA_DIR/schema.yaml" ]; then
  echo "no Kubernetes schema in $K8S_SCHEMA_DIR: run make setup SETUP_FOR=test as root"
  exit 2
fi
