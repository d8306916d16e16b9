# The scenario namespaces of the test bed (sourced by scripts/testbed.sh).
# shellcheck shell=bash
#
# Every scenario pod is labelled sim/scenario=<namespace>. Pods that must fail also carry
# sim/fault=<kind>; kwok's default pod-ready stage skips them (DoesNotExist match added at `up`)
# and the Stage objects rendered below from scripts/testbed/stages/<kind>.yaml.tmpl, selected by
# both labels, drive their status and events. Everything else is real: the scheduler's
# FailedScheduling, the Endpoints/EndpointSlices of the controller-manager, the Job controller.

# scenario -> "stage-template KEY=VALUE..." (no entry: no stage of ours)
declare -A SCENARIO_STAGE=(
  [crashloop-missing-env]="crashloop CONTAINER=api IMAGE=ghcr.io/example/orders-api:2.4.1 EXIT_CODE=1 REASON=Error RESTARTS=4 MAX_RESTARTS=12 PERIOD_MS=60000"
  [oomkill-memory-leak]="crashloop CONTAINER=worker IMAGE=ghcr.io/example/report-worker:1.8.0 EXIT_CODE=137 REASON=OOMKilled RESTARTS=5 MAX_RESTARTS=12 PERIOD_MS=60000"
  [imagepull-bad-tag]="imagepull IMAGE=nginx:1.99.99-doesnotexist"
  [liveness-failure]="liveness CONTAINER=api IMAGE=ghcr.io/example/payments-api:3.1.0 RESTARTS=3 MAX_RESTARTS=10 PERIOD_MS=60000"
  [readiness-failure]="readiness CONTAINER=web IMAGE=ghcr.io/example/storefront:5.2.0"
)
declare -A SCENARIO_PROBE_MESSAGE=(
  [liveness-failure]="Liveness probe failed: HTTP probe failed with statuscode: 500"
  [readiness-failure]="Readiness probe failed: HTTP probe failed with statuscode: 503"
)
# container whose logs kwok serves (kubectl logs [--previous])
declare -A SCENARIO_LOG_CONTAINER=(
  [crashloop-missing-env]=api [oomkill-memory-leak]=worker [liveness-failure]=api [readiness-failure]=web
)

scenario_log_lines() { # scenario_log_lines <scenario>: the application's output, one line each
  case "$1" in
    crashloop-missing-env) cat <<'EOF'
orders-api 2.4.1 starting (APP_ENV=production, LOG_LEVEL=info)
loading configuration from environment
Error: required environment variable DATABASE_URL is not set
orders-api exited with status 1
EOF
    ;;
    oomkill-memory-leak) cat <<'EOF'
report-worker 1.8.0 starting, queue=reports concurrency=4
cache: loaded 12000 report templates (96Mi)
processing batch 1/40: 2500 rows, heap 148Mi
processing batch 2/40: 2500 rows, heap 201Mi
processing batch 3/40: 2500 rows, heap 247Mi
EOF
    ;;
    liveness-failure) cat <<'EOF'
payments-api 3.1.0 listening on :8080
GET /healthz 200 1ms
db pool: 20/20 connections in use, 57 requests waiting
GET /healthz 500 5003ms (db pool exhausted)
GET /healthz 500 5001ms (db pool exhausted)
GET /healthz 500 5002ms (db pool exhausted)
EOF
    ;;
    readiness-failure) cat <<'EOF'
storefront 5.2.0 listening on :8080
dependency check: inventory-service.shop.svc:9000 connection refused
GET /ready 503 (inventory-service unavailable)
GET /ready 503 (inventory-service unavailable)
EOF
    ;;
  esac
}

write_scenario_logs() { # write_scenario_logs <scenario>: CRI-format files + a kwok ClusterLogs
  local s="$1" c="${SCENARIO_LOG_CONTAINER[$1]:-}"
  [ -n "$c" ] || return 0
  local dir="$STATE/podlogs/$s"; mkdir -p "$dir"
  local t0 line i=0
  t0=$(date -u +%s)
  : > "$dir/previous.log"
  while IFS= read -r line; do
    printf '%s stdout F %s\n' "$(date -u -d "@$((t0 - 90 + i))" +%Y-%m-%dT%H:%M:%S.000000000Z)" "$line" >> "$dir/previous.log"
    i=$((i + 1))
  done < <(scenario_log_lines "$s")
  case "$s" in
    crashloop-missing-env|oomkill-memory-leak) cp "$dir/previous.log" "$dir/current.log" ;;
    *) sed -n '1,2p' "$dir/previous.log" > "$dir/current.log" ;;
  esac
  cat <<EOF
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: sim-$s
  labels: {app.kubernetes.io/part-of: aiops-testbed, sim/scenario: "$s"}
