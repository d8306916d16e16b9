import type {
  Deployment,
  EndpointSlice,
  Endpoints,
  HorizontalPodAutoscaler,
  Job,
  KubeEvent,
  KubeObject,
  LabelSelector,
  Node,
  PersistentVolumeClaim,
  Pod,
  ReplicaSet,
  ResourceQuota,
  Service,
} from "../model/k8s.ts";
import { DEFAULT_TIER_POLICY, type TierPolicy } from "../policy/tiers.ts";

/** Logs of one container: the last lines of the current and the previous instance, redacted. */
export interface ContainerLogs {
  current?: string[];
  previous?: string[];
}

/** Plain data the rules judge: every object gathered, and the time they are judged at. */
export interface Snapshot {
  /** RFC 3339; the clock for live diagnosis, the file's own time for a file. */
  now: string;
  objects: KubeObject[];
  /** Keyed by `namespace/pod/container`. */
  logs?: Record<string, ContainerLogs>;
}

/**
 * The snapshot indexed for the rules: lookups by kind, namespace, owner, label selector and
 * events by involved object, built once so a rule never scans the whole snapshot.
 */
export class RuleContext {
  readonly now: number;
  readonly nowIso: string;
  private readonly byKind = new Map<string, KubeObject[]>();
  private readonly byKey = new Map<string, KubeObject>();
  private readonly byUid = new Map<string, KubeObject>();
  private readonly children = new Map<string, KubeObject[]>();
  private readonly events = new Map<string, KubeEvent[]>();
  private readonly logs: Record<string, ContainerLogs>;
  // Questions every rule asks of every pod, answered without a scan of the kind or a key string
  // built anew each time: objects of a kind by namespace (indexed on first use), an object's
  // events (kept once filtered), the pods that have logs at all.
  private readonly byNamespace = new Map<string, Map<string | undefined, KubeObject[]>>();
  private readonly eventsByObject = new WeakMap<KubeObject, KubeEvent[]>();
  private readonly podsWithLogs: Set<string>;

  readonly tierPolicy: TierPolicy;

  constructor(snapshot: Snapshot, tierPolicy: TierPolicy = DEFAULT_TIER_POLICY) {
    this.tierPolicy = tierPolicy;
    this.now = Date.parse(snapshot.now);
    this.nowIso = snapshot.now;
    this.logs = snapshot.logs ?? {};
    this.podsWithLogs = new Set(Object.keys(this.logs).map((key) => key.split("/")[1] ?? ""));
    for (const object of snapshot.objects) this.add(object);
    for (const list of this.events.values()) list.sort((a, b) => eventTime(a) - eventTime(b));
  }

  private add(object: KubeObject): void {
    const kind = object.kind ?? "";
    const list = this.byKind.get(kind);
    if (list === undefined) this.byKind.set(kind, [object]);
    else list.push(object);
    const meta = object.metadata;
    this.byKey.set(objectKey(kind, meta.namespace, meta.name), object);
    if (meta.uid !== undefined) this.byUid.set(meta.uid, object);
    for (const owner of meta.ownerReferences ?? []) {
      const key = objectKey(owner.kind, meta.namespace, owner.name);
      const siblings = this.children.get(key);
      if (siblings === undefined) this.children.set(key, [object]);
      else siblings.push(object);
    }
    if (kind === "Event") {
      const event = object as KubeEvent;
      const involved = event.involvedObject;
      const key = objectKey(involved.kind ?? "", involved.namespace ?? meta.namespace, involved.name ?? "");
      const found = this.events.get(key);
      if (found === undefined) this.events.set(key, [event]);
      else found.push(event);
    }
  }

  all<T extends KubeObject = KubeObject>(kind: string, namespace?: string): T[] {
    if (namespace === undefined) return (this.byKind.get(kind) ?? []) as T[];
    let index = this.byNamespace.get(kind);
    if (index === undefined) {
      index = new Map();
      for (const object of this.byKind.get(kind) ?? []) {
        const list = index.get(object.metadata.namespace);
        if (list === undefined) index.set(object.metadata.namespace, [object]);
        else list.push(object);
      }
      this.byNamespace.set(kind, index);
    }
    // A copy, as a filter would give: callers may change the array they get.
    return [...(index.get(namespace) ?? [])] as T[];
  }

