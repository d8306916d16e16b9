import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.ts";
import { parseRecord, readFrontMatter, serializeRecord } from "../../../src/records/record-file.ts";
import { parseYaml } from "../../../src/records/yaml-engine.ts";
import { LimitError, RECORD_LIMITS } from "../../../src/util/bounded-parse.ts";
import { SAMPLE_BODY, hashed, proposalFrontMatter } from "./fixtures.ts";

const valid = serializeRecord({ frontMatter: hashed(proposalFrontMatter()), body: SAMPLE_BODY });
/** A record whose front matter starts with `yaml`, the rest of it a valid proposal's. */
const withFrontMatter = (yaml: string): string => valid.replace(/^---\n/, `---\n${yaml}\n`);

/** Both readers of a record: the full parse and the front-matter fast path of `list`. */
const READERS = [
  { name: "parseRecord", read: (text: string) => parseRecord(text, "h/r.md") },
  { name: "readFrontMatter", read: (text: string) => readFrontMatter(text, "h/r.md") },
];

function refusal(read: () => unknown): LimitError {
  try {
    read();
  } catch (error) {
    if (error instanceof LimitError) return error;
    throw error;
  }
  throw new Error("expected a LimitError");
}

describe.each(READERS)("$name within RECORD_LIMITS", ({ read }) => {
  it("reads a valid record", () => {
    expect(() => read(valid)).not.toThrow();
  });

  it("refuses a record over the size limit, with exit 2", () => {
    const error = refusal(() => read(`${valid}${"x".repeat(RECORD_LIMITS.maxBytes)}`));
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^h\/r\.md: 4\.0 MiB, over the size limit for a record \(4 MiB\)$/);
    expect(error.hint).toMatch(/git checkout -- <file>/);
  });

  it("refuses front matter nested deeper than 64 levels, in block and in flow style", () => {
    const block = Array.from({ length: 70 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n") + `\n${"  ".repeat(70)}leaf: "x"`;
    expect(refusal(() => read(withFrontMatter(block))).message).toBe("h/r.md: nested deeper than the depth limit for a record (64 levels)");
    expect(refusal(() => read(withFrontMatter(`deep: ${"[".repeat(100_000)}`))).message).toMatch(/depth limit for a record/);
  });

  it("refuses an alias bomb in the front matter", () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x"]', ...["b", "c", "d", "e", "f"].map((c, i) => `${c}: &${c} [${Array(8).fill(`*${"abcde"[i]}`).join(",")}]`)].join("\n");
    expect(refusal(() => read(withFrontMatter(bomb))).message).toMatch(/^h\/r\.md: YAML aliases expand beyond the alias limit for a record \(50\)/);
  });

  it("refuses 200,000 tokens of front matter quickly", () => {
    const started = Date.now();
    expect(refusal(() => read(withFrontMatter(Array.from({ length: 60_000 }, (_, i) => `k${i}: [a]`).join("\n")))).message).toMatch(/token limit for a record/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("still reports broken YAML as an invalid record (exit 1)", () => {
    expect(() => read(withFrontMatter("a: [1"))).toThrow(InputError);
    expect(() => read(withFrontMatter("a: [1"))).not.toThrow(LimitError);
  });
});

describe("parseYaml (record engine)", () => {
  it("refuses deep nesting on the fast path too", () => {
    const deep = Array.from({ length: 66 }, (_, i) => `${"  ".repeat(i)}k:`).join("\n") + `\n${"  ".repeat(66)}v: "x"\n`;
    expect(() => parseYaml(deep, "r.md")).toThrow(/depth limit for a record/);
    const shallow = Array.from({ length: 60 }, (_, i) => `${"  ".repeat(i)}k:`).join("\n") + `\n${"  ".repeat(60)}v: "x"\n`;
    expect(() => parseYaml(shallow, "r.md")).not.toThrow();
  });

  it("refuses duplicate keys on both paths", () => {
    expect(() => parseYaml('a: "1"\na: "2"\n', "r.md")).toThrow(/Map keys must be unique/);
    expect(() => parseYaml("a: 1 # comment\na: 2\n", "r.md")).toThrow(/Map keys must be unique/);
  });
});
