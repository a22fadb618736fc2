#!/usr/bin/env bash
# Stops the daemons started by slurm-up.sh, by the pids in their pid files.
state=${1:-/tmp/rlvrc-slurm}
for d in slurmd slurmctld; do
  [ -f "$state/run/$d.pid" ] && kill "$(cat "$state/run/$d.pid")" 2>/dev/null || true
done
exit 0
