#!/bin/sh
# A minimal copy of the official nginx image's entrypoint contract: when the
# command is nginx, run the executable hooks in /docker-entrypoint.d in order
# (and source *.envsh ones), then exec the command. The official image also
# renders /etc/nginx/templates with envsubst; this repo does not use templates
# (the strategy is a symlinked include), so that step is left out.
set -e
if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
  for f in $(find /docker-entrypoint.d/ -follow -type f -print | sort -V); do
    case "$f" in
      *.envsh)
        # shellcheck disable=SC1090 # the hooks are whatever the image holds, found at run time
        [ -x "$f" ] && . "$f" ;;
      *.sh) if [ -x "$f" ]; then echo "$0: running $f"; "$f"; else echo "$0: ignoring $f, not executable"; fi ;;
    esac
  done
fi
exec "$@"
