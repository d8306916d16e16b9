import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.ts";
import {
  DIAGNOSE_INPUT_LIMITS,
  LimitError,
  POLICY_LIMITS,
  checkDepth,
  parseBoundedJson,
  parseBoundedYaml,
  parseBoundedYamlDocuments,
  type JsonInputLimits,
} from "../../../src/util/bounded-parse.ts";

const SMALL: JsonInputLimits = { what: "test input", maxBytes: 1000, maxDepth: 5, maxJsonValues: 50, maxYamlTokens: 200, maxAliasCount: 10, hint: "make it smaller" };

/** `depth` nested arrays around a scalar. */
const nested = (depth: number): unknown => {
  let value: unknown = "x";
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
};

/** The classic "billion laughs": each level repeats the one before nine times. */
function laughs(levels: number): string {
  let text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (let level = 1; level < levels; level++) {
    const previous = String.fromCharCode(96 + level);
    const name = String.fromCharCode(97 + level);
    text += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]\n`;
  }
  return text;
}

function refusal(parse: () => unknown): LimitError {
  try {
    parse();
  } catch (error) {
    if (error instanceof LimitError) return error;
    throw error;
  }
  throw new Error("expected a LimitError, nothing was thrown");
}

describe("LimitError", () => {
  it("is an input error with exit code 2 and a hint", () => {
    const error = refusal(() => parseBoundedJson("x".repeat(1001), "big.json", SMALL));
    expect(error).toBeInstanceOf(InputError);
    expect(error.exitCode).toBe(2);
    expect(error.hint).toBe("make it smaller");
  });
});

describe("limits", () => {
  it.each([
    { name: "a JSON text over the size limit", parse: () => parseBoundedJson(`"${"x".repeat(1000)}"`, "in", SMALL), want: /^in: 1002 bytes, over the size limit for test input \(1000 bytes\)$/ },
    { name: "a YAML text over the size limit", parse: () => parseBoundedYaml(`a: ${"x".repeat(1000)}`, "in", SMALL), want: /over the size limit for test input/ },
    { name: "JSON nested too deep", parse: () => parseBoundedJson(JSON.stringify(nested(6)), "in", SMALL), want: /^in: nested deeper than the depth limit for test input \(5 levels\)$/ },
    { name: "YAML nested too deep (block)", parse: () => parseBoundedYaml(stringify(nested(6)), "in", SMALL), want: /depth limit for test input \(5 levels\)/ },
    { name: "YAML nested too deep (flow)", parse: () => parseBoundedYaml("[[[[[[x]]]]]]", "in", SMALL), want: /depth limit/ },
    { name: "JSON with too many values", parse: () => parseBoundedJson(JSON.stringify(Array(60).fill(1)), "in", SMALL), want: /^in: more than 50 JSON values, the value limit for test input$/ },
    { name: "YAML with too many tokens", parse: () => parseBoundedYaml(Array.from({ length: 60 }, (_, i) => `k${i}: v`).join("\n"), "in", SMALL), want: /^in: more than 200 YAML tokens, the token limit for test input$/ },
    { name: "a billion laughs", parse: () => parseBoundedYaml(laughs(9), "in", DIAGNOSE_INPUT_LIMITS), want: /^in: YAML aliases expand beyond the alias limit for diagnose input \(100\)/ },
    { name: "aliases that nest deeper than the limit", parse: () => parseBoundedYaml("a: &a [[x]]\nb: &b [[*a]]\nc: [[*b]]\n", "in", SMALL), want: /depth limit/ },
  ])("refuses $name, naming the limit", ({ parse, want }) => {
    expect(refusal(parse).message).toMatch(want);
  });

  it("accepts a value exactly at the depth limit, in JSON and in every YAML style", () => {
    const value = nested(5);
    expect(parseBoundedJson(JSON.stringify(value), "in", SMALL)).toEqual(value);
    for (const options of [{}, { collectionStyle: "flow" as const }, { indentSeq: false }]) expect(parseBoundedYaml(stringify(value, options), "in", SMALL)).toEqual(value);
  });

  it("stops a deep YAML bomb at the limit instead of parsing it whole", () => {
    const started = Date.now();
    expect(refusal(() => parseBoundedYaml("[".repeat(500_000), "in", DIAGNOSE_INPUT_LIMITS)).message).toMatch(/depth limit/);
    expect(refusal(() => parseBoundedYaml("- ".repeat(500_000), "in", DIAGNOSE_INPUT_LIMITS)).message).toMatch(/depth limit/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("reads aliases within the limit, shared subtrees walked once", () => {
    expect(parseBoundedYaml("a: &a {x: 1}\nb: *a\nc: [*a, *a]\n", "in", SMALL)).toEqual({ a: { x: 1 }, b: { x: 1 }, c: [{ x: 1 }, { x: 1 }] });
  });
});

describe("YAML semantics kept", () => {
  it("refuses duplicate keys in linear time, with the line", () => {
    expect(() => parseBoundedYaml("a: 1\nb: 2\na: 3\n", "in", SMALL)).toThrow(/^Map keys must be unique at line 3, column 1/);
    const many = Array.from({ length: 20_000 }, (_, i) => `k${i}: v`).join("\n");
    const started = Date.now();
    expect(() => parseBoundedYaml(`${many}\nk0: again\n`, "in", DIAGNOSE_INPUT_LIMITS)).toThrow(/Map keys must be unique at line 20001/);
    // The yaml package's own check takes ~4 s for 10,000 keys and grows with their square.
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("throws the yaml package's syntax error with its position", () => {
    const error = (() => {
      try {
        parseBoundedYaml("a: [1\n", "in", SMALL);
      } catch (caught) {
        return caught as { linePos?: { line: number; col: number }[]; message: string };
      }
      return undefined;
    })();
    expect(error?.linePos?.[0]).toEqual({ line: 2, col: 1 });
    expect(error?.message).toMatch(/at line 2, column 1$/);
  });

  it("parses one document as parse() does, and refuses a second", () => {
    expect(parseBoundedYaml("", "in", SMALL)).toBeNull();
    expect(parseBoundedYaml("# only a comment\n", "in", SMALL)).toBeNull();
    expect(parseBoundedYaml("a: 1\n", "in", SMALL)).toEqual({ a: 1 });
    expect(() => parseBoundedYaml("a: 1\n---\nb: 2\n", "in", SMALL)).toThrow(/multiple documents/);
  });

  it("returns every non-empty document of a stream", () => {
    expect(parseBoundedYamlDocuments("---\na: 1\n---\n---\nnull\n---\n- b\n", "in", SMALL)).toEqual([{ a: 1 }, ["b"]]);
  });
});

describe("checkDepth", () => {
  it("counts the outermost array or object as level 1; scalars add nothing", () => {
    expect(() => checkDepth("x", "in", { ...POLICY_LIMITS, maxDepth: 0 })).not.toThrow();
    expect(() => checkDepth({ a: [1] }, "in", { ...POLICY_LIMITS, maxDepth: 2 })).not.toThrow();
    expect(() => checkDepth({ a: [[1]] }, "in", { ...POLICY_LIMITS, maxDepth: 2 })).toThrow(LimitError);
  });

  it("ends on a cycle, as too deep", () => {
    const cycle: unknown[] = [];
    cycle.push(cycle);
    expect(() => checkDepth(cycle, "in", POLICY_LIMITS, true)).toThrow(/depth limit/);
  });
});
