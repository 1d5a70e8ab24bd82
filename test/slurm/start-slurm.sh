#!/usr/bin/env bash
# Starts a real single-machine Slurm cluster for the slurm target's tests: Debian's
# slurm-wlm and munge, run as root without systemd. Several "nodes" (n1..nN) are
# separate slurmd processes on this machine, each on its own port, and each advertises
# fake GPUs (character devices, major 195) so --gres=gpu:N jobs schedule and run.
#
#   test/slurm/start-slurm.sh        start (or confirm) the cluster; idempotent
#   test/slurm/stop-slurm.sh         stop it
#   export SLURM_CONF=/tmp/mlp-slurm/etc/slurm.conf    for sbatch, squeue, scontrol
#
# It also installs python3-optuna (for the tests' bayesian tuning runs) unless
# MLP_SLURM_SKIP_OPTUNA=1.
#
# Environment: MLP_SLURM_HOME (default /tmp/mlp-slurm) holds config, state, spool and
# logs; MLP_SLURM_NODES (default 4), MLP_SLURM_GPUS (per node, default 8),
# MLP_SLURM_CPUS (per node, default 32), MLP_SLURM_MEMORY_MB (per node, default 300000)
# are what each node claims (SlurmdParameters=config_overrides: the machine itself is
# smaller, nothing is enforced, so heavy requests still run as tiny processes).
set -euo pipefail

HOME_DIR="${MLP_SLURM_HOME:-/tmp/mlp-slurm}"
NODES="${MLP_SLURM_NODES:-4}"
GPUS="${MLP_SLURM_GPUS:-8}"
CPUS="${MLP_SLURM_CPUS:-32}"
MEMORY_MB="${MLP_SLURM_MEMORY_MB:-300000}"
PARTITIONS="${MLP_SLURM_PARTITIONS:-debug gpu gpu-a100 cpu}"
CTLD_PORT="${MLP_SLURM_CTLD_PORT:-16817}"
SLURMD_BASE_PORT="${MLP_SLURM_SLURMD_PORT:-17001}"
CONF="$HOME_DIR/etc/slurm.conf"
export SLURM_CONF="$CONF"

