# The scenario namespaces of the test bed (sourced by scripts/testbed.sh).
# shellcheck shell=bash
#
# Every scenario pod is labelled sim/scenario=<namespace> and runs the demo app (scripts/testbed/
# demo-app, image 127.0.0.1:5000/demo:1) on the real node: its failures are real ones, made by the
# kernel, runc, containerd and the kubelet (OOM kills, back-offs, probes, pulls), the scheduler
# (FailedScheduling) and the controllers (Endpoints/EndpointSlices, the Job). The kwok Stage
# templates under stages/ are kept for the scale benchmark's pods on the kwok nodes.

namespace_and_bindings() { # the Namespace and the RoleBinding of the editors
  cat <<EOF
---
apiVersion: v1
kind: Namespace
metadata:
  name: $1
  labels: {app.kubernetes.io/part-of: aiops-testbed, sim/scenario: "$1"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: aiops-testbed:workload-editors
  namespace: $1
  labels: {app.kubernetes.io/part-of: aiops-testbed}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: aiops-testbed:workload-editor}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: sec}
EOF
}

# ---- checks: return 0 when the scenario has reached its state ------------------------------
_pods() { # _pods <ns> <jsonpath per pod>
  kc get pods -n "$1" -l "sim/scenario=$1" -o jsonpath="{range .items[*]}$2{\"\\n\"}{end}" 2>/dev/null
}
_has_event() { # _has_event <ns> <reason> [message substring]
  kc get events -n "$1" --field-selector "reason=$2" -o jsonpath='{range .items[*]}{.message}{"\n"}{end}' 2>/dev/null \
    | grep -qF -- "${3:-}"
}
_all_lines() { # _all_lines <regex>: stdin has >= 1 line and every line matches
  local n=0 line
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    [[ "$line" =~ $1 ]] || return 1
    n=$((n + 1))
  done
  [ $n -gt 0 ]
}
_ready_replicas() { kc get deploy "$2" -n "$1" -o jsonpath='{.status.readyReplicas}' 2>/dev/null; }

_restarts_at_least() { # _restarts_at_least <n>: matches a restart count >= n (n < 10)
  printf '([%s-9]|[1-9][0-9]+)' "$1"
}

check_crashloop() { # <ns> <reason> <exit code>: back-off after a real termination, restarted twice
  _pods "$1" '{.status.phase}|{.status.containerStatuses[0].lastState.terminated.reason}|{.status.containerStatuses[0].lastState.terminated.exitCode}|{.status.containerStatuses[0].restartCount}' \
    | _all_lines "^Running\|$2\|$3\|$(_restarts_at_least 2)$" \
    && _has_event "$1" BackOff "Back-off restarting failed container"
}

check_scenario() { # check_scenario <scenario>
  local s="$1"
  case "$s" in
    crashloop-missing-env) check_crashloop "$s" Error 1 ;;
    oomkill-memory-leak) check_crashloop "$s" OOMKilled 137 ;;
    imagepull-bad-tag)
      _pods "$s" '{.status.phase}|{.status.containerStatuses[0].state.waiting.reason}' | _all_lines '^Pending\|(ImagePullBackOff|ErrImagePull)$' \
        && _has_event "$s" Failed "Failed to pull image" && _has_event "$s" BackOff "Back-off pulling image" ;;
    liveness-failure)
      _pods "$s" '{.status.phase}|{.status.containerStatuses[0].restartCount}' \
        | _all_lines "^Running\|$(_restarts_at_least 1)$" \
        && _has_event "$s" Unhealthy "Liveness probe failed: HTTP probe failed with statuscode: 500" \
        && _has_event "$s" Killing "failed liveness probe, will be restarted" ;;
    readiness-failure)
      _pods "$s" '{.status.phase}|{.status.conditions[?(@.type=="Ready")].status}|{.status.containerStatuses[0].ready}' \
        | _all_lines '^Running\|False\|false$' \
        && _has_event "$s" Unhealthy "Readiness probe failed: HTTP probe failed with statuscode: 503" ;;
    pending-no-resources)
      _pods "$s" '{.status.phase}|{.status.conditions[?(@.type=="PodScheduled")].reason}' | _all_lines '^Pending\|Unschedulable$' \
        && _has_event "$s" FailedScheduling "Insufficient cpu" ;;
    service-wrong-selector)
      [ "$(_ready_replicas "$s" web)" = 2 ] \
        && kc get endpointslices -n "$s" -l kubernetes.io/service-name=web -o name 2>/dev/null | grep -q . \
        && [ -z "$(kc get endpointslices -n "$s" -l kubernetes.io/service-name=web -o jsonpath='{.items[*].endpoints[*].addresses[*]}' 2>/dev/null)" ] ;;
    rightsizing)
      [ "$(_ready_replicas "$s" web)" = 2 ] ;;
    healthy)
      [ "$(_ready_replicas "$s" web)" = 2 ] \
        && [ "$(kc get job db-migrate -n "$s" -o jsonpath='{.status.succeeded}' 2>/dev/null)" = 1 ] \
        && [ "$(kc get endpointslices -n "$s" -l kubernetes.io/service-name=web -o jsonpath='{range .items[*].endpoints[?(@.conditions.ready==true)]}x{end}' 2>/dev/null)" = xx ] ;;
    *) return 1 ;;
  esac
}

