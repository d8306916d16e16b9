import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { appendSection, parseRecord, readSection, readSections, renderSections, serializeRecord } from "../../../src/records/record-file.ts";
import { parseSimpleYaml, stringifyYaml } from "../../../src/records/yaml-engine.ts";
import { hashed, proposalFrontMatter, SAMPLE_BODY } from "./fixtures.ts";

describe("record files", () => {
  it("round-trips front matter and body exactly", () => {
    const record = { frontMatter: hashed(proposalFrontMatter({ approvals: [{ identity: "bob", role: "approver", decision: "approved", at: "2026-11-21T10:05:00Z", comment: "looks \"right\": 156Mi" }] })), body: SAMPLE_BODY };
    const text = serializeRecord(record);
    expect(text.startsWith("---\nid: \"01JD3X5Y6Z7A8B9C0D1E2F3G4H\"\n")).toBe(true);
    expect(text).toContain("\n---\n\n## Prompt\n");
    const back = parseRecord(text, "x.md");
    expect(back).toEqual(record);
    expect(serializeRecord(back)).toBe(text);
  });

  it("keeps dates as strings", () => {
    const back = parseRecord(serializeRecord({ frontMatter: hashed(proposalFrontMatter()), body: "b\n" }), "x.md");
    expect(typeof back.frontMatter.date).toBe("string");
    expect(back.frontMatter.window?.expires).toBe("2026-11-21T10:30:00Z");
  });

  it("reads an unquoted hand-written YAML record through the full parser", () => {
    const text = serializeRecord({ frontMatter: hashed(proposalFrontMatter()), body: "b\n" }).replace(/^title: ".*"$/m, "title: Raise memory of shop/api # a comment");
    expect(parseRecord(text, "x.md").frontMatter.title).toBe("Raise memory of shop/api");
  });

  it.each(["---js", "---javascript", "---json", "--- js"])("refuses %s front matter without evaluating it", (opener) => {
    const marker = `aiops_evaluated_${Math.random().toString(36).slice(2)}`;
    const text = `${opener}\n{ title: (globalThis.${marker} = "pwned") }\n---\nbody\n`;
    expect(() => parseRecord(text, "evil.md")).toThrow(/evil\.md.*not a record/);
    expect((globalThis as Record<string, unknown>)[marker]).toBeUndefined();
  });

  it("names the file and the invalid field", () => {
    const text = serializeRecord({ frontMatter: hashed(proposalFrontMatter()), body: "b\n" }).replace('stage: "proposal"', 'stage: "incident"');
    expect(() => parseRecord(text, "history/prompts/2026/11/x.proposal.md")).toThrow(/history\/prompts\/2026\/11\/x\.proposal\.md: invalid record: stage: must be one of/);
  });

  it("reports broken YAML with the file name", () => {
    expect(() => parseRecord("---\nid: [unclosed\n---\nbody\n", "bad.md")).toThrow(/bad\.md: invalid YAML front matter/);
  });

  it("renders and reads body sections in docs/records.md order", () => {
    const body = renderSections({ "Rollback procedure": "kubectl rollout undo", Prompt: "the command", Evidence: "- e1" });
    expect(readSections(body).map((s) => s.name)).toEqual(["Prompt", "Evidence", "Rollback procedure"]);
    const appended = appendSection(body, "Decision", "bob approved");
    expect(appended.startsWith(body)).toBe(true);
    expect(readSection(appended, "Decision")).toBe("bob approved");
  });
});

describe("front matter YAML fast path", () => {
  const samples: unknown[] = [
    proposalFrontMatter(),
    { a: "x: y # not a comment", b: "- dash", c: "multi\nline\n", d: "tab\there", e: "quote \" and \\ backslash", f: "üñí ✓", g: "", h: "123", i: "true", j: "null" },
    { nested: [{ a: [1, 2, { b: [] }], c: {} }, "s", 0, -7], deep: { x: { y: { z: "w" } } } },
    { ctrl: "bell\u0007 esc\u001b", line: "a\u2028b", nbsp: "a\u00a0b", labels: { "app.kubernetes.io/name": "api" } },
  ];
  it.each(samples.map((value, i) => ({ i, value })))("reads sample $i exactly as the yaml package does", ({ value }) => {
    const text = stringifyYaml(value);
    const fast = parseSimpleYaml(text);
    const full = parse(text);
    expect(full).toEqual(value);
    if (fast !== undefined) expect(fast).toEqual(full);
  });

  it("hands anything outside its subset to the full parser", () => {
    expect(parseSimpleYaml("a: plain text\n")).toBeUndefined();
    expect(parseSimpleYaml("a: \"x\" # c\n")).toBeUndefined();
    expect(parseSimpleYaml("a: &x \"1\"\nb: *x\n")).toBeUndefined();
    expect(parseSimpleYaml("a: \"1\"\na: \"2\"\n")).toBeUndefined();
    expect(parseSimpleYaml("a:\nb: \"2\"\n")).toBeUndefined();
    expect(parseSimpleYaml("a: |\n  text\n")).toBeUndefined();
  });

  it("takes the fast path for what the store writes", () => {
    expect(parseSimpleYaml(stringifyYaml(proposalFrontMatter()))).toEqual(proposalFrontMatter());
  });
});