spec:
  selector: {matchNamespaces: ["$s"]}
  logs:
  - containers: ["$c"]
    logsFile: "$dir/current.log"
    previousLogsFile: "$dir/previous.log"
    follow: false
EOF
}

render_stage() { # render_stage <scenario>
  local s="$1" spec="${SCENARIO_STAGE[$1]:-}"
  [ -n "$spec" ] || return 0
  local kind="${spec%% *}" params
  read -r -a params <<<"${spec#* }"
  render "$TB_DIR/stages/$kind.yaml.tmpl" SCENARIO="$s" "${params[@]}" \
    PROBE_MESSAGE="${SCENARIO_PROBE_MESSAGE[$s]:-}"
  echo "---"
}

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

check_crashloop() { # <ns> <reason> <exit code>
  _pods "$1" '{.status.phase}|{.status.containerStatuses[0].state.waiting.reason}|{.status.containerStatuses[0].lastState.terminated.reason}|{.status.containerStatuses[0].lastState.terminated.exitCode}|{.status.containerStatuses[0].restartCount}' \
    | _all_lines "^Running\|CrashLoopBackOff\|$2\|$3\|([4-9]|[1-9][0-9]+)$" \
    && _has_event "$1" BackOff "Back-off restarting failed container"
}

check_scenario() { # check_scenario <scenario>
  local s="$1"
  case "$s" in
    crashloop-missing-env) check_crashloop "$s" Error 1 ;;
    oomkill-memory-leak) check_crashloop "$s" OOMKilled 137 ;;
    imagepull-bad-tag)
      _pods "$s" '{.status.phase}|{.status.containerStatuses[0].state.waiting.reason}' | _all_lines '^Pending\|ImagePullBackOff$' \
        && _has_event "$s" Failed "Failed to pull image" && _has_event "$s" BackOff "Back-off pulling image" ;;
    liveness-failure)
      _pods "$s" '{.status.phase}|{.status.containerStatuses[0].lastState.terminated.exitCode}|{.status.containerStatuses[0].lastState.terminated.reason}|{.status.containerStatuses[0].restartCount}' \
        | _all_lines '^Running\|137\|Error\|([1-9][0-9]*)$' \
        && _has_event "$s" Unhealthy "Liveness probe failed: HTTP probe failed with statuscode: 500" \
        && _has_event "$s" Killing "failed liveness probe, will be restarted" ;;
    readiness-failure)
      _pods "$s" '{.status.phase}|{.status.conditions[?(@.type=="Ready")].status}|{.status.containerStatuses[0].ready}' \
        | _all_lines '^Running\|False\|false$' \
        && _has_event "$s" Unhealthy "Readiness probe failed" ;;
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
  kc delete stages.kwok.x-k8s.io,clusterlogs.kwok.x-k8s.io -l sim/scenario >/dev/null 2>&1 || true
  for ns in "${existing[@]}"; do
    wait_for "namespace $ns deleted" 180 bash -c "! '$KUBECTL' --kubeconfig '$ADMIN_KUBECONFIG' get ns '$ns'" \
      || die "namespace $ns is still terminating; see: kubectl get all -n $ns"
  done

  local all="$STATE/scenarios.yaml"
  : > "$all.stages"
  : > "$all"
  for s in "${SCENARIOS[@]}"; do
    { render_stage "$s"; echo "---"; write_scenario_logs "$s"; echo "---"; } >> "$all.stages"
    namespace_and_bindings "$s" >> "$all"
  done
  log "applying stages and scenario namespaces"
  kc apply -f "$all.stages" >/dev/null
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
  [ ${#failed[@]} -eq 0 ] || die "scenarios did not reach their state: ${failed[*]} (kwok log: $LOGS/kwok.log)"
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
