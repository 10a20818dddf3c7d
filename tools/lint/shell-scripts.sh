#!/usr/bin/env bash
# Prints every git-tracked shell script, one a line: *.sh, .ci/run, nginx's entrypoint hooks, and any other file
# whose first line is a sh or bash shebang. `make lint` runs shellcheck over exactly this list, so a new script
# is linted without anyone adding it anywhere.
set -euo pipefail
cd "$(dirname "$0")/../.."

git ls-files -z | while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue # deleted in the working tree, not yet in the index
  case "$f" in
    *.sh | .ci/run | nginx/docker-entrypoint.d/*) echo "$f"; continue ;;
  esac
  first=''
  IFS= read -r first <"$f" || true # a file without a newline still has a first line
  if [[ $first =~ ^\#\!(/usr)?/bin/(env\ )?(ba)?sh(\ |$) ]]; then echo "$f"; fi
done | sort -u
