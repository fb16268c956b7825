#!/usr/bin/env bash
# Make sure a Redis server answers on 127.0.0.1:6379 for the tests of the Redis queue
# (MONITOR_QUEUE_URL=redis://...): installs Debian's redis-server when missing, starts it
# when it does not answer. Production does not need Redis (the default queue is SQLite).
set -euo pipefail
PORT="${REDIS_PORT:-6379}"
answers() { command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = "PONG" ]; }
if answers; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; else SUDO=; fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "Redis ontbreekt: installeren met apt-get (Debian-pakket redis-server) ..."
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq redis-server >/dev/null
fi
if ! answers; then
  echo "Redis starten op 127.0.0.1:$PORT ..."
  redis-server --bind 127.0.0.1 --port "$PORT" --daemonize yes --save "" --appendonly no >/dev/null
  for _ in $(seq 1 50); do answers && break; sleep 0.1; done
fi
answers || { echo "Redis antwoordt niet op 127.0.0.1:$PORT; de tests van de Redis-wachtrij kunnen niet draaien." >&2; exit 1; }
