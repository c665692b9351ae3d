#!/bin/sh
# A cron for containers: run the command now, then once every PURGE_INTERVAL_SECONDS
# (default one day; the hand-off sweep sets 60). A failed run is logged and retried at the next interval; the
# container keeps running so `restart: unless-stopped` is not needed for a bad night.
# Each success writes its time to $LAST_SUCCESS_FILE, which the compose health check
# reads: the service turns unhealthy when no run has succeeded for two intervals.
interval="${PURGE_INTERVAL_SECONDS:-86400}"
stamp="${LAST_SUCCESS_FILE:-/tmp/last-success}"
while true; do
  date -u +"%FT%TZ running: $*"
  if "$@"; then
    date +%s > "$stamp"
  else
    echo "failed with exit code $?; next try in ${interval} s" >&2
  fi
  sleep "$interval"
done
