#!/usr/bin/env bash
# Start the local services the test suite talks to, if they are down.
# PostgreSQL is required: if it cannot be reached the run fails loudly.
set -u
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_up; then
  echo "PostgreSQL is down; starting it"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
if ! pg_up; then
  echo "ERROR: PostgreSQL is not reachable on 127.0.0.1:5432; the DB tests need it" >&2
  exit 1
fi
mqtt_up() { (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; }
if ! mqtt_up && command -v mosquitto >/dev/null 2>&1; then
  echo "Mosquitto is down; starting it"
  mosquitto -d -c /etc/mosquitto/mosquitto.conf || true
  for _ in $(seq 1 10); do mqtt_up && break; sleep 1; done
fi
exit 0