  get<T extends KubeObject = KubeObject>(kind: string, namespace: string | undefined, name: string): T | undefined {
    return this.byKey.get(objectKey(kind, namespace, name)) as T | undefined;
  }

  has(kind: string): boolean {
    return (this.byKind.get(kind)?.length ?? 0) > 0;
  }

  /** Events about an object, oldest first. Matched by kind, namespace and name. */
  eventsFor(object: KubeObject): KubeEvent[] {
    const known = this.eventsByObject.get(object);
    if (known !== undefined) return known;
    const meta = object.metadata;
    const list = this.events.get(objectKey(object.kind ?? "", meta.namespace, meta.name)) ?? [];
    // An event for an older object of the same name (a recreated pod) is not evidence.
    const events = meta.uid === undefined ? list : list.filter((e) => e.involvedObject.uid === undefined || e.involvedObject.uid === meta.uid);
    this.eventsByObject.set(object, events);
    return events;
  }

  /** Objects whose ownerReferences name this object. */
  ownedBy<T extends KubeObject = KubeObject>(owner: KubeObject, kind?: string): T[] {
    const meta = owner.metadata;
    const list = this.children.get(objectKey(owner.kind ?? "", meta.namespace, meta.name)) ?? [];
    const matching = list.filter((child) => childOf(child, owner));
    return (kind === undefined ? matching : matching.filter((c) => c.kind === kind)) as T[];
  }

  /** The controller owner of an object (Pod -> ReplicaSet -> Deployment), when present. */
  controllerOf(object: KubeObject): KubeObject | undefined {
    const refs = object.metadata.ownerReferences ?? [];
    const ref = refs.find((r) => r.controller === true) ?? refs[0];
    if (ref === undefined) return undefined;
    if (ref.uid !== undefined) {
      const byUid = this.byUid.get(ref.uid);
      if (byUid !== undefined) return byUid;
    }
    return this.get(ref.kind, object.metadata.namespace, ref.name);
  }

  /** The chain of controllers above an object, nearest first. */
  ownerChain(object: KubeObject): KubeObject[] {
    const chain: KubeObject[] = [];
    let current = this.controllerOf(object);
    while (current !== undefined && chain.length < 5 && !chain.includes(current)) {
      chain.push(current);
      current = this.controllerOf(current);
    }
    return chain;
  }

  /** Pods of a workload: owned directly, or through its ReplicaSets for a Deployment. */
  podsOf(workload: KubeObject): Pod[] {
    if (workload.kind === "Deployment") {
      const replicaSets = this.ownedBy<ReplicaSet>(workload, "ReplicaSet");
      // A dump without ReplicaSets still has the pods: find them by the Deployment's selector.
      if (replicaSets.length > 0) return replicaSets.flatMap((rs) => this.ownedBy<Pod>(rs, "Pod"));
    }
    if (workload.kind === "Service") {
      const selector = (workload as Service).spec.selector;
      return selector === undefined || Object.keys(selector).length === 0 ? [] : this.podsMatching(workload.metadata.namespace, { matchLabels: selector });
    }
    const owned = this.ownedBy<Pod>(workload, "Pod");
    if (owned.length > 0) return owned;
    const selector = (workload.spec as { selector?: LabelSelector } | undefined)?.selector;
    return selector === undefined ? [] : this.podsMatching(workload.metadata.namespace, selector);
  }

  podsMatching(namespace: string | undefined, selector: LabelSelector): Pod[] {
    return this.all<Pod>("Pod", namespace).filter((pod) => matchesSelector(pod.metadata.labels ?? {}, selector));
  }

  /** Services in the pod's namespace whose selector matches the pod. */
  servicesSelecting(pod: Pod): Service[] {
    const labels = pod.metadata.labels ?? {};
    return this.all<Service>("Service", pod.metadata.namespace).filter((svc) => {
      const selector = svc.spec.selector;
      return selector !== undefined && Object.keys(selector).length > 0 && matchesSelector(labels, { matchLabels: selector });
    });
  }

