/**
 * The in-memory copy of what `watch` follows, indexed by kind and namespace, so a changed pod
 * costs one map update and a namespace snapshot is built without any API call.
 */
import type { KubeObject } from "../model/k8s.ts";
import type { WatchEvent } from "./watch.ts";

/** Cluster-scoped objects (nodes) live under this namespace key. */
const CLUSTER = "";

export class ObjectCache {
  private readonly byKind = new Map<string, Map<string, Map<string, KubeObject>>>();

  private namespaces(kind: string): Map<string, Map<string, KubeObject>> {
    let found = this.byKind.get(kind);
    if (found === undefined) {
      found = new Map();
      this.byKind.set(kind, found);
    }
    return found;
  }

  /** Applies one watch event; returns the namespace it touched ("" for cluster-scoped). */
  apply(kind: string, event: WatchEvent): string | undefined {
    if (event.type === "BOOKMARK" || event.type === "ERROR") return undefined;
    const object = event.object;
    object.kind = kind;
    const namespace = object.metadata.namespace ?? CLUSTER;
    const byNamespace = this.namespaces(kind);
    let objects = byNamespace.get(namespace);
    if (objects === undefined) {
      objects = new Map();
      byNamespace.set(namespace, objects);
    }
    if (event.type === "DELETED") objects.delete(object.metadata.name);
    else objects.set(object.metadata.name, object);
    return namespace;
  }

  /** Replaces every object of a kind after a (re)list; returns namespaces whose content changed. */
  replace(kind: string, items: readonly KubeObject[]): Set<string> {
    const before = this.namespaces(kind);
    const after = new Map<string, Map<string, KubeObject>>();
    for (const item of items) {
      item.kind = kind;
      const namespace = item.metadata.namespace ?? CLUSTER;
      let objects = after.get(namespace);
      if (objects === undefined) {
        objects = new Map();
        after.set(namespace, objects);
      }
      objects.set(item.metadata.name, item);
    }
    const touched = new Set<string>();
    for (const [namespace, objects] of after) {
      const old = before.get(namespace);
      if (old === undefined || old.size !== objects.size || [...objects].some(([name, o]) => old.get(name)?.metadata.resourceVersion !== o.metadata.resourceVersion)) touched.add(namespace);
    }
    for (const [namespace, objects] of before) if (objects.size > 0 && !after.has(namespace)) touched.add(namespace);
    this.byKind.set(kind, after);
    return touched;
  }

  /** Every cached object of a namespace, plus the cluster-scoped ones (nodes). */
  snapshotObjects(namespace: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const byNamespace of this.byKind.values()) {
      for (const o of byNamespace.get(namespace)?.values() ?? []) out.push(o);
      if (namespace !== CLUSTER) for (const o of byNamespace.get(CLUSTER)?.values() ?? []) out.push(o);
    }
    return out;
  }

  namespacesWithObjects(): string[] {
    const all = new Set<string>();
    for (const byNamespace of this.byKind.values()) for (const [ns, objects] of byNamespace) if (ns !== CLUSTER && objects.size > 0) all.add(ns);
    return [...all];
  }

  count(): number {
    let n = 0;
    for (const byNamespace of this.byKind.values()) for (const objects of byNamespace.values()) n += objects.size;
    return n;
  }
}
