#!/usr/bin/env bash
# make lint: shellcheck (settings in .shellcheckrc) over every git-tracked shell script (tools/lint/shell-scripts.sh
# lists them, so a new script is linted without anyone adding it anywhere).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v shellcheck >/dev/null || { echo "shellcheck is missing: apt-get install shellcheck (tools/host/install-engine.sh installs it)"; exit 2; }
files=$(tools/lint/shell-scripts.sh)
# shellcheck disable=SC2086 # one word per script
shellcheck $files
echo "  $(wc -w <<<"$files") scripts, no findings"
