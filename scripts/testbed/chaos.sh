# `testbed chaos`: break a healthy demo Deployment on the real node the way people break theirs
# (sourced by scripts/testbed.sh).
# shellcheck shell=bash
#
#   chaos bad-env  [-n NS] [deployment/NAME]   a new revision without the DATABASE_URL it requires
#   chaos oom      ...                         a new revision whose memory limit is below its use
#   chaos bad-tag  ...                         a new revision with an image tag that does not exist
#   chaos liveness ...                         a new revision whose /healthz fails after 15 s
#
# Without the Deployment (default: deployment/demo in namespace chaos), a healthy one is made first
# and waited for: 2 replicas of the demo app holding 40Mi, maxUnavailable 0, so the old revision
# keeps serving while the new one fails, as in a real bad rollout. Prints one JSON line: what was
# broken, when, and the new revision.

CHAOS_KINDS=(bad-env oom bad-tag liveness)

chaos_demo_deployment() { # chaos_demo_deployment <ns> <name>
  cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $2
  namespace: $1
  labels: {app: $2, aiops-testbed/chaos: "true"}
spec:
  replicas: 2
  revisionHistoryLimit: 10
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  selector:
    matchLabels: {app: $2}
  template:
    metadata:
      labels: {app: $2}
      annotations: {prometheus.io/scrape: "true", prometheus.io/port: "8080"}
    spec:
      nodeSelector: {$REAL_NODE_TAINT_KEY: "true"}
      tolerations: [{key: $REAL_NODE_TAINT_KEY, operator: Exists, effect: NoSchedule}]
      terminationGracePeriodSeconds: 2
      containers:
      - name: $2
        image: $DEMO_IMAGE
        imagePullPolicy: IfNotPresent
        env:
        - {name: DEMO_REQUIRE_ENV, value: DATABASE_URL}
        - {name: DATABASE_URL, value: "postgres://orders@db.chaos.svc:5432/orders"}
        - {name: DEMO_MEMORY_MB, value: "40"}
        ports:
        - {name: http, containerPort: 8080}
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
          periodSeconds: 2
        livenessProbe:
          httpGet: {path: /healthz, port: 8080}
          periodSeconds: 5
          failureThreshold: 2
        resources:
          requests: {cpu: 20m, memory: 64Mi}
          limits: {memory: 128Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: $2
  namespace: $1
  labels: {app: $2}
spec:
  selector: {app: $2}
  ports:
  - {name: http, port: 80, targetPort: 8080}
EOF
}

deployment_observed() { # deployment_observed <ns> <name>: status.observedGeneration caught up
  local g
  g="$(kc get deployment "$2" -n "$1" -o jsonpath='{.metadata.generation} {.status.observedGeneration}' 2>/dev/null)"
  [ -n "$g" ] && [ "${g% *}" = "${g#* }" ]
}

cmd_chaos() {
  local kind="" ns=chaos name=demo a
  while [ $# -gt 0 ]; do
    a="$1"; shift
    case "$a" in
      -n|--namespace) [ $# -gt 0 ] || die "chaos: -n needs a namespace"; ns="$1"; shift ;;
      --namespace=*) ns="${a#*=}" ;;
      deployment/*|deploy/*|deployments/*) name="${a#*/}" ;;
      -*) die "chaos: unknown option $a (usage: chaos KIND [-n NS] [deployment/NAME])" ;;
      *)
        [ -z "$kind" ] || die "chaos: one KIND only (got $kind and $a)"
        kind="$a" ;;
    esac
  done
  [[ " ${CHAOS_KINDS[*]} " == *" $kind "* ]] || die "chaos: KIND must be one of: ${CHAOS_KINDS[*]} (got '${kind}')"
  load_ports || die "the test bed is not up (run: npm run testbed -- up)"
  node_ready || die "the real node $REAL_NODE_NAME is not Ready (run: npm run testbed -- up; then: npm run testbed -- status)"

  if ! kc get deployment "$name" -n "$ns" >/dev/null 2>&1; then
    log "making a healthy deployment/$name in namespace $ns"
    kc get ns "$ns" >/dev/null 2>&1 || namespace_and_bindings "$ns" | kc apply -f - >/dev/null
    chaos_demo_deployment "$ns" "$name" | kc apply -f - >/dev/null
  fi
  kc rollout status "deployment/$name" -n "$ns" --timeout=120s >/dev/null \
    || die "deployment/$name in $ns is not healthy before the chaos (kubectl get pods -n $ns)"
  local container
  container="$(kc get deployment "$name" -n "$ns" -o jsonpath='{.spec.template.spec.containers[0].name}')"

  case "$kind" in
    bad-env) kc set env "deployment/$name" -n "$ns" -c "$container" DATABASE_URL- >/dev/null ;;
    oom) kc set resources "deployment/$name" -n "$ns" -c "$container" --requests=memory=16Mi --limits=memory=24Mi >/dev/null ;;
    bad-tag) kc set image "deployment/$name" -n "$ns" "$container=${DEMO_IMAGE%:*}:1.99.99-doesnotexist" >/dev/null ;;
    liveness) kc set env "deployment/$name" -n "$ns" -c "$container" DEMO_LIVENESS_FAIL_AFTER=15s >/dev/null ;;
  esac
  local at revision
  at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  # the revision annotation is the controller's: wait until it has seen the new generation
  wait_for "the deployment controller to observe the change" 30 deployment_observed "$ns" "$name" \
    || log "WARNING: the deployment controller has not observed the change yet; the revision printed may be the old one"
  revision="$(kc get deployment "$name" -n "$ns" -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}')"
  log "chaos $kind: deployment/$name in $ns now rolls out revision $revision"
  printf '{"kind":"%s","namespace":"%s","deployment":"%s","brokenAt":"%s","revision":"%s"}\n' "$kind" "$ns" "$name" "$at" "$revision"
}
