import { describe, expect, it } from "vitest";
import { newestTimestamp, parseInput } from "../../../src/diagnose/parse-input.ts";
import { InputError } from "../../../src/errors.ts";

const pod = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "shop" }, spec: { containers: [] }, ...extra });

describe("parseInput", () => {
  it.each([
    { name: "one JSON object", text: JSON.stringify(pod("a")), want: ["Pod/a"] },
    { name: "a v1 List", text: JSON.stringify({ apiVersion: "v1", kind: "List", items: [pod("a"), { kind: "Event", metadata: { name: "e" }, involvedObject: {} }] }), want: ["Pod/a", "Event/e"] },
    { name: "a typed PodList whose items carry no kind", text: JSON.stringify({ kind: "PodList", items: [{ metadata: { name: "a" }, spec: { containers: [] } }] }), want: ["Pod/a"] },
    { name: "multi-document YAML", text: "kind: Pod\nmetadata: {name: a}\nspec: {containers: []}\n---\nkind: Service\nmetadata: {name: s}\nspec: {}\n---\n", want: ["Pod/a", "Service/s"] },
    { name: "a YAML List", text: "kind: List\nitems:\n- kind: Node\n  metadata: {name: n1}\n", want: ["Node/n1"] },
  ])("reads $name", ({ text, want }) => {
    const parsed = parseInput(text, "in.json");
    expect(parsed.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(want);
  });

  it("skips unknown kinds with a note naming the kind", () => {
    const parsed = parseInput(JSON.stringify({ kind: "List", items: [pod("a"), { kind: "Widget", metadata: { name: "w" } }, { kind: "Widget", metadata: { name: "x" } }] }), "in.json");
    expect(parsed.objects).toHaveLength(1);
    expect(parsed.notes).toEqual(["in.json: skipped 2 object(s) of kind Widget: not diagnosed"]);
  });

  it("names the file, line and column of malformed JSON", () => {
    const text = '{\n  "kind": "Pod",\n  "metadata": {"name": "a",}\n}';
    expect(() => parseInput(text, "broken.json")).toThrow(InputError);
    expect(() => parseInput(text, "broken.json")).toThrow(/^broken\.json: invalid JSON at line 3 column \d+/);
  });

  it("names the file and line of malformed YAML", () => {
    expect(() => parseInput("kind: Pod\nmetadata:\n  name: [a\n", "broken.yaml")).toThrow(/^broken\.yaml: invalid YAML at line \d+ column \d+/);
  });

  it("skips an object without metadata.name, with a note naming the field", () => {
    const parsed = parseInput(JSON.stringify({ kind: "Pod", metadata: {}, spec: { containers: [] } }), "x.json");
    expect(parsed.objects).toEqual([]);
    expect(parsed.notes).toEqual([expect.stringMatching(/^x\.json: skipped 1 Pod object\(s\) with missing or wrongly typed fields; the first: Pod \(no name\): metadata\.name: /)]);
  });
});

describe("newestTimestamp", () => {
  it("takes the newest time-like field and ignores annotations", () => {
    const objects = [
      { kind: "Pod", metadata: { name: "a", creationTimestamp: "2026-11-20T10:00:00Z", annotations: { note: "2030-01-01T00:00:00Z" } }, status: { containerStatuses: [{ lastState: { terminated: { finishedAt: "2026-11-20T11:30:00Z" } } }] } },
      { kind: "Event", metadata: { name: "e" }, involvedObject: {}, lastTimestamp: "2026-11-20T11:00:00Z" },
    ];
    expect(newestTimestamp(objects)).toBe("2026-11-20T11:30:00.000Z");
  });

  it("returns undefined when there is no timestamp", () => {
    expect(newestTimestamp([{ kind: "Pod", metadata: { name: "a" } }])).toBeUndefined();
  });
});
