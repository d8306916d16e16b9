import { describe, expect, it } from "vitest";
import { IncidentBook, type Signal } from "../../../src/app/watch/incidents.ts";
import { detectFailures } from "../../../src/app/watch/detect.ts";
import { ObjectCache } from "../../../src/kube/cache.ts";
import { NOW, deployment, event, node, pod, replicaSet, running, term, waiting } from "../../helpers/objects.ts";

const T0 = Date.parse("2026-03-10T12:00:00Z");
const s = (key: string, firstEvidenceMs = T0): Signal<string> => ({ key, firstEvidenceMs, payload: key });

describe("incident de-duplication", () => {
  it("many evaluations of a failing workload open ONE incident", () => {
    const book = new IncidentBook({ resolveAfterMs: 60_000 });
    const opened = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((i) => book.observe("shop", T0 + i * 1000, [s("Deployment/shop/api", T0 - 5000)]));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ type: "open", incident: { key: "Deployment/shop/api", firstEvidenceMs: T0 - 5000, openedMs: T0 } });
  });

  it("ends only after the workload has been healthy for resolveAfter; a relapse before that keeps it open", () => {
    const book = new IncidentBook({ resolveAfterMs: 60_000 });
    book.observe("shop", T0, [s("Deployment/shop/api")]);
    expect(book.observe("shop", T0 + 10_000, [])).toEqual([]); // healthy clock starts
    expect(book.observe("shop", T0 + 30_000, [s("Deployment/shop/api")])).toEqual([]); // relapse: same incident
    expect(book.observe("shop", T0 + 40_000, [])).toEqual([]);
    expect(book.observe("shop", T0 + 90_000, [])).toEqual([]);
    const resolved = book.observe("shop", T0 + 100_000, []);
    expect(resolved).toMatchObject([{ type: "resolve", atMs: T0 + 100_000, incident: { key: "Deployment/shop/api", healthySinceMs: T0 + 40_000 } }]);
    // Failing again after it ended is a new incident.
    expect(book.observe("shop", T0 + 200_000, [s("Deployment/shop/api", T0 + 199_000)])).toMatchObject([{ type: "open" }]);
  });

  it("scopes are independent: judging one namespace never ends another's incident", () => {
    const book = new IncidentBook({ resolveAfterMs: 0 });
    book.observe("shop", T0, [s("Deployment/shop/api")]);
    expect(book.observe("billing", T0 + 1000, [])).toEqual([]);
    expect(book.list().map((i) => i.key)).toEqual(["Deployment/shop/api"]);
  });

  it("failures present at start are remembered without a record, and resolve without one", () => {
    const book = new IncidentBook({ resolveAfterMs: 0 });
    expect(book.observe("shop", T0, [s("Deployment/shop/old")], true)).toEqual([]);
    expect(book.observe("shop", T0 + 1000, [s("Deployment/shop/old"), s("Deployment/shop/new")])).toMatchObject([{ type: "open", incident: { key: "Deployment/shop/new" } }]);
    expect(book.observe("shop", T0 + 2000, [s("Deployment/shop/new")])).toMatchObject([{ type: "resolve", incident: { key: "Deployment/shop/old", baseline: true } }]);
  });

  it("at a takeover, only the failures that began before the previous leader's last renewal are baseline", () => {
    const book = new IncidentBook({ resolveAfterMs: 0 });
    const previousLeaderSawUntil = T0 - 20_000;
    book.adopt({ key: "Deployment/shop/recorded", scope: "shop", recordId: "01ABC", firstEvidenceMs: T0 - 60_000, openedMs: T0 - 50_000 });
    const actions = book.observe("shop", T0, [s("Deployment/shop/recorded", T0 - 60_000), s("Deployment/shop/old", T0 - 90_000), s("Deployment/shop/unwatched", T0 - 5000)], (signal) => signal.firstEvidenceMs < previousLeaderSawUntil);
    expect(actions.map((a) => (a.type === "open" ? a.incident.key : a.type))).toEqual(["Deployment/shop/unwatched"]);
    expect(book.list().find((i) => i.key === "Deployment/shop/old")?.baseline).toBe(true);
  });

  it("adopts incidents recorded by an earlier run", () => {
    const book = new IncidentBook({ resolveAfterMs: 0 });
    book.adopt({ key: "Deployment/shop/api", scope: "shop", recordId: "01ABC", firstEvidenceMs: T0 - 1000, openedMs: T0 });
    expect(book.observe("shop", T0 + 1000, [s("Deployment/shop/api")])).toEqual([]);
    expect(book.observe("shop", T0 + 2000, [])).toMatchObject([{ type: "resolve", incident: { recordId: "01ABC" } }]);
  });

  it("a tentative failure opens only after it lasted settleMs, with its first evidence", () => {
    const book = new IncidentBook({ resolveAfterMs: 0, settleMs: 15_000 });
    const t = (firstEvidenceMs: number): Signal<string> => ({ ...s("Deployment/shop/api", firstEvidenceMs), tentative: true });
    expect(book.observe("shop", T0, [t(T0 - 1000)])).toEqual([]);
    expect(book.observe("shop", T0 + 14_000, [t(T0 - 1000)])).toEqual([]);
    expect(book.scopesAwaitingResolution()).toEqual(new Set(["shop"]));
    expect(book.observe("shop", T0 + 15_000, [t(T0 + 12_000)])).toMatchObject([{ type: "open", incident: { firstEvidenceMs: T0 - 1000, openedMs: T0 + 15_000 } }]);
  });

  it("a tentative failure that turns definite opens at once, dated from its first evidence", () => {
    const book = new IncidentBook({ resolveAfterMs: 0, settleMs: 15_000 });
    expect(book.observe("shop", T0, [{ ...s("Deployment/shop/api", T0 - 1000), tentative: true }])).toEqual([]);
    const opened = book.observe("shop", T0 + 11_000, [{ ...s("Deployment/shop/api", T0 + 10_000), payload: "CrashLoopBackOff" }]);
    expect(opened).toMatchObject([{ type: "open", incident: { firstEvidenceMs: T0 - 1000 }, signal: { payload: "CrashLoopBackOff" } }]);
  });

  it("a tentative failure gone before it settled was a one-off: no incident, nothing waiting", () => {
    const book = new IncidentBook({ resolveAfterMs: 0, settleMs: 15_000 });
    book.observe("shop", T0, [{ ...s("Deployment/shop/api"), tentative: true }]);
    expect(book.observe("shop", T0 + 5000, [])).toEqual([]);
    expect(book.scopesAwaitingResolution()).toEqual(new Set());
    expect(book.observe("shop", T0 + 30_000, [{ ...s("Deployment/shop/api", T0 + 29_000), tentative: true }])).toEqual([]);
    expect(book.list()).toEqual([]);
  });

  it("first evidence never lies in the future", () => {
    const book = new IncidentBook();
    expect(book.observe("shop", T0, [s("Pod/shop/p", T0 + 60_000)])).toMatchObject([{ incident: { firstEvidenceMs: T0 } }]);
  });
});

