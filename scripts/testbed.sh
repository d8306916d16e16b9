#!/usr/bin/env bash
# The local Kubernetes test bed of kubectl-aiops: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok (fake nodes for scale), one real node (kubelet, containerd, runc, CNI,
# kube-proxy), metrics-server and Prometheus (scraping the real kubelet, plus backfilled history),
# all plain processes on 127.0.0.1 and the node's own bridge. See scripts/testbed/README.md.
#
#   bash scripts/testbed.sh up [--scenarios]   build what is missing (cached), start, idempotent
#   bash scripts/testbed.sh scenarios          (re)create the scenario namespaces
#   bash scripts/testbed.sh chaos KIND [-n NS] [deployment/NAME]
#                                              break a healthy demo Deployment on the real node
#                                              (KIND: bad-env, oom, bad-tag, liveness)
#   bash scripts/testbed.sh status             what runs, ports, versions, scenario states
#   bash scripts/testbed.sh down               stop what `up` started (by pid), undo its changes
#   bash scripts/testbed.sh build              only build/cache the binaries and images
set -euo pipefail

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testbed/lib.sh"
source "$TB_DIR/pki.sh"
source "$TB_DIR/scenarios.sh"
source "$TB_DIR/images.sh"
source "$TB_DIR/node.sh"
source "$TB_DIR/chaos.sh"

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

# ---- build ---------------------------------------------------------------------------------
cmd_build() {
  local blog="$TESTBED_CACHE/build-logs"
  mkdir -p "$blog"
  local need=0 b
  for b in $K8S_BINARIES; do [ -x "$K8S_DIR/$b" ] || need=1; done
  [ -x "$ETCD_DIR/etcd" ] && [ -x "$KWOK_DIR/kwok" ] && [ -x "$MS_DIR/metrics-server" ] || need=1
  [ -x "$NODE_BIN_DIR/containerd" ] && [ -x "$NODE_BIN_DIR/runc" ] && [ -x "$NODE_BIN_DIR/crictl" ] && [ -x /usr/lib/cni/bridge ] || need=1
  command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v openssl >/dev/null || need=1
  command -v nft >/dev/null && command -v iptables >/dev/null || need=1
  if [ $need = 0 ]; then build_images >/dev/null; return 0; fi
  local t0=$SECONDS c
  log "building what is missing (first run: about 12-15 min on 2 cores); logs in $blog/"
  for c in prometheus etcd kwok metrics-server kubernetes node-runtime; do
    if ! bash "$TB_DIR/build.sh" "$c" >> "$blog/$c.log" 2>&1; then
      tail -n 40 "$blog/$c.log" >&2
      die "building $c failed (full log: $blog/$c.log)"
    fi
  done
  build_images >/dev/null
  log "build done in $((SECONDS - t0))s"
}

kwok_src() { # the kwok module in the Go module cache (its stages, CRDs and metrics are read from there)
  local modcache
  local go; go="$(command -v go || echo /usr/local/go/bin/go)"
  modcache="$(GOTOOLCHAIN=local "$go" env GOMODCACHE 2>/dev/null || echo "$HOME/go/pkg/mod")"
  local d="$modcache/sigs.k8s.io/kwok@$KWOK_VERSION"
  if [ ! -d "$d/kustomize" ]; then
    (cd /tmp && GOTOOLCHAIN=local "$go" mod download "sigs.k8s.io/kwok@$KWOK_VERSION") >/dev/null 2>&1 || true
  fi
  [ -d "$d/kustomize" ] || die "kwok sources not found at $d (go mod download sigs.k8s.io/kwok@$KWOK_VERSION)"
  echo "$d"
}

# ---- up ------------------------------------------------------------------------------------
write_audit_policy() {
  cat > "$STATE/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
# one line per request (ResponseComplete / Panic) at Metadata level, so benchmarks can count
# API requests per user: jq -c 'select(.user.username=="alice")' .testbed/audit.log
omitStages: [RequestReceived]
rules:
- level: Metadata
EOF
}

start_etcd() {
  mkdir -p "$STATE/etcd"
  start_proc etcd "$ETCD_DIR/etcd" --name=testbed --data-dir="$STATE/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="testbed=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level=warn \
    --quota-backend-bytes=2147483648
  wait_for "etcd on 127.0.0.1:$ETCD_PORT" 60 port_in_use "$ETCD_PORT" || die "etcd did not start (log: $LOGS/etcd.log)"
}

apiserver_ready() { kc get --raw /readyz >/dev/null 2>&1; }

