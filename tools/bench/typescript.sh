#!/usr/bin/env bash
# TypeScript compilers side by side: type-check (--noEmit) and build (emit) of the app (services/api) and of the
# host tooling (tools/), each compiler run in turn, BENCH_ROUNDS times (5); prints the medians and the ratios.
#   tools/bench/typescript.sh [before-version] [after-version]      (default: 5.9.3 and the version tools/ pins)
# Each compiler is installed from the npm registry into a temp folder; the projects' own node_modules give the
# types, so both compilers read the same sources and declarations. A figure, not a test: no bound on a time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/common.sh
. "$root/tools/lib/common.sh"
before=${1:-5.9.3}
after=${2:-$(node -p "require('$root/tools/package.json').devDependencies.typescript")}
rounds=${BENCH_ROUNDS:-5}
for d in services/api tools; do
  [ -d "$root/$d/node_modules" ] || die "$d/node_modules is missing: make test-api and make tooling install them"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for v in "$before" "$after"; do
  say "typescript@$v from the npm registry"
  npm install --prefix "$work/$v" --no-audit --no-fund --loglevel=error "typescript@$v" >/dev/null
done

# seconds <command...>: wall time of one run, 3 decimals.
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f", m }'; }

# What is measured: project folder, tsconfig, mode.
cases=("services/api tsconfig.json check" "services/api tsconfig.json build" "tools tsconfig.json check" "tools tsconfig.json build")
declare -A samples=()
for ((r = 1; r <= rounds; r++)); do
  say "round $r of $rounds"
  for c in "${cases[@]}"; do
    read -r dir cfg mode <<<"$c"
    for v in "$before" "$after"; do
      args=(-p "$root/$dir/$cfg")
      if [ "$mode" = check ]; then args+=(--noEmit); else args+=(--outDir "$work/out-$v"); fi
      samples["$c|$v"]+="$(cd "$root/$dir" && seconds "$work/$v/node_modules/.bin/tsc" "${args[@]}") "
    done
  done
done

printf '\nTypeScript %s vs %s, median of %s runs, wall seconds; %s, %s cores, %s\n\n' "$before" "$after" "$rounds" \
  "$(uname -m)" "$(nproc)" "$(date -u +%Y-%m-%d)"
printf '| project | what | %s | %s | %s ÷ %s |\n| --- | --- | --- | --- | --- |\n' "$before" "$after" "$before" "$after"
for c in "${cases[@]}"; do
  read -r dir cfg mode <<<"$c"
  b=$(tr ' ' '\n' <<<"${samples["$c|$before"]}" | grep . | median)
  a=$(tr ' ' '\n' <<<"${samples["$c|$after"]}" | grep . | median)
  printf '| %s | %s | %s s | %s s | %.1f× |\n' "$dir" "$([ "$mode" = check ] && echo 'type-check (--noEmit)' || echo 'build (emit)')" "$b" "$a" "$(awk -v b="$b" -v a="$a" 'BEGIN { print b / a }')"
done

# What each compiler emitted (the app's and the tooling's last build): the JavaScript, source maps aside.
files=$(find "$work/out-$after" -name '*.js' | wc -l)
differ=$(diff -rq -x '*.map' "$work/out-$before" "$work/out-$after" | wc -l || true)
printf '\nEmitted JavaScript (source maps aside): %s of %s files differ between %s and %s.\n' "$differ" "$files" "$before" "$after"
