#!/bin/sh
# A cron for containers: run the command now, then once every PURGE_INTERVAL_SECONDS
# (default one day). A failed run is logged and retried at the next interval; the
# container keeps running so `restart: unless-stopped` is not needed for a bad night.
interval="${PURGE_INTERVAL_SECONDS:-86400}"
while true; do
  date -u +"%FT%TZ running: $*"
  "$@" || echo "failed with exit code $?; next try in ${interval} s" >&2
  sleep "$interval"
done