start_apiserver() {
  write_audit_policy
  start_proc kube-apiserver "$K8S_DIR/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --authorization-mode=Node,RBAC \
    --service-account-issuer="https://127.0.0.1:$APISERVER_PORT" \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 --allow-privileged=true \
    --endpoint-reconciler-type=none \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --enable-aggregator-routing=false \
    --audit-policy-file="$STATE/audit-policy.yaml" --audit-log-path="$STATE/audit.log" \
    --audit-log-maxsize=200 --audit-log-maxbackup=1 --audit-log-format=json
  wait_for "kube-apiserver /readyz" 120 apiserver_ready || { tail -n 30 "$LOGS/kube-apiserver.log" >&2; die "kube-apiserver not ready (log: $LOGS/kube-apiserver.log)"; }
  log "kube-apiserver ready on https://127.0.0.1:$APISERVER_PORT"
}

start_controllers() {
  local cdir="$STATE/components"; mkdir -p "$cdir"
  write_kubeconfig "$cdir/kube-controller-manager.kubeconfig" system:kube-controller-manager kube-controller-manager
  write_kubeconfig "$cdir/kube-scheduler.kubeconfig" system:kube-scheduler kube-scheduler
  start_proc kube-controller-manager "$K8S_DIR/kube-controller-manager" \
    --kubeconfig="$cdir/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$cdir/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$cdir/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --use-service-account-credentials=false
  start_proc kube-scheduler "$K8S_DIR/kube-scheduler" \
    --kubeconfig="$cdir/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$cdir/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$cdir/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --leader-elect=false
}

# The upstream kwok stages, read from the module cache, with our one change: the default
# pod-ready stage leaves pods labelled sim/fault alone (our own stages drive those).
apply_kwok_stages() {
  local src; src="$(kwok_src)/kustomize"
  local f out="$STATE/kwok/stages.yaml"
  mkdir -p "$STATE/kwok"
  : > "$out"
  for f in stage/node/fast/node-initialize.yaml stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           stage/pod/fast/pod-ready.yaml stage/pod/fast/pod-complete.yaml stage/pod/fast/pod-delete.yaml; do
    [ -f "$src/$f" ] || die "kwok stage $src/$f not found"
    if [ "$f" = stage/pod/fast/pod-ready.yaml ]; then
      # insert "- key: .metadata.labels["sim/fault"] operator: DoesNotExist" as the first match expression
      awk '{print} /^    matchExpressions:$/ && !done {print "    - key: '\''.metadata.labels[\"sim/fault\"]'\''"; print "      operator: '\''DoesNotExist'\''"; done=1}' \
        "$src/$f" >> "$out"
      grep -q 'sim/fault' "$out" || die "could not add the sim/fault exclusion to kwok's pod-ready stage"
    else
      cat "$src/$f" >> "$out"
    fi
    printf '\n---\n' >> "$out"
  done
  # metrics: kubelet-style /metrics/nodes/<node>/metrics/resource, usage from pod annotations
  cat "$src/metrics/resource/metrics-resource.yaml" >> "$out"; printf '\n---\n' >> "$out"
  cat "$src/metrics/usage/usage-from-annotation.yaml" >> "$out"; printf '\n' >> "$out"
  kc apply -f "$out" >/dev/null
}

install_kwok_crds() {
  local src; src="$(kwok_src)/kustomize/crd/bases"
  local crd
  for crd in stages metrics clusterresourceusages resourceusages clusterlogs logs; do
    kc apply --server-side --force-conflicts -f "$src/kwok.x-k8s.io_$crd.yaml" >/dev/null
  done
  kc wait --for=condition=Established --timeout=60s crd/stages.kwok.x-k8s.io crd/metrics.kwok.x-k8s.io \
    crd/clusterresourceusages.kwok.x-k8s.io crd/clusterlogs.kwok.x-k8s.io >/dev/null
}

create_nodes() {
  local n i=0
  for n in "${NODES[@]}"; do
    if ! kc get node "$n" >/dev/null 2>&1; then
      kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $n
  labels:
    type: kwok
    kubernetes.io/hostname: $n
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node.kubernetes.io/instance-type: testbed-4x16
    topology.kubernetes.io/zone: zone-$((i % 2))
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
    metrics.k8s.io/resource-metrics-path: /metrics/nodes/$n/metrics/resource
spec:
  podCIDR: 10.244.$i.0/24
  podCIDRs: [10.244.$i.0/24]
EOF
    fi
    # capacity is status: set it through the status subresource (create may drop it)
    kc patch node "$n" --subresource=status --type=merge -p \
      '{"status":{"capacity":{"cpu":"4","memory":"16Gi","pods":"110","ephemeral-storage":"100Gi"},"allocatable":{"cpu":"4","memory":"16Gi","pods":"110","ephemeral-storage":"100Gi"},"nodeInfo":{"architecture":"amd64","operatingSystem":"linux","osImage":"kwok fake node","kubeletVersion":"'"$K8S_VERSION"'"}}}' >/dev/null
    i=$((i + 1))
  done
}