log() { printf 'start-slurm: %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
  log "must run as root (it starts munged, slurmctld and slurmd)"
  exit 1
fi

cluster_up() {
  [ -f "$CONF" ] || return 1
  scontrol ping 2>/dev/null | grep -q 'is UP' || return 1
  local n
  n="$(sinfo -h -N -o '%N %T' 2>/dev/null | awk '$2 ~ /^(idle|mixed|allocated|completing)/ {print $1}' | sort -u | wc -l)"
  [ "$n" -ge "$NODES" ]
}

if cluster_up; then
  log "cluster already running ($CONF)"
  echo "export SLURM_CONF=$CONF"
  exit 0
fi

# ---------- packages ----------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  log "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# The bayesian tuning trials the tests run import optuna (Debian's python3-optuna).
if [ "${MLP_SLURM_SKIP_OPTUNA:-0}" != 1 ] && ! /usr/bin/python3 -c 'import optuna' 2>/dev/null; then
  log "installing python3-optuna (bayesian tuning in the tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq python3-optuna >/dev/null || log "python3-optuna is not available: the bayesian runs will be skipped"
fi

# ---------- munge ----------
if ! (munge -n 2>/dev/null | unmunge >/dev/null 2>&1); then
  if [ ! -s /etc/munge/munge.key ]; then
    log "creating a munge key"
    if command -v mungekey >/dev/null; then mungekey --create --force >/dev/null; else dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null; fi
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  chmod 755 /run/munge
  log "starting munged"
  runuser -u munge -- /usr/sbin/munged --force
  mkdir -p "$HOME_DIR/run"
  touch "$HOME_DIR/run/munged.started-by-us"
  for _ in $(seq 1 50); do (munge -n | unmunge >/dev/null 2>&1) && break; sleep 0.1; done
  munge -n | unmunge >/dev/null
fi

# ---------- a previous, broken run: stop its daemons ----------
for pidfile in "$HOME_DIR"/run/slurmd-*.pid "$HOME_DIR"/run/slurmctld.pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile"
done
sleep 0.5

# ---------- fake GPUs: character devices with the NVIDIA major number ----------
mkdir -p "$HOME_DIR"/{etc,state,run,log,dev}
DEVDIR=/dev
for i in $(seq 0 $((GPUS - 1))); do
  dev="$DEVDIR/mlp-fake-gpu$i"
  [ -c "$dev" ] || mknod "$dev" c 195 "$i"
done

# ---------- configuration ----------
HOST="$(hostname -s)"
LAST_PORT=$((SLURMD_BASE_PORT + NODES - 1))
NODE_RANGE="n[1-$NODES]"
[ "$NODES" = 1 ] && NODE_RANGE="n1"
PORT_RANGE="[$SLURMD_BASE_PORT-$LAST_PORT]"
[ "$NODES" = 1 ] && PORT_RANGE="$SLURMD_BASE_PORT"

{
  echo "# Written by test/slurm/start-slurm.sh: a test cluster on one machine."
  echo "ClusterName=mlptest"
  echo "SlurmctldHost=$HOST(127.0.0.1)"
  echo "SlurmctldPort=$CTLD_PORT"
  echo "SlurmdPort=$SLURMD_BASE_PORT"
  echo "SlurmUser=root"
  echo "SlurmdUser=root"
  echo "AuthType=auth/munge"
  echo "CredType=cred/munge"
  echo "StateSaveLocation=$HOME_DIR/state"
  echo "SlurmdSpoolDir=$HOME_DIR/spool/%n"
  echo "SlurmctldPidFile=$HOME_DIR/run/slurmctld.pid"
  echo "SlurmdPidFile=$HOME_DIR/run/slurmd-%n.pid"
  echo "SlurmctldLogFile=$HOME_DIR/log/slurmctld.log"
  echo "SlurmdLogFile=$HOME_DIR/log/slurmd-%n.log"
  echo "SlurmctldDebug=info"
  echo "SlurmdDebug=info"
  echo "ProctrackType=proctrack/linuxproc"
  echo "TaskPlugin=task/none"
  echo "SelectType=select/cons_tres"
  echo "SelectTypeParameters=CR_Core_Memory"
  echo "GresTypes=gpu"
  echo "MpiDefault=none"
  echo "SlurmdParameters=config_overrides"
  echo "SchedulerParameters=sched_min_interval=0,batch_sched_delay=0"
  echo "DependencyParameters=kill_invalid_depend"
  echo "ReturnToService=2"
  echo "MinJobAge=3600"
  echo "MaxArraySize=10001"
  echo "KillWait=5"
  echo "InactiveLimit=0"
  echo "JobAcctGatherType=jobacct_gather/none"
  echo "AccountingStorageType=accounting_storage/none"
  echo "JobCompType=jobcomp/filetxt"
  echo "JobCompLoc=$HOME_DIR/log/jobcomp.log"
  echo "NodeName=$NODE_RANGE NodeHostname=$HOST NodeAddr=127.0.0.1 Port=$PORT_RANGE CPUs=$CPUS Boards=1 SocketsPerBoard=1 CoresPerSocket=$CPUS ThreadsPerCore=1 RealMemory=$MEMORY_MB Gres=gpu:$GPUS State=UNKNOWN"
  first=YES
  for p in $PARTITIONS; do
    echo "PartitionName=$p Nodes=ALL Default=$first MaxTime=INFINITE State=UP"
    first=NO
  done
} >"$CONF"

echo "NodeName=$NODE_RANGE Name=gpu File=$DEVDIR/mlp-fake-gpu[0-$((GPUS - 1))]" >"$HOME_DIR/etc/gres.conf"
[ "$GPUS" = 1 ] && echo "NodeName=$NODE_RANGE Name=gpu File=$DEVDIR/mlp-fake-gpu0" >"$HOME_DIR/etc/gres.conf"
echo "ConstrainCores=no" >"$HOME_DIR/etc/cgroup.conf"
for i in $(seq 1 "$NODES"); do mkdir -p "$HOME_DIR/spool/n$i"; done

# ---------- daemons ----------
log "starting slurmctld"
slurmctld -f "$CONF"
for _ in $(seq 1 100); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.1; done
for i in $(seq 1 "$NODES"); do
  log "starting slurmd n$i"
  slurmd -f "$CONF" -N "n$i"
done

for _ in $(seq 1 150); do
  if cluster_up; then
    # Nodes left DOWN/DRAINED by an earlier run come back.
    scontrol update NodeName="$NODE_RANGE" State=RESUME 2>/dev/null || true
    log "cluster up: $(sinfo -h -N -o '%N:%T' | sort -u | tr '\n' ' ')"
    echo "export SLURM_CONF=$CONF"
    exit 0
  fi
  sleep 0.2
done
log "cluster did not come up; node states:"
sinfo -N -l >&2 || true
tail -n 30 "$HOME_DIR/log/slurmctld.log" >&2 || true
exit 1
