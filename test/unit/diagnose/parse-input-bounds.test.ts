import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { parseInput } from "../../../src/diagnose/parse-input.ts";
import { AiopsError } from "../../../src/errors.ts";
import { LimitError } from "../../../src/util/bounded-parse.ts";

const pod = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "shop" }, spec: { containers: [{ name: "app" }] }, ...extra });
const list = (...items: unknown[]) => JSON.stringify({ apiVersion: "v1", kind: "List", items });

/** A pod whose `spec.extra` nests `depth` levels below the pod (the List adds 2 above). */
function deepPod(depth: number): Record<string, unknown> {
  let value: unknown = "x";
  for (let i = 0; i < depth; i++) value = { k: value };
  return pod("deep", { spec: { containers: [], extra: value } });
}

function exitOf(parse: () => unknown): { code: number; message: string } {
  try {
    parse();
  } catch (error) {
    if (error instanceof AiopsError) return { code: error.exitCode, message: error.message };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("parseInput: hostile input is refused with exit 2", () => {
  it.each([
    { name: "JSON nested 1,000,000 deep", text: `${"[".repeat(1_000_000)}${"]".repeat(1_000_000)}`, want: /^in: nested deeper than the depth limit for diagnose input \(100 levels\)$/ },
    { name: "YAML flow nested 1,000,000 deep", text: `a: ${"[".repeat(1_000_000)}`, want: /depth limit for diagnose input/ },
    { name: "a pod nested deeper than 100 levels, in JSON", text: list(deepPod(100)), want: /depth limit/ },
    { name: "a pod nested deeper than 100 levels, in YAML", text: stringify(deepPod(100)), want: /depth limit/ },
    {
      name: "a billion laughs",
      text: `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n${"bcdefghi".split("").map((c, i) => `${c}: &${c} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(",")}]`).join("\n")}\n`,
      want: /alias limit for diagnose input/,
    },
    { name: "8,000,000 JSON values", text: `[${"0,".repeat(8_000_000)}0]`, want: /more than 8,000,000 JSON values, the value limit for diagnose input/ },
  ])("$name", ({ text, want }) => {
    const refused = exitOf(() => parseInput(text, "in"));
    expect(refused.code).toBe(2);
    expect(refused.message).toMatch(want);
  });

  it("accepts the same pod at 90 levels", () => {
    expect(parseInput(list(deepPod(90)), "in").objects).toHaveLength(1);
    expect(parseInput(stringify(deepPod(90)), "in").objects).toHaveLength(1);
  });

  it("throws LimitError for limits, InputError (exit 1) for broken syntax", () => {
    expect(() => parseInput(`${"[".repeat(200)}${"]".repeat(200)}`, "in")).toThrow(LimitError);
    expect(exitOf(() => parseInput("{", "in")).code).toBe(1);
    expect(exitOf(() => parseInput("a: [1", "in")).code).toBe(1);
    expect(exitOf(() => parseInput("a: 1\na: 2\n", "in")).message).toMatch(/^in: invalid YAML at line 2 column 1: Map keys must be unique$/);
  });
});

describe("parseInput: objects the rules cannot read are skipped with a note", () => {
  it.each([
    { name: "containers that are not a list", object: pod("a", { spec: { containers: "app" } }), field: "spec.containers" },
    { name: "no spec at all", object: { kind: "Pod", metadata: { name: "a" } }, field: "spec" },
    { name: "a restart count that is a string", object: pod("a", { status: { containerStatuses: [{ name: "app", ready: false, restartCount: "5" }] } }), field: "status.containerStatuses.0.restartCount" },
    { name: "a label that is a number", object: pod("a", { metadata: { name: "a", labels: { version: 2 } } }), field: "metadata.labels.version" },
    { name: "a name that is an object", object: pod("a", { metadata: { name: { first: "a" } } }), field: "metadata.name" },
    { name: "an event without involvedObject", object: { kind: "Event", metadata: { name: "e" } }, field: "involvedObject" },
    { name: "an autoscaler without maxReplicas", object: { kind: "HorizontalPodAutoscaler", metadata: { name: "h" }, spec: { scaleTargetRef: { kind: "Deployment", name: "d" } } }, field: "spec.maxReplicas" },
  ])("$name", ({ object, field }) => {
    const parsed = parseInput(list(pod("good"), object), "in.json");
    expect(parsed.objects.map((o) => o.metadata.name)).toEqual(["good"]);
    expect(parsed.notes).toHaveLength(1);
    expect(parsed.notes[0]).toMatch(/^in\.json: skipped 1 \w+ object\(s\) with missing or wrongly typed fields; the first: /);
    expect(parsed.notes[0]).toContain(`: ${field}: `);
  });

  it("counts the skipped objects of a kind in one note", () => {
    const broken = (name: string) => pod(name, { spec: {} });
    const parsed = parseInput(list(broken("a"), broken("b"), broken("c")), "in.json");
    expect(parsed.notes).toEqual([expect.stringMatching(/^in\.json: skipped 3 Pod object\(s\) .* the first: Pod shop\/a: spec\.containers: /)]);
  });

  it("reads null as unset, as the API server prints it", () => {
    const deployment = {
      kind: "Deployment",
      metadata: { name: "d", namespace: "shop" },
      spec: { selector: { matchLabels: { app: "d" } }, template: { metadata: { creationTimestamp: null, labels: { app: "d" } }, spec: { containers: [{ name: "app", resources: {} }] } } },
      status: { conditions: null },
    };
    const parsed = parseInput(list(deployment), "in.json");
    expect(parsed.notes).toEqual([]);
    expect(parsed.objects).toEqual([{ kind: "Deployment", metadata: deployment.metadata, spec: { selector: deployment.spec.selector, template: { metadata: { labels: { app: "d" } }, spec: deployment.spec.template.spec } }, status: {} }]);
  });

  it("keeps a valid object as it came", () => {
    const object = pod("a", { status: { phase: "Running", containerStatuses: [{ name: "app", ready: true, restartCount: 0 }] }, extra: { anything: [1, "two"] } });
    const parsed = parseInput(list(object), "in.json");
    expect(parsed.objects).toEqual([object]);
  });

  it("notes list items that are not objects, and shows names without control characters", () => {
    const parsed = parseInput(list(1, "two", null, pod("good"), { kind: "Pod\u001b[31m", metadata: { name: "x" } }), "in.json");
    expect(parsed.objects).toHaveLength(1);
    expect(parsed.notes).toEqual(["in.json: skipped 1 object(s) of kind Pod\\u001b[31m: not diagnosed", "in.json: skipped 3 list item(s) that are not objects"]);
  });

  it("still refuses a document that is not an object at all", () => {
    expect(() => parseInput("just text", "in.yaml")).toThrow(/^in\.yaml: expected Kubernetes objects, found string$/);
  });
});

describe("parseInput keeps keys named __proto__ as data", () => {
  it("in an object read as it came, and in one whose null fields were dropped", () => {
    const text = '{"kind": "Pod", "metadata": {"name": "a", "annotations": {"__proto__": "x"}}, "spec": {"containers": []}, "status": null}';
    const [object] = parseInput(text, "in.json").objects;
    expect(Object.keys(object?.metadata.annotations ?? {})).toEqual(["__proto__"]);
    expect(Object.hasOwn(object ?? {}, "status")).toBe(false);
  });
});
