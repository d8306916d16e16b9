# Shared helpers of the test bed (sourced by scripts/testbed.sh). No side effects when sourced.
# shellcheck shell=bash

shopt -u patsub_replacement 2>/dev/null || true  # bash 5.2: no "&" magic in ${x//a/b}

TB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TB_DIR="$TB_ROOT/scripts/testbed"
STATE="${TESTBED_STATE:-$TB_ROOT/.testbed}"
PIDS="$STATE/pids"
LOGS="$STATE/logs"
PKI="$STATE/pki"
USERS_DIR="$STATE/users"
ADMIN_KUBECONFIG="$STATE/kubeconfig"
PORTS_FILE="$STATE/ports"
# shellcheck source=testbed/versions.sh
source "$TB_DIR/versions.sh"

KUBECTL="$K8S_DIR/kubectl"
TB_USERS=(alice bob sec viewer)
# group (O=) of each user's client certificate
declare -A TB_USER_GROUP=([alice]=aiops-approvers [bob]=aiops-approvers [sec]=aiops-security [viewer]=aiops-viewers)
SCENARIOS=(crashloop-missing-env oomkill-memory-leak imagepull-bad-tag liveness-failure readiness-failure
  pending-no-resources service-wrong-selector rightsizing healthy)
NODES=(kwok-node-0 kwok-node-1 kwok-node-2)
# start order; `down` stops in reverse
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok registry-404 containerd kubelet kube-proxy
  apiserver-forwarder metrics-server pod-sd prometheus)

log() { echo "[testbed $(date +%H:%M:%S)] $*" >&2; }
die() { echo "testbed: ERROR: $*" >&2; exit 1; }

find_node() {
  local n
  for n in "${NODE:-}" "$TB_ROOT/node_modules/.bin/node" "$(command -v node 2>/dev/null || true)"; do
    if [ -n "$n" ] && [ -x "$n" ]; then echo "$n"; return 0; fi
  done
  return 1
}

kc() { "$KUBECTL" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }

# ---- ports ---------------------------------------------------------------------------------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { # prints a port on 127.0.0.1 that nothing listens on and that we have not handed out
  local p tries=0
  while [ $tries -lt 200 ]; do
    p=$((20000 + RANDOM % 30000))
    tries=$((tries + 1))
    if port_in_use "$p"; then continue; fi
    if [[ " ${_TB_TAKEN_PORTS:-} " == *" $p "* ]]; then continue; fi
    _TB_TAKEN_PORTS="${_TB_TAKEN_PORTS:-} $p"
    echo "$p"; return 0
  done
  die "no free port found on 127.0.0.1"
}

load_ports() { [ -f "$PORTS_FILE" ] && source "$PORTS_FILE"; }

# ports on 127.0.0.1 of the real node's processes (added after the first layout of the file)
NODE_PORT_NAMES=(KUBELET_HEALTHZ_PORT KUBE_PROXY_HEALTHZ_PORT KUBE_PROXY_METRICS_PORT POD_SD_PORT)

ensure_ports() {
  if [ -f "$PORTS_FILE" ]; then
    load_ports
    local n
    for n in "${NODE_PORT_NAMES[@]}"; do
      if [ -z "${!n:-}" ]; then printf -v "$n" '%s' "$(free_port)"; echo "$n=${!n}" >> "$PORTS_FILE"; fi
    done
    return 0
  fi
  mkdir -p "$STATE"
  ETCD_PORT=$(free_port); ETCD_PEER_PORT=$(free_port); APISERVER_PORT=$(free_port)
  KCM_PORT=$(free_port); SCHEDULER_PORT=$(free_port); KWOK_PORT=$(free_port)
  METRICS_SERVER_PORT=$(free_port); PROMETHEUS_PORT=$(free_port)
  cat > "$PORTS_FILE" <<EOF
# ports of the test bed on 127.0.0.1 (chosen at first \`up\`)
ETCD_PORT=$ETCD_PORT
ETCD_PEER_PORT=$ETCD_PEER_PORT
APISERVER_PORT=$APISERVER_PORT
KCM_PORT=$KCM_PORT
SCHEDULER_PORT=$SCHEDULER_PORT
KWOK_PORT=$KWOK_PORT
METRICS_SERVER_PORT=$METRICS_SERVER_PORT
PROMETHEUS_PORT=$PROMETHEUS_PORT
EOF
  local n
  for n in "${NODE_PORT_NAMES[@]}"; do printf -v "$n" '%s' "$(free_port)"; echo "$n=${!n}" >> "$PORTS_FILE"; done
}

# ---- processes -----------------------------------------------------------------------------
pid_of() { [ -f "$PIDS/$1.pid" ] && cat "$PIDS/$1.pid"; }

is_running() { # is_running <component>: its recorded pid is alive and is still that program
  local pid; pid="$(pid_of "$1" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  local exe; exe="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$exe" == *"$1"* ]]
}

start_proc() { # start_proc <component> <binary> <args...>: background, own session, pid recorded
  local name="$1"; shift
  if is_running "$name"; then log "$name already running (pid $(pid_of "$name"))"; return 0; fi
  mkdir -p "$PIDS" "$LOGS"
  log "starting $name"
  # setsid: survives the calling shell/npm; `exec` keeps the recorded pid the program's own
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$PIDS/$name.pid" "$@" >> "$LOGS/$name.log" 2>&1 < /dev/null &
  local i
  for i in $(seq 1 50); do [ -s "$PIDS/$name.pid" ] && break; sleep 0.1; done
  sleep 0.5
  is_running "$name" || { tail -n 30 "$LOGS/$name.log" >&2; die "$name exited at once (log: $LOGS/$name.log)"; }
}

stop_proc() { # stop_proc <component>: SIGTERM its own pid, then SIGKILL after 15 s
  local name="$1" pid
  pid="$(pid_of "$name" 2>/dev/null)" || return 0
  if is_running "$name"; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "$name did not stop, SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.3; fi
  fi
  rm -f "$PIDS/$name.pid"
}

wait_for() { # wait_for <description> <timeout seconds> <command...>
  local desc="$1" timeout="$2"; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "testbed: TIMEOUT after ${timeout}s waiting for: $desc" >&2
      return 1
    fi
    sleep 1
  done
}

# ---- templates -----------------------------------------------------------------------------
# render <file> KEY=VALUE...: replaces @@KEY@@ by VALUE, and @@IPS@@ / @@NOT_READY_CONDITIONS@@
# by the shared stage fragments.
render() {
  local file="$1"; shift
  local content kv key val
  content="$(cat "$file")"
  content="${content//@@IPS@@/$(cat "$TB_DIR/stages/_ips.fragment")}"
  content="${content//@@NOT_READY_CONDITIONS@@/$(cat "$TB_DIR/stages/_not-ready.fragment")}"
  for kv in "$@"; do
    key="${kv%%=*}"; val="${kv#*=}"
    content="${content//@@${key}@@/$val}"
  done
  if [[ "$content" == *"@@"*"@@"* ]]; then
    die "render $file: unreplaced placeholder: $(grep -o '@@[A-Z_]*@@' <<<"$content" | sort -u | tr '\n' ' ')"
  fi
  printf '%s\n' "$content"
}