  endpointsFor(service: Service): { endpoints?: Endpoints; slices: EndpointSlice[] } {
    const namespace = service.metadata.namespace;
    const endpoints = this.get<Endpoints>("Endpoints", namespace, service.metadata.name);
    const slices = this.all<EndpointSlice>("EndpointSlice", namespace).filter(
      (slice) => slice.metadata.labels?.["kubernetes.io/service-name"] === service.metadata.name,
    );
    return endpoints === undefined ? { slices } : { endpoints, slices };
  }

  node(name: string | undefined): Node | undefined {
    return name === undefined ? undefined : this.get<Node>("Node", undefined, name);
  }

  pvc(namespace: string | undefined, name: string): PersistentVolumeClaim | undefined {
    return this.get<PersistentVolumeClaim>("PersistentVolumeClaim", namespace, name);
  }

  hpaFor(workload: KubeObject): HorizontalPodAutoscaler | undefined {
    return this.all<HorizontalPodAutoscaler>("HorizontalPodAutoscaler", workload.metadata.namespace).find(
      (hpa) => hpa.spec.scaleTargetRef.kind === workload.kind && hpa.spec.scaleTargetRef.name === workload.metadata.name,
    );
  }

  quotas(namespace: string | undefined): ResourceQuota[] {
    return this.all<ResourceQuota>("ResourceQuota", namespace);
  }

  deploymentOf(pod: Pod): Deployment | undefined {
    return this.ownerChain(pod).find((o): o is Deployment => o.kind === "Deployment");
  }

  jobOf(pod: Pod): Job | undefined {
    return this.ownerChain(pod).find((o): o is Job => o.kind === "Job");
  }

  logsOf(pod: Pod, container: string): ContainerLogs | undefined {
    if (!this.podsWithLogs.has(pod.metadata.name)) return undefined;
    return this.logs[`${pod.metadata.namespace ?? ""}/${pod.metadata.name}/${container}`];
  }

  /** Seconds between a timestamp and `now`; Infinity when the timestamp is missing. */
  ageSeconds(timestamp: string | undefined | null): number {
    if (timestamp === undefined || timestamp === null) return Infinity;
    const t = Date.parse(timestamp);
    return Number.isNaN(t) ? Infinity : (this.now - t) / 1000;
  }
}

export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ""}/${name}`;
}

function childOf(child: KubeObject, owner: KubeObject): boolean {
  const uid = owner.metadata.uid;
  if (uid === undefined) return true;
  return (child.metadata.ownerReferences ?? []).some((ref) => ref.uid === undefined || ref.uid === uid);
}

/** The time an event last happened (series, lastTimestamp, eventTime, firstTimestamp, creation). */
export function eventTime(event: KubeEvent): number {
  const candidates = [event.series?.lastObservedTime, event.lastTimestamp, event.eventTime, event.firstTimestamp, event.metadata.creationTimestamp];
  for (const candidate of candidates) {
    if (typeof candidate === "string" && candidate !== "") {
      const t = Date.parse(candidate);
      if (!Number.isNaN(t)) return t;
    }
  }
  return 0;
}

/** The time an event first happened. */
export function eventFirstTime(event: KubeEvent): number {
  const candidates = [event.firstTimestamp, event.eventTime, event.metadata.creationTimestamp, event.lastTimestamp];
  for (const candidate of candidates) {
    if (typeof candidate === "string" && candidate !== "") {
      const t = Date.parse(candidate);
      if (!Number.isNaN(t)) return t;
    }
  }
  return 0;
}

export function matchesSelector(labels: Record<string, string>, selector: LabelSelector): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const expr of selector.matchExpressions ?? []) {
    const value = labels[expr.key];
    const values = expr.values ?? [];
    switch (expr.operator) {
      case "In":
        if (value === undefined || !values.includes(value)) return false;
        break;
      case "NotIn":
        if (value !== undefined && values.includes(value)) return false;
        break;
      case "Exists":
        if (value === undefined) return false;
        break;
      case "DoesNotExist":
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
