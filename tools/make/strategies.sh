#!/usr/bin/env bash
# The nginx strategies, one a line: the files in nginx/strategies/ (the one list), round_robin (nginx's default)
# first. With --choices, on one line as a|b|c for a usage message.
set -euo pipefail
cd "$(dirname "$0")/../../nginx/strategies"
names=$(for f in *.conf; do echo "${f%.conf}"; done | sort | awk '$0 == "round_robin" {print; next} {rest = rest $0 "\n"} END {printf "%s", rest}')
if [ "${1:-}" = --choices ]; then paste -sd'|' <<<"$names"; else echo "$names"; fi