rightsizing_metrics_ready() {
  [ "$(kc get --raw /apis/metrics.k8s.io/v1beta1/namespaces/rightsizing/pods 2>/dev/null | grep -o '"usage"' | wc -l)" -ge 2 ]
}

# ---- Prometheus history ----------------------------------------------------------------------
backfill_rightsizing() {
  local pods node
  node="$(find_node)" || die "node not found"
  pods="$(kc get pods -n rightsizing -l app=web --field-selector=status.phase=Running -o jsonpath='{range .items[*]}{.metadata.name}{","}{end}')"
  pods="${pods%,}"
  [ -n "$pods" ] || die "no running rightsizing pods to backfill history for"
  local dir="$STATE/prometheus"
  mkdir -p "$dir"
  log "backfilling 7 days of Prometheus history for pods $pods"
  "$node" "$TB_DIR/gen-history.mjs" --out "$dir/history.om" --namespace rightsizing --container web --pods "$pods" > "$dir/history.json"
  stop_proc prometheus
  rm -rf "$dir/data"; mkdir -p "$dir/data"
  # never pipe promtool into head: SIGPIPE truncates the blocks
  promtool tsdb create-blocks-from openmetrics --max-block-duration=24h "$dir/history.om" "$dir/data" > "$LOGS/promtool.log" 2>&1 \
    || { tail -n 20 "$LOGS/promtool.log" >&2; die "promtool backfill failed (log: $LOGS/promtool.log)"; }
  start_prometheus
  local tries=0
  until "$node" "$TB_DIR/promq.mjs" --url "http://127.0.0.1:$PROMETHEUS_PORT" --rightsizing --check >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ $tries -gt 30 ] && { "$node" "$TB_DIR/promq.mjs" --url "http://127.0.0.1:$PROMETHEUS_PORT" --rightsizing >&2 || true; die "Prometheus history does not give the expected rightsizing values"; }
    sleep 1
  done
  log "Prometheus history verified (p95 memory 120Mi, peak 150Mi, p95 cpu 200m)"
}

# ---- commands --------------------------------------------------------------------------------
cmd_scenarios() {
  load_ports || die "the test bed is not up (run: npm run testbed -- up)"
  is_running kube-apiserver || die "kube-apiserver is not running (run: npm run testbed -- up)"
  local t0=$SECONDS s ns
  local existing=()
  for s in "${SCENARIOS[@]}"; do
    if kc get ns "$s" >/dev/null 2>&1; then existing+=("$s"); fi
  done
  if [ ${#existing[@]} -gt 0 ]; then
    log "deleting old scenario namespaces: ${existing[*]}"
    kc delete ns "${existing[@]}" --wait=false >/dev/null 2>&1 || true
  fi
  # stages and logs of the kwok-simulated scenarios of earlier versions of the test bed
  kc delete stages.kwok.x-k8s.io,clusterlogs.kwok.x-k8s.io -l sim/scenario >/dev/null 2>&1 || true
  for ns in "${existing[@]}"; do
    wait_for "namespace $ns deleted" 180 bash -c "! '$KUBECTL' --kubeconfig '$ADMIN_KUBECONFIG' get ns '$ns'" \
      || die "namespace $ns is still terminating; see: kubectl get all -n $ns"
  done

  local all="$STATE/scenarios.yaml"
  : > "$all"
  for s in "${SCENARIOS[@]}"; do
    namespace_and_bindings "$s" >> "$all"
  done
  log "applying the scenario namespaces"
  kc apply -f "$all" >/dev/null
  for s in "${SCENARIOS[@]}"; do
    kc apply -f "$TB_DIR/scenarios/$s.yaml" >/dev/null
  done

  local failed=()
  for s in "${SCENARIOS[@]}"; do
    if wait_for "scenario $s to reach its state" 180 check_scenario "$s"; then
      log "scenario $s: ready"
    else
      failed+=("$s")
      kc get pods -n "$s" -o wide >&2 || true
    fi
  done
  [ ${#failed[@]} -eq 0 ] || die "scenarios did not reach their state: ${failed[*]} (kubelet log: $LOGS/kubelet.log)"
  if is_running metrics-server; then
    if wait_for "metrics-server to report the rightsizing pods" 90 rightsizing_metrics_ready; then
      log "metrics-server reports pod usage (kubectl top pods -n rightsizing)"
    else
      log "WARNING: metrics-server does not report pod usage yet (log: $LOGS/metrics-server.log)"
    fi
  fi
  if is_running prometheus; then backfill_rightsizing; fi
  log "scenarios ready in $((SECONDS - t0))s"
}

scenario_status() {
  printf '%-24s %-6s %s\n' SCENARIO STATE PODS
  local s st pods
  for s in "${SCENARIOS[@]}"; do
    if ! kc get ns "$s" >/dev/null 2>&1; then printf '%-24s %-6s\n' "$s" absent; continue; fi
    if check_scenario "$s"; then st=ok; else st=NOT-OK; fi
    pods="$(kc get pods -n "$s" --no-headers 2>/dev/null | awk '{printf "%s %s %s %s; ", $1, $2, $3, $4}')"
    printf '%-24s %-6s %s\n' "$s" "$st" "${pods:-none}"
  done
}