nodes_ready() {
  local n s
  for n in "${NODES[@]}"; do
    s="$(kc get node "$n" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)"
    [ "$s" = True ] || return 1
  done
}

start_kwok() {
  local cdir="$STATE/components"; mkdir -p "$cdir" "$STATE/kwok"
  write_kubeconfig "$cdir/kwok.kubeconfig" system:kwok kwok
  # no --config: kwok's defaults plus the flags below; stages and metrics come from the CRDs
  start_proc kwok "$KWOK_DIR/kwok" \
    --kubeconfig="$cdir/kwok.kubeconfig" --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-ip=127.0.0.1 --node-port="$KWOK_PORT" --server-address="127.0.0.1:$KWOK_PORT" \
    --tls-cert-file="$PKI/serving.crt" --tls-private-key-file="$PKI/serving.key" \
    --cidr=10.244.0.1/16 --node-lease-duration-seconds=40 \
    --enable-crds=Stage,Metric,ClusterResourceUsage,ResourceUsage,ClusterLogs,Logs
  wait_for "kwok nodes Ready" 90 nodes_ready || { tail -n 30 "$LOGS/kwok.log" >&2; die "kwok nodes not Ready (log: $LOGS/kwok.log)"; }
  log "nodes ready: ${NODES[*]}"
}

metrics_api_ready() { kc get --raw /apis/metrics.k8s.io/v1beta1/nodes >/dev/null 2>&1; }

start_metrics_server() {
  local cdir="$STATE/components"
  write_kubeconfig "$cdir/metrics-server.kubeconfig" system:metrics-server metrics-server
  start_proc metrics-server "$MS_DIR/metrics-server" \
    --kubeconfig="$cdir/metrics-server.kubeconfig" \
    --authentication-kubeconfig="$cdir/metrics-server.kubeconfig" \
    --authorization-kubeconfig="$cdir/metrics-server.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$METRICS_SERVER_PORT" \
    --tls-cert-file="$PKI/serving.crt" --tls-private-key-file="$PKI/serving.key" \
    --kubelet-preferred-address-types=InternalIP --kubelet-use-node-status-port --kubelet-insecure-tls \
    --metric-resolution=15s
  # the aggregator reaches it through a Service of type ExternalName (no cluster IP, no 10.x traffic)
  kc apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata:
  name: metrics-server
  namespace: kube-system
  labels: {app.kubernetes.io/part-of: aiops-testbed}
spec:
  type: ExternalName
  externalName: localhost
  ports:
  - {name: https, port: $METRICS_SERVER_PORT, protocol: TCP}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.metrics.k8s.io
  labels: {app.kubernetes.io/part-of: aiops-testbed}
spec:
  group: metrics.k8s.io
  version: v1beta1
  service: {name: metrics-server, namespace: kube-system, port: $METRICS_SERVER_PORT}
  insecureSkipTLSVerify: true
  groupPriorityMinimum: 100
  versionPriority: 100
EOF
  if wait_for "metrics.k8s.io API through the aggregator" 90 metrics_api_ready; then
    log "metrics.k8s.io available (kubectl top works)"
  else
    log "WARNING: metrics.k8s.io not available through the aggregator; see $LOGS/metrics-server.log and $LOGS/kube-apiserver.log (fallback: query Prometheus)"
  fi
}

