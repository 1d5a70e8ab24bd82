#!/usr/bin/env bash
# Stops the test cluster that start-slurm.sh started: its slurmd processes, slurmctld
# and (only when start-slurm.sh started it) munged. Config, state and logs stay in
# MLP_SLURM_HOME for inspection; pass --clean to remove them too.
set -euo pipefail
HOME_DIR="${MLP_SLURM_HOME:-/tmp/mlp-slurm}"

stop_pidfile() {
  local f="$1" pid
  [ -f "$f" ] || return 0
  pid="$(cat "$f" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

for f in "$HOME_DIR"/run/slurmd-*.pid; do stop_pidfile "$f"; done
stop_pidfile "$HOME_DIR/run/slurmctld.pid"
if [ -f "$HOME_DIR/run/munged.started-by-us" ]; then
  stop_pidfile /run/munge/munged.pid
  rm -f "$HOME_DIR/run/munged.started-by-us"
fi
if [ "${1:-}" = "--clean" ]; then rm -rf "$HOME_DIR"; fi
echo "stop-slurm: stopped" >&2
