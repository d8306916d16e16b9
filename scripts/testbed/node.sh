# The real node of the test bed: kubelet + containerd + runc + CNI + kube-proxy beside the kwok
# nodes (sourced by scripts/testbed.sh; no side effects when sourced).
# shellcheck shell=bash
#
# Everything it changes on the machine is listed here and undone by node_down:
# - a bridge REAL_BRIDGE holding REAL_NODE_IP (the node's address: the kubelet API, the API server
#   forwarder and pods' gateway listen only there), veths and network namespaces of the pods;
# - an nft table `inet aiops_testbed_guard` that drops any packet for the pod, Service and kwok
#   ranges leaving through another interface (so no test traffic leaves the machine), and the
#   tables kube-proxy, the kubelet and the CNI portmap plugin write;
# - cgroups under REAL_CGROUP_ROOT in every v1 hierarchy (and kubepods where the kubelet makes it);
# - sysctls: net.ipv4.ip_forward, and vm.overcommit_memory, kernel.panic, kernel.panic_on_oops
#   (the kubelet rewrites them); the values found at the first `up` are saved and restored;
# - mounts under the node's state folder, /run/containerd, /run/nri, /run/netns, and the
#   kubelet's hard-coded /var/lib/kubelet/device-plugins and /var/log/containers links.

REAL_NODE_NAME="${TESTBED_REAL_NODE:-real-node-0}"
REAL_BRIDGE=aiops-br0
REAL_POD_CIDR=10.245.1.0/24
REAL_NODE_IP=10.245.1.1
SERVICE_CIDR=10.0.0.0/24
KWOK_POD_CIDR=10.244.0.0/16
REAL_CGROUP_ROOT=aiops-testbed
GUARD_TABLE=aiops_testbed_guard
# Pods meant for the real node tolerate this taint and select this label; everything else (the
# e2e suites' own nginx Deployments, the scale benchmark) stays on the kwok nodes.
REAL_NODE_TAINT_KEY=aiops.dev/real-node
NODE_STATE="$STATE/node"
CONTAINERD_SOCK="$NODE_STATE/containerd/containerd.sock"
NODE_SYSCTLS=(net.ipv4.ip_forward vm.overcommit_memory kernel.panic kernel.panic_on_oops)
# The API server as pods see it (the `kubernetes` Service): a forwarder on the node address.
APISERVER_NODE_PORT=6443
PAUSE_IMAGE=registry.k8s.io/pause:3.10.2
# every pod of the real node runs this image (scripts/testbed/demo-app), imported, never pulled
DEMO_IMAGE=127.0.0.1:5000/demo:1