# Prometheus scrapes the real kubelet (cAdvisor, resource metrics, its own) and the pods of the
# real node that ask for it (annotation prometheus.io/scrape), found by pod-sd.mjs through the API
# server (Debian's Prometheus has no Kubernetes SD). The kwok nodes' pod IPs are fiction: only
# pods of the real node are targets.
write_prometheus_config() {
  local f="$STATE/prometheus/prometheus.yml" job path
  {
    echo "# Live series from the real node (15 s scrapes) beside 7 days of backfilled history"
    echo "# (promtool tsdb create-blocks-from openmetrics, see scenarios.sh)."
    echo "global: {scrape_interval: 15s, scrape_timeout: 10s}"
    echo "scrape_configs:"
    for job in kubelet-cadvisor:/metrics/cadvisor kubelet-resource:/metrics/resource kubelet:/metrics; do
      path="${job#*:}"; job="${job%%:*}"
      cat <<EOF
- job_name: $job
  scheme: https
  metrics_path: $path
  tls_config: {ca_file: $PKI/ca.crt, cert_file: $PKI/prometheus.crt, key_file: $PKI/prometheus.key}
  static_configs:
  - targets: ['$REAL_NODE_IP:10250']
    labels: {node: $REAL_NODE_NAME}
EOF
    done
    cat <<EOF
- job_name: pods
  http_sd_configs:
  - url: http://127.0.0.1:$POD_SD_PORT/targets
    refresh_interval: 10s
EOF
  } > "$f"
  promtool check config "$f" > "$LOGS/promtool-config.log" 2>&1 \
    || { cat "$LOGS/promtool-config.log" >&2; die "the Prometheus configuration is invalid ($f)"; }
}

prometheus_ready() { port_in_use "$PROMETHEUS_PORT" && "$(find_node)" "$TB_DIR/promq.mjs" --url "http://127.0.0.1:$PROMETHEUS_PORT" --ready; }

start_pod_sd() {
  start_proc pod-sd "$(find_node)" "$TB_DIR/pod-sd.mjs" --listen "127.0.0.1:$POD_SD_PORT" \
    --server "https://127.0.0.1:$APISERVER_PORT" --ca "$PKI/ca.crt" --cert "$PKI/prometheus.crt" --key "$PKI/prometheus.key" \
    --node "$REAL_NODE_NAME"
}

start_prometheus() {
  mkdir -p "$STATE/prometheus/data"
  start_pod_sd
  write_prometheus_config
  start_proc prometheus "$(command -v prometheus)" --config.file="$STATE/prometheus/prometheus.yml" \
    --storage.tsdb.path="$STATE/prometheus/data" --storage.tsdb.retention.time=30d \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle
  wait_for "Prometheus on 127.0.0.1:$PROMETHEUS_PORT" 60 prometheus_ready || die "Prometheus not ready (log: $LOGS/prometheus.log)"
}

# The loopback registry the images are named after; it answers 404 to everything, so that a tag
# that does not exist fails to pull for real (see registry-404.mjs).
start_registry() {
  if ! is_running registry-404 && port_in_use 5000; then
    die "127.0.0.1:5000 is taken by another program; the test bed's images are named 127.0.0.1:5000/... (find it with: ss -ltnp 'sport = :5000')"
  fi
  start_proc registry-404 "$(find_node)" "$TB_DIR/registry-404.mjs" --listen 127.0.0.1:5000
}

apply_rbac() {
  kc apply -f "$TB_DIR/rbac.yaml" >/dev/null
}

write_env() {
  local u
  # admin: contexts "testbed" (current) and "admin"; users: "<user>" (current) and "testbed"
  write_kubeconfig "$ADMIN_KUBECONFIG" admin admin testbed admin
  mkdir -p "$USERS_DIR"
  for u in "${TB_USERS[@]}"; do write_kubeconfig "$USERS_DIR/$u.kubeconfig" "$u" "user-$u" "$u" testbed; done
  cat > "$STATE/env" <<EOF
# source me: . .testbed/env
export KUBECONFIG="$ADMIN_KUBECONFIG"
export PROMETHEUS_URL="http://127.0.0.1:$PROMETHEUS_PORT"
export TESTBED_BIN="$K8S_DIR"
export TESTBED_AUDIT_LOG="$STATE/audit.log"
export TESTBED_USERS_DIR="$USERS_DIR"
export TESTBED_REAL_NODE="$REAL_NODE_NAME"
export TESTBED_NODE_BIN="$NODE_BIN_DIR"
export CONTAINERD_ADDRESS="$CONTAINERD_SOCK"
export PATH="$K8S_DIR:\$PATH"
EOF
}

cmd_up() {
  local with_scenarios=0 a
  for a in "$@"; do
    case "$a" in
      --scenarios) with_scenarios=1 ;;
      *) die "up: unknown option $a" ;;
    esac
  done
  local t0=$SECONDS
  cmd_build
  command -v setsid >/dev/null || die "setsid (util-linux) is missing"
  find_node >/dev/null || die "node not found (run npm install, or set NODE=/path/to/node)"
  mkdir -p "$STATE" "$PIDS" "$LOGS"
  ensure_ports
  ensure_pki
  write_env
  start_etcd
  start_apiserver
  apply_rbac
  start_controllers
  install_kwok_crds
  apply_kwok_stages
  create_nodes
  start_kwok
  start_registry
  node_up
  start_metrics_server
  start_prometheus
  log "control plane up in $((SECONDS - t0))s"
  if [ $with_scenarios = 1 ]; then cmd_scenarios; fi
  echo "testbed is up. Use it with:  source $STATE/env"
}

