#!/usr/bin/env bash
# Starts a real single-machine Slurm cluster (Debian's slurm-wlm 22.05 + munge) for tests of the
# cluster path. Idempotent: if the node is already up, it only prints the state directory.
# Usage: bash scripts/slurm-up.sh [STATE_DIR]   (default /tmp/rlvrc-slurm); prints STATE_DIR on success.
# Facts behind each setting: ../shared/design/slurm-on-one-machine.md (no cgroup.conf; auth/munge; linuxproc).
set -euo pipefail
state=${1:-/tmp/rlvrc-slurm}
host=$(hostname -s)
if sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mixed|allocated'; then echo "$state"; exit 0; fi
command -v slurmctld >/dev/null || { echo "slurm-up: slurm-wlm is not installed (bash scripts/install-system-deps.sh)" >&2; exit 1; }
mkdir -p "$state"/{spool,state,log,run}

# munge: a key owned by munge, mode 400, and the daemon running as munge.
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge && chown munge:munge /run/munge
pgrep -x munged >/dev/null || su -s /bin/sh munge -c /usr/sbin/munged

cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
mkdir -p /etc/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=rlvrc
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/state
SlurmdSpoolDir=$state/spool
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
SlurmctldPidFile=$state/run/slurmctld.pid
SlurmdPidFile=$state/run/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
rm -f /etc/slurm/cgroup.conf

pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
sleep 1
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
for _ in $(seq 1 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mixed|allocated'; then echo "$state"; exit 0; fi
  sleep 1
done
echo "slurm-up: the node did not become idle; logs in $state/log" >&2
sinfo >&2 || true
exit 1