crictl_() { "$NODE_BIN_DIR/crictl" --runtime-endpoint "unix://$CONTAINERD_SOCK" --timeout 10s "$@"; }
ctr_() { "$NODE_BIN_DIR/ctr" --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

node_supported() { # can this machine run a kubelet? prints why not
  if [ "$(id -u)" != 0 ]; then echo "not root"; return 1; fi
  if [ ! -d /sys/fs/cgroup/memory ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then echo "no memory cgroup"; return 1; fi
  if ! ip link add aiops-probe0 type bridge 2>/dev/null; then echo "cannot create a bridge (no CAP_NET_ADMIN)"; return 1; fi
  ip link del aiops-probe0 2>/dev/null || true
  return 0
}

# ---- sysctls -------------------------------------------------------------------------------
save_sysctls() { # the first up saves the machine's values; later ups (after a crash) keep them
  local f="$NODE_STATE/sysctls.saved" s
  [ -f "$f" ] && return 0
  mkdir -p "$NODE_STATE"
  for s in "${NODE_SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")"; done > "$f.tmp" && mv "$f.tmp" "$f"
}

restore_sysctls() {
  local f="$NODE_STATE/sysctls.saved" line
  [ -f "$f" ] || return 0
  while IFS= read -r line; do
    [ -n "$line" ] && sysctl -q -w "$line" >/dev/null || true
  done < "$f"
  log "sysctls restored: $(tr '\n' ' ' < "$f")"
}

# ---- network -------------------------------------------------------------------------------
nft_tables() { nft list tables 2>/dev/null | sort; }

save_nft_tables() { # tables that existed before the node: down leaves them (minus our chains)
  [ -f "$NODE_STATE/nft-tables.before" ] || nft_tables > "$NODE_STATE/nft-tables.before"
}

# Folders the kubelet, containerd and the CNI plugins use at fixed paths, whatever their
# configuration says; down removes the ones that were not there before the first up.
HARD_CODED_PATHS=(/var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni /run/containerd /run/nri /run/netns)

save_paths() {
  local f="$NODE_STATE/paths.before" p
  [ -f "$f" ] && return 0
  for p in "${HARD_CODED_PATHS[@]}"; do [ -e "$p" ] && echo "$p"; done > "$f.tmp"
  mv "$f.tmp" "$f"
}

# Without the record (a state from before it was kept), assume it was there: never delete blindly.
existed_before() { [ ! -f "$NODE_STATE/paths.before" ] || grep -qxF "$1" "$NODE_STATE/paths.before"; }

ensure_bridge() {
  if ! ip link show "$REAL_BRIDGE" >/dev/null 2>&1; then
    ip link add "$REAL_BRIDGE" type bridge
  fi
  # (no `ip | grep -q`: with pipefail, grep's early exit would fail the pipeline)
  local addrs; addrs="$(ip -o addr show dev "$REAL_BRIDGE")"
  [[ "$addrs" == *"inet $REAL_NODE_IP/"* ]] || ip addr add "$REAL_NODE_IP/24" dev "$REAL_BRIDGE"
  ip link set "$REAL_BRIDGE" up
}

# Drops packets for the pod, Service and kwok ranges that would leave through any interface but
# the bridge and loopback. Hooked at forward (pods) and postrouting (the host, after kube-proxy's
# DNAT has chosen the real destination); matched on the destination and on the conntrack original
# destination, so a ClusterIP without endpoints cannot leak either.
ensure_guard() {
  local ranges="$REAL_POD_CIDR, $SERVICE_CIDR, $KWOK_POD_CIDR"
  nft -f - <<EOF
table inet $GUARD_TABLE
delete table inet $GUARD_TABLE
table inet $GUARD_TABLE {
  set ranges { type ipv4_addr; flags interval; elements = { $ranges } }
  chain forward {
    type filter hook forward priority -300; policy accept;
    oifname != { "$REAL_BRIDGE", "lo" } ip daddr @ranges counter drop
    oifname != { "$REAL_BRIDGE", "lo" } ct original ip daddr @ranges counter drop
  }
  chain postrouting {
    type filter hook postrouting priority 300; policy accept;
    oifname != { "$REAL_BRIDGE", "lo" } ip daddr @ranges counter drop
    oifname != { "$REAL_BRIDGE", "lo" } ct original ip daddr @ranges counter drop
  }
}
EOF
}

write_cni_config() {
  mkdir -p "$NODE_STATE/cni/net.d" "$NODE_STATE/cni/ipam"
  cat > "$NODE_STATE/cni/net.d/10-aiops.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "aiops-testbed",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$REAL_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$NODE_STATE/cni/ipam",
        "ranges": [[{"subnet": "$REAL_POD_CIDR", "rangeStart": "10.245.1.10", "gateway": "$REAL_NODE_IP"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
}

# ---- cgroups -------------------------------------------------------------------------------
cgroup_v1_dirs() { # every v1 hierarchy, the named systemd one too (the kubelet checks it)
  local d
  for d in /sys/fs/cgroup/*/; do
    d="${d%/}"
    [ "$(basename "$d")" = unified ] && continue
    [ -f "$d/cgroup.procs" ] && echo "$d"
  done
}

cgroup_all_dirs() { # the v1 hierarchies and the unified one (the kubelet makes its root there too)
  cgroup_v1_dirs
  [ -f /sys/fs/cgroup/unified/cgroup.procs ] && echo /sys/fs/cgroup/unified
  [ -f /sys/fs/cgroup/cgroup.procs ] && echo /sys/fs/cgroup
  return 0
}

ensure_cgroup_root() {
  local d
  for d in $(cgroup_v1_dirs); do
    mkdir -p "$d/$REAL_CGROUP_ROOT"
    if [ -f "$d/cpuset.cpus" ]; then
      [ -s "$d/$REAL_CGROUP_ROOT/cpuset.cpus" ] && [ -n "$(tr -d '\n' < "$d/$REAL_CGROUP_ROOT/cpuset.cpus")" ] || cat "$d/cpuset.cpus" > "$d/$REAL_CGROUP_ROOT/cpuset.cpus"
      [ -n "$(tr -d '\n' < "$d/$REAL_CGROUP_ROOT/cpuset.mems")" ] || cat "$d/cpuset.mems" > "$d/$REAL_CGROUP_ROOT/cpuset.mems"
    fi
  done
}

remove_cgroup_tree() { # remove_cgroup_tree <dir>: depth first; kill what is left inside first
  local top="$1" d p
  [ -d "$top" ] || return 0
  while IFS= read -r d; do
    if [ -f "$d/cgroup.procs" ]; then
      while IFS= read -r p; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done < "$d/cgroup.procs"
    fi
  done < <(find "$top" -depth -type d)
  sleep 0.2
  find "$top" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  [ -d "$top" ] && log "WARNING: could not remove cgroup $top"
  return 0
}

# ---- certificates and kubeconfigs ----------------------------------------------------------
ensure_node_pki() {
  client_cert "node-$REAL_NODE_NAME" "system:node:$REAL_NODE_NAME" system:nodes
  client_cert kube-proxy system:kube-proxy
  # Prometheus scrapes the kubelet and discovers pods with this identity
  client_cert prometheus system:aiops-prometheus system:masters
  sign_cert "kubelet-$REAL_NODE_NAME" "/CN=$REAL_NODE_NAME" ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:$REAL_NODE_IP,DNS:$REAL_NODE_NAME"
  # the API server as pods reach it: the kubernetes Service's ClusterIP and the node address
  local sans; sans="$(openssl x509 -in "$PKI/apiserver.crt" -noout -ext subjectAltName 2>/dev/null || true)"
  if [[ "$sans" != *"IP Address:$REAL_NODE_IP"* ]]; then
    rm -f "$PKI/apiserver.crt" "$PKI/apiserver.key"
    sign_cert apiserver "/CN=kube-apiserver" ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.0.0.1,IP:$REAL_NODE_IP"
  fi
  chmod 600 "$PKI"/*.key
}

# ---- containerd ----------------------------------------------------------------------------
write_containerd_config() {
  local d="$NODE_STATE/containerd"
  mkdir -p "$d/root" "$d/state"
  cat > "$d/config.toml" <<EOF
# containerd for the test bed's real node: all state under $d, CRI only.
version = 3
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.nri.v1.nri", "io.containerd.grpc.v1.opt"]

[grpc]
  address = "$CONTAINERD_SOCK"

[ttrpc]
  address = "$d/containerd.ttrpc.sock"

[debug]
  address = "$d/debug.sock"
  level = "warn"

[plugins."io.containerd.cri.v1.runtime"]
  # the VM has no CAP_SYS_RESOURCE: runc cannot lower oom_score_adj below its own
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false
  [plugins."io.containerd.cri.v1.runtime".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
        BinaryName = "$NODE_BIN_DIR/runc"
        SystemdCgroup = false
  [plugins."io.containerd.cri.v1.runtime".cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = "$NODE_STATE/cni/net.d"
    max_conf_num = 1

[plugins."io.containerd.cri.v1.images"]
  snapshotter = "overlayfs"
  [plugins."io.containerd.cri.v1.images".pinned_images]
    sandbox = "$PAUSE_IMAGE"
  [plugins."io.containerd.cri.v1.images".registry]
    config_path = "$d/certs.d"

[plugins."io.containerd.grpc.v1.cri"]
  disable_tcp_service = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
EOF
  # the loopback registry address of the test bed's images is plain HTTP
  mkdir -p "$d/certs.d/127.0.0.1:5000"
  cat > "$d/certs.d/127.0.0.1:5000/hosts.toml" <<EOF
server = "http://127.0.0.1:5000"
[host."http://127.0.0.1:5000"]
  capabilities = ["pull", "resolve"]
EOF
}

containerd_ready() { crictl_ info >/dev/null 2>&1; }

start_containerd() {
  # a running process keeps its files (kube-proxy even exits when its configuration changes)
  if is_running containerd; then log "containerd already running (pid $(pid_of containerd))"; return 0; fi
  write_containerd_config
  # the shim is found on PATH
  PATH="$NODE_BIN_DIR:$PATH" start_proc containerd "$NODE_BIN_DIR/containerd" --config "$NODE_STATE/containerd/config.toml"
  wait_for "containerd CRI on $CONTAINERD_SOCK" 60 containerd_ready || { tail -n 30 "$LOGS/containerd.log" >&2; die "containerd not ready (log: $LOGS/containerd.log)"; }
}

import_images() { # the pause and demo images, built here (no registry can be reached)
  local archive name
  while IFS= read -r archive; do
    [ -n "$archive" ] || continue
    ctr_ images import --all-platforms "$archive" >/dev/null 2>>"$LOGS/containerd-import.log" \
      || die "ctr images import $archive failed (log: $LOGS/containerd-import.log)"
  done < <(build_images)
  local present; present="$(ctr_ images ls -q 2>/dev/null)"
  for name in "$PAUSE_IMAGE" "$DEMO_IMAGE"; do
    grep -qxF "$name" <<<"$present" || die "image $name missing in containerd after import"
  done
}

# ---- kubelet -------------------------------------------------------------------------------
write_kubelet_config() {
  local d="$NODE_STATE/kubelet"
  mkdir -p "$d/root" "$d/certs" "$NODE_STATE/pod-logs"
  : > "$d/resolv.conf"
  write_kubeconfig "$d/kubeconfig" "system:node:$REAL_NODE_NAME" "node-$REAL_NODE_NAME"
  cat > "$d/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $REAL_NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $PKI/kubelet-$REAL_NODE_NAME.crt
tlsPrivateKeyFile: $PKI/kubelet-$REAL_NODE_NAME.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
cgroupRoot: /$REAL_CGROUP_ROOT
# the machines run cgroups v1 (hybrid); kubelet 1.35+ refuses it unless told
failCgroupV1: false
failSwapOn: false
# no CAP_SYS_RESOURCE: the kubelet cannot lower its own OOM score
oomScoreAdj: 0
resolvConf: $d/resolv.conf
podLogsDir: $NODE_STATE/pod-logs
registerWithTaints:
- {key: $REAL_NODE_TAINT_KEY, value: "true", effect: NoSchedule}
maxPods: 40
serializeImagePulls: false
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
syncFrequency: 10s
nodeStatusUpdateFrequency: 10s
shutdownGracePeriod: 0s
EOF
}

node_ready() {
  [ "$(kc get node "$REAL_NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

start_kubelet() {
  if is_running kubelet; then log "kubelet already running (pid $(pid_of kubelet))"; wait_for "node $REAL_NODE_NAME Ready" 120 node_ready; return; fi
  write_kubelet_config
  local d="$NODE_STATE/kubelet"
  start_proc kubelet "$K8S_DIR/kubelet" --config="$d/config.yaml" --kubeconfig="$d/kubeconfig" \
    --root-dir="$d/root" --cert-dir="$d/certs" --hostname-override="$REAL_NODE_NAME" \
    --node-ip="$REAL_NODE_IP" --node-labels="type=real,$REAL_NODE_TAINT_KEY=true" \
    --containerd="$CONTAINERD_SOCK" --v=1
  wait_for "node $REAL_NODE_NAME Ready" 120 node_ready || { tail -n 40 "$LOGS/kubelet.log" >&2; die "the real node did not become Ready (log: $LOGS/kubelet.log)"; }
}

# ---- kube-proxy ----------------------------------------------------------------------------
start_kube_proxy() {
  if is_running kube-proxy; then log "kube-proxy already running (pid $(pid_of kube-proxy))"; return 0; fi
  local d="$NODE_STATE/kube-proxy"
  mkdir -p "$d"
  write_kubeconfig "$d/kubeconfig" system:kube-proxy kube-proxy
  cat > "$d/config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $d/kubeconfig}
hostnameOverride: $REAL_NODE_NAME
mode: nftables
clusterCIDR: $REAL_POD_CIDR
bindAddress: $REAL_NODE_IP
healthzBindAddress: 127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$KUBE_PROXY_METRICS_PORT
nodePortAddresses: ["$REAL_NODE_IP/32"]
# zeros: kube-proxy leaves the machine's conntrack sysctls alone
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  start_proc kube-proxy "$K8S_DIR/kube-proxy" --config="$d/config.yaml" --v=1
}

# ---- the API server as pods see it ---------------------------------------------------------
# The API server listens on 127.0.0.1 only; pods reach it through the `kubernetes` Service
# (10.0.0.1:443), whose endpoint is a forwarder on the node address (the API server runs with
# --endpoint-reconciler-type=none, so the endpoint is written here).
start_apiserver_forwarder() {
  start_proc apiserver-forwarder "$(find_node)" "$TB_DIR/tcp-forward.mjs" \
    --listen "$REAL_NODE_IP:$APISERVER_NODE_PORT" --to "127.0.0.1:$APISERVER_PORT" --name apiserver-forwarder
  kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Endpoints
metadata:
  name: kubernetes
  namespace: default
  labels: {endpointslice.kubernetes.io/skip-mirror: "true"}
subsets:
- addresses: [{ip: $REAL_NODE_IP}]
  ports: [{name: https, port: $APISERVER_NODE_PORT, protocol: TCP}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kubernetes
  namespace: default
  labels: {kubernetes.io/service-name: kubernetes, endpointslice.kubernetes.io/managed-by: aiops-testbed}
addressType: IPv4
endpoints:
- addresses: [$REAL_NODE_IP]
  conditions: {ready: true}
ports:
- {name: https, port: $APISERVER_NODE_PORT, protocol: TCP}
EOF
}

# ---- up / down / status --------------------------------------------------------------------
node_up() {
  local why
  why="$(node_supported)" || die "this machine cannot run the real node: $why (the kubelet needs root, cgroups and CAP_NET_ADMIN)"
  mkdir -p "$NODE_STATE"
  save_sysctls
  save_nft_tables
  save_paths
  sysctl -q -w net.ipv4.ip_forward=1
  ensure_node_pki
  ensure_bridge
  ensure_guard
  write_cni_config
  ensure_cgroup_root
  start_containerd
  import_images
  start_kubelet
  start_kube_proxy
  start_apiserver_forwarder
  log "real node $REAL_NODE_NAME Ready (pods on $REAL_POD_CIDR, node address $REAL_NODE_IP)"
}

stop_pods_on_node() { # every pod sandbox through the CRI: CNI DEL, netns unmounted, shims exit
  containerd_ready || return 0
  local ids
  ids="$(crictl_ pods -q 2>/dev/null || true)"
  [ -n "$ids" ] || return 0
  log "removing $(wc -w <<<"$ids") pod sandboxes from the real node"
  # shellcheck disable=SC2086
  crictl_ stopp $ids >/dev/null 2>&1 || true
  # shellcheck disable=SC2086
  crictl_ rmp -f $ids >/dev/null 2>&1 || true
}

kill_leftover_shims() { # shims of our containerd (their command line names our socket)
  local p cmd
  for p in /proc/[0-9]*; do
    cmd="$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)" || continue
    case "$cmd" in
      *containerd-shim-runc-v2*"$NODE_STATE"*|*containerd-shim-runc-v2*"$CONTAINERD_SOCK"*)
        kill -KILL "${p#/proc/}" 2>/dev/null || true ;;
    esac
  done
}

unmount_under() { # unmount_under <dir>: every mount point at or below it, deepest first
  local m
  while IFS= read -r m; do
    [ -n "$m" ] && umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$1" '$5 == d || index($5, d "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)
}

clean_nft() {
  # kube-proxy removes its own tables
  if [ -x "$K8S_DIR/kube-proxy" ]; then "$K8S_DIR/kube-proxy" --cleanup >/dev/null 2>&1 || true; fi
  nft delete table inet "$GUARD_TABLE" 2>/dev/null || true
  local before="$NODE_STATE/nft-tables.before" t fam name
  while IFS= read -r t; do
    [ -n "$t" ] || continue
    fam="$(awk '{print $2}' <<<"$t")"; name="$(awk '{print $3}' <<<"$t")"
    # a table the machine had, or any table when the record is missing (never delete blindly)
    if [ ! -f "$before" ] || grep -qxF "$t" "$before"; then
      # remove only the chains the kubelet, kube-proxy and CNI made
      local ch
      for ch in $(nft list table "$fam" "$name" 2>/dev/null | awk '$1 == "chain" && ($2 ~ /^(KUBE-|CNI-)/) {print $2}'); do
        nft flush chain "$fam" "$name" "$ch" 2>/dev/null || true
      done
      for ch in $(nft list table "$fam" "$name" 2>/dev/null | awk '$1 == "chain" && ($2 ~ /^(KUBE-|CNI-)/) {print $2}'); do
        nft delete chain "$fam" "$name" "$ch" 2>/dev/null || true
      done
    else
      nft delete table "$fam" "$name" 2>/dev/null || true
    fi
  done < <(nft_tables)
}

node_down() {
  [ -d "$NODE_STATE" ] || return 0
  stop_proc apiserver-forwarder
  stop_proc kube-proxy
  stop_proc kubelet
  if ! is_running containerd && [ -x "$NODE_BIN_DIR/containerd" ] && [ -f "$NODE_STATE/containerd/config.toml" ]; then
    # containerd died (crash): start it once more so that the pods are torn down through the CRI
    PATH="$NODE_BIN_DIR:$PATH" start_proc containerd "$NODE_BIN_DIR/containerd" --config "$NODE_STATE/containerd/config.toml" || true
    wait_for "containerd (for cleanup)" 20 containerd_ready || true
  fi
  stop_pods_on_node
  stop_proc containerd
  kill_leftover_shims
  unmount_under "$NODE_STATE"
  unmount_under /run/containerd
  unmount_under /run/netns
  # hard-coded paths: the whole folder when it was not there before, else only our entries
  local p l
  for p in /run/containerd /run/nri /var/lib/cni; do
    existed_before "$p" || rm -rf "$p"
  done
  if existed_before /var/lib/cni; then rm -f /var/lib/cni/results/aiops-testbed-* 2>/dev/null || true; fi
  existed_before /run/netns || rmdir /run/netns 2>/dev/null || true
  rm -f /var/lib/kubelet/device-plugins/kubelet.sock
  if existed_before /var/lib/kubelet; then rmdir /var/lib/kubelet/device-plugins 2>/dev/null || true; else rm -rf /var/lib/kubelet; fi
  for l in /var/log/containers/*; do
    [ -L "$l" ] && [[ "$(readlink "$l")" == "$NODE_STATE"/* ]] && rm -f "$l"
  done
  existed_before /var/log/containers || rmdir /var/log/containers 2>/dev/null || true
  existed_before /var/log/pods || rmdir /var/log/pods 2>/dev/null || true
  clean_nft
  ip link del "$REAL_BRIDGE" 2>/dev/null || true
  local d
  for d in $(cgroup_all_dirs); do
    remove_cgroup_tree "$d/$REAL_CGROUP_ROOT"
  done
  restore_sysctls
  log "real node $REAL_NODE_NAME stopped and its traces removed"
}

node_status() {
  [ -d "$NODE_STATE" ] || { echo "real node: not up"; return 0; }
  echo "real node: $REAL_NODE_NAME, kubelet $K8S_VERSION, containerd $CONTAINERD_VERSION, runc $RUNC_VERSION, pods $REAL_POD_CIDR on $REAL_BRIDGE ($REAL_NODE_IP)"
  local c
  for c in containerd kubelet kube-proxy apiserver-forwarder; do
    if is_running "$c"; then printf '  %-20s pid %s\n' "$c" "$(pid_of "$c")"; else printf '  %-20s STOPPED\n' "$c"; fi
  done
  if containerd_ready; then
    echo "  runtime: $(crictl_ version 2>/dev/null | awk -F': *' '/RuntimeName|RuntimeVersion/ {printf "%s ", $2}')"
    echo "  containers running: $(crictl_ ps -q 2>/dev/null | wc -l), pod sandboxes: $(crictl_ pods -q 2>/dev/null | wc -l)"
  fi
  local rss=0 p
  for c in containerd kubelet; do
    p="$(pid_of "$c" 2>/dev/null)" && [ -r "/proc/$p/status" ] && rss=$((rss + $(awk '/VmRSS/ {print $2}' "/proc/$p/status")))
  done
  echo "  memory (RSS of kubelet + containerd): $((rss / 1024)) MiB"
}
