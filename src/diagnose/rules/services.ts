/**
 * What several rules ask about a Service they reach through another object (its own rules, an
 * Ingress, a route, a webhook): are its endpoints ready, does it expose a port, what Warning
 * events it has, and whether the input would hold it at all if it existed.
 */
import type { Service } from "../../model/k8s.ts";
import type { RuleContext } from "../context.ts";
import { describeEvent } from "../finding.ts";
import { recentEvents } from "./shared.ts";

/** Endpoints that are locks of a leader election, not addresses of a Service. */
const LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";

/** Ready and not-ready addresses of a Service, named by their pod (or IP). */
export interface EndpointState {
  /** `Endpoints web` or `EndpointSlice(s) web-abcde`. */
  source: string;
  kind: "Endpoints" | "EndpointSlice";
  ready: string[];
  notReady: string[];
}

/**
 * The readiness the endpoints controller published for a Service: from its Endpoints object,
 * else from its EndpointSlices; undefined when the input holds neither.
 */
export function endpointState(ctx: RuleContext, service: Service): EndpointState | undefined {
  const { endpoints, slices } = ctx.endpointsFor(service);
  if (endpoints !== undefined && endpoints.metadata.annotations?.[LEADER_ANNOTATION] === undefined) {
    const subsets = endpoints.subsets ?? [];
    const name = (a: { ip: string; targetRef?: { name?: string } }): string => a.targetRef?.name ?? a.ip;
    return {
      source: `Endpoints ${endpoints.metadata.name}`,
      kind: "Endpoints",
      ready: subsets.flatMap((s) => s.addresses ?? []).map(name),
      notReady: subsets.flatMap((s) => s.notReadyAddresses ?? []).map(name),
    };
  }
  if (slices.length === 0) return undefined;
  const all = slices.flatMap((s) => s.endpoints ?? []);
  const name = (e: (typeof all)[number]): string => e.targetRef?.name ?? e.addresses[0] ?? "-";
  return {
    source: `EndpointSlice(s) ${slices.map((s) => s.metadata.name).join(", ")}`,
    kind: "EndpointSlice",
    // An unset ready condition means ready (discovery.k8s.io/v1).
    ready: all.filter((e) => e.conditions?.ready !== false).map(name),
    notReady: all.filter((e) => e.conditions?.ready === false).map(name),
  };
}

/** `Endpoints api: 0 ready addresses, 2 not ready (api-1, api-2)`. */
export function describeEndpointState(state: EndpointState): string {
  const names = (list: string[]): string => (list.length === 0 ? "" : ` (${list.slice(0, 5).join(", ")}${list.length > 5 ? `, +${list.length - 5}` : ""})`);
  if (state.kind === "Endpoints") {
    return `${state.source}: ${state.ready.length} ready address${state.ready.length === 1 ? "" : "es"}, ${state.notReady.length} not ready${names(state.notReady)}`;
  }
  const total = state.ready.length + state.notReady.length;
  return `${state.source}: ${state.ready.length} ready of ${total} endpoint(s)${state.notReady.length === 0 ? "" : `; not ready${names(state.notReady)}`}`;
}

/** Recent Warning events about a Service, described, at most `max`. */
export function serviceWarnings(ctx: RuleContext, service: Service, max = 3): string[] {
  const warnings = recentEvents(ctx, ctx.eventsFor(service).filter((e) => e.type === "Warning"));
  return warnings.slice(-max).map(describeEvent);
}

export type ServicePort = NonNullable<Service["spec"]["ports"]>[number];

/** The Service port a reference names by number (`spec.ports[].port`) or by name. */
export function servicePort(service: Service, ref: { number?: number | undefined; name?: string | undefined }): ServicePort | undefined {
  const ports = service.spec.ports ?? [];
  if (ref.number !== undefined) return ports.find((p) => p.port === ref.number);
  if (ref.name !== undefined) return ports.find((p) => p.name === ref.name);
  return undefined;
}

/** `80/TCP (http), 443/TCP`, or `none`. */
export function describePorts(service: Service): string {
  const ports = service.spec.ports ?? [];
  return ports.length === 0 ? "none" : ports.map((p) => `${p.port}/${p.protocol ?? "TCP"}${p.name === undefined ? "" : ` (${p.name})`}`).join(", ");
}

/** Kinds whose presence shows that the input covers a namespace. */
const NAMESPACE_WITNESSES = ["Pod", "Service", "EndpointSlice", "Endpoints", "Event", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ConfigMap", "Secret", "PersistentVolumeClaim", "Ingress", "NetworkPolicy", "Gateway", "HTTPRoute"];

/**
 * Whether the input would hold an object of `kind` in `namespace` if one existed, so that its
 * absence means it does not exist: objects of that kind were gathered (some are in the input),
 * and the input covers the namespace (holds some object of it). A live diagnosis of one
 * namespace covers that namespace only: a webhook's Service in another namespace is not judged.
 */
export function listedIn(ctx: RuleContext, kind: string, namespace: string): boolean {
  if (!ctx.has(kind)) return false;
  return NAMESPACE_WITNESSES.some((k) => ctx.all(k, namespace).length > 0);
}