describe("detectFailures on cached objects", () => {
  const d = deployment("api", { replicas: 1, ready: 0, available: 0, unavailable: 1 });
  const rs = replicaSet("api-7d9f", { owner: d, replicas: 1, ready: 0, labels: { app: "api" } });
  const failing = pod("api-7d9f-x1", { owner: rs, labels: { app: "api" }, statuses: [waiting("app", "CrashLoopBackOff", { restarts: 4, last: term(1, "Error", "2026-03-10T11:58:00Z") })] });
  const backOff = event(failing, "BackOff", "Back-off restarting failed container app", { first: "2026-03-10T11:57:30Z", last: "2026-03-10T11:59:00Z", container: "app" });

  it("one signal per failing workload, keyed by the Deployment, first evidence from the findings", () => {
    const cache = new ObjectCache();
    for (const [kind, o] of [["Deployment", d], ["ReplicaSet", rs], ["Pod", failing], ["Event", backOff], ["Node", node("node-1")]] as const) cache.apply(kind, { type: "ADDED", object: o });
    const signals = detectFailures(cache.snapshotObjects("shop"), Date.parse(NOW));
    expect(signals.map((x) => x.key)).toEqual(["Deployment/shop/api"]);
    expect(signals[0]?.firstEvidenceMs).toBe(Date.parse("2026-03-10T11:57:30Z"));
  });

  it("a container that failed once and runs again is tentative; a crash loop is not", () => {
    const available = deployment("api", { replicas: 1, ready: 1, available: 1, unavailable: 0 });
    const availableRs = replicaSet("api-7d9f", { owner: available, replicas: 1, ready: 1, labels: { app: "api" } });
    const restarted = pod("api-7d9f-x2", { owner: availableRs, labels: { app: "api" }, statuses: [running("app", { restarts: 1, startedAt: "2026-03-10T11:59:59Z", last: term(1, "Error", "2026-03-10T11:59:58Z") })] });
    const [tentative] = detectFailures([available, availableRs, restarted, node("node-1")], Date.parse(NOW));
    expect(tentative?.payload.findings.map((f) => f.category)).toEqual(["ContainerExitError"]);
    expect(tentative?.tentative).toBe(true);
    const [definite] = detectFailures([d, rs, failing, backOff, node("node-1")], Date.parse(NOW));
    expect(definite?.tentative).toBe(false);
  });

  it("a healthy namespace gives none", () => {
    const ok = pod("web-1", { statuses: [running("app")] });
    expect(detectFailures([ok, node("node-1")], Date.parse(NOW))).toEqual([]);
  });
});

describe("the object cache", () => {
  it("applies events and relists, reporting the namespaces that changed", () => {
    const cache = new ObjectCache();
    const a = pod("a", { namespace: "one" });
    const b = pod("b", { namespace: "two" });
    expect(cache.apply("Pod", { type: "ADDED", object: a })).toBe("one");
    cache.apply("Pod", { type: "ADDED", object: b });
    cache.apply("Node", { type: "ADDED", object: node("n1") });
    expect(cache.snapshotObjects("one").map((o) => o.metadata.name).sort()).toEqual(["a", "n1"]);
    expect(cache.apply("Pod", { type: "DELETED", object: a })).toBe("one");
    expect(cache.apply("Pod", { type: "BOOKMARK", object: { metadata: { name: "", resourceVersion: "9" } } })).toBeUndefined();
    // After a 410 relist, "two" vanished and "three" appeared.
    const touched = cache.replace("Pod", [pod("c", { namespace: "three" })]);
    expect([...touched].sort()).toEqual(["three", "two"]);
    expect(cache.namespacesWithObjects()).toEqual(["three"]);
  });
});
