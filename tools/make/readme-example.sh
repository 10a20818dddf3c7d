#!/usr/bin/env bash
# The README's "What you will see" example: runs `make loadtest` on the running stack (make up first), keeps the
# lines a reader looks at, and writes them into README.md between the example-output markers with the mode, the
# topology, the machine, the date and the command: the first run that passes its thresholds, not a best one. Extra
# arguments go to make loadtest (ports, SCENARIO...).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/common.sh
. tools/lib/common.sh
out=$(mktemp)
trap 'rm -f "$out"' EXIT
say "make loadtest $*"
# A run whose thresholds fail (on a machine busy with other work, say) is not what a reader will see: refused.
make loadtest "$@" | tee "$out" || die "make loadtest failed (exit ${PIPESTATUS[0]}): README.md left as it was"
# Colour codes out; then the summary lines and the per-worker table.
lines=$(sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -E '^ +[✓✗]? *http_req(s|_duration|_failed)\b|^load distribution by|^replica/worker|^api-[^ ]*/[0-9]+ +\||^(jain_fairness|max_min_ratio|per replica):')
[ -n "$lines" ] || die "make loadtest printed no summary to take the example from"
mode=$(grep -q '^offline mode' "$out" && echo offline || echo online)
workers=$(grep -cE '^api-[^ ]*/[0-9]+ +\|' <<<"$lines")
replicas=$(grep -oE '^api-[^/]*' <<<"$lines" | sort -u | wc -l)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
header="(this run: $mode, $replicas replicas, $workers workers in all, on $(nproc) cores and $mem, $(date -u +%F), \`make loadtest\`; written by \`tools/make/readme-example.sh\`)"
fence='```'
block=$(printf '%s\n\n%s\n%s\n%s' "$header" "$fence" "$lines" "$fence")
BLOCK=$block node -e '
  const fs = require("fs");
  const text = fs.readFileSync("README.md", "utf8");
  const re = /(<!-- example-output: begin -->\n)[\s\S]*?(\n<!-- example-output: end -->)/;
  if (!re.test(text)) { console.error("README.md has no example-output markers"); process.exit(1); }
  fs.writeFileSync("README.md", text.replace(re, (_m, a, b) => a + process.env.BLOCK + b));
'
say "README.md's example output rewritten from this run"