# ---- down ----------------------------------------------------------------------------------
cmd_down() {
  local i
  load_ports || true
  node_down
  if [ -d "$PIDS" ]; then
    for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do stop_proc "${COMPONENTS[$i]}"; done
    local f
    for f in "$PIDS"/*.pid; do [ -e "$f" ] && stop_proc "$(basename "$f" .pid)"; done
  fi
  if [ -d "$STATE" ]; then
    rm -rf "$STATE"
    log "removed $STATE"
  else
    log "nothing to stop"
  fi
}

# ---- status --------------------------------------------------------------------------------
cmd_status() {
  if [ ! -f "$PORTS_FILE" ]; then echo "testbed: not up (no $PORTS_FILE)"; return 0; fi
  load_ports
  echo "versions: kubernetes $K8S_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION, metrics-server $MS_VERSION, $(prometheus --version 2>&1 | head -n1)"
  echo "binaries: $K8S_DIR, $ETCD_DIR, $KWOK_DIR, $MS_DIR"
  echo "state:    $STATE   (source $STATE/env)"
  echo
  printf '%-24s %-8s %-8s %s\n' COMPONENT PID STATE ADDRESS
  local c addr
  for c in "${COMPONENTS[@]}"; do
    case "$c" in
      etcd) addr="http://127.0.0.1:$ETCD_PORT" ;;
      kube-apiserver) addr="https://127.0.0.1:$APISERVER_PORT" ;;
      kube-controller-manager) addr="https://127.0.0.1:$KCM_PORT" ;;
      kube-scheduler) addr="https://127.0.0.1:$SCHEDULER_PORT" ;;
      kwok) addr="https://127.0.0.1:$KWOK_PORT (kubelet API of the kwok nodes)" ;;
      registry-404) addr="http://127.0.0.1:5000 (answers 404: images are imported, never pulled)" ;;
      containerd) addr="unix://$CONTAINERD_SOCK" ;;
      kubelet) addr="https://$REAL_NODE_IP:10250 ($REAL_NODE_NAME)" ;;
      kube-proxy) addr="nftables mode, healthz 127.0.0.1:${KUBE_PROXY_HEALTHZ_PORT:-?}" ;;
      pod-sd) addr="http://127.0.0.1:${POD_SD_PORT:-?}/targets (Prometheus HTTP SD of the real node's pods)" ;;
      apiserver-forwarder) addr="$REAL_NODE_IP:$APISERVER_NODE_PORT -> 127.0.0.1:$APISERVER_PORT (kubernetes Service)" ;;
      metrics-server) addr="https://127.0.0.1:$METRICS_SERVER_PORT" ;;
      prometheus) addr="http://127.0.0.1:$PROMETHEUS_PORT" ;;
    esac
    if is_running "$c"; then printf '%-24s %-8s %-8s %s\n' "$c" "$(pid_of "$c")" running "$addr"
    else printf '%-24s %-8s %-8s %s\n' "$c" - stopped "$addr"; fi
  done
  if ! is_running kube-apiserver; then return 0; fi
  echo
  kc version 2>/dev/null | sed 's/^/  /' || true
  echo
  kc get nodes -o wide 2>/dev/null || true
  echo
  node_status
  echo
  if kc get --raw /apis/metrics.k8s.io/v1beta1/nodes >/dev/null 2>&1; then
    echo "metrics.k8s.io: available"
  else
    echo "metrics.k8s.io: NOT available"
  fi
  echo
  scenario_status
  if is_running prometheus; then
    echo
    echo "Prometheus (http://127.0.0.1:$PROMETHEUS_PORT), rightsizing history:"
    "$(find_node)" "$TB_DIR/promq.mjs" --url "http://127.0.0.1:$PROMETHEUS_PORT" --rightsizing || true
  fi
}

main() {
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    chaos) cmd_chaos "$@" ;;
    node-supported) node_supported ;;
    scenarios) cmd_scenarios "$@" ;;
    status) cmd_status "$@" ;;
    down) cmd_down "$@" ;;
    build) cmd_build "$@" ;;
    -h|--help|help|"") usage ;;
    *) usage >&2; die "unknown command: $cmd" ;;
  esac
}

main "$@"
