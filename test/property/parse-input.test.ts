import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { diagnoseSnapshot } from "../../src/diagnose/engine.ts";
import { newestTimestamp, parseInput, type ParsedInput } from "../../src/diagnose/parse-input.ts";
import { InputError } from "../../src/errors.ts";
import { DIAGNOSE_INPUT_LIMITS, LimitError } from "../../src/util/bounded-parse.ts";
import { anyText, kubeList, kubeObject, pathsOf, pod, replaceAt } from "./arbitraries.ts";
import { settings } from "./config.ts";

/**
 * `diagnose -f` on any input: objects and notes, or an InputError (exit 1: broken syntax, not
 * Kubernetes objects) or a LimitError (exit 2) — never another error, which the user would see
 * as an internal error. What parseInput keeps, the rules can judge without throwing.
 */
function parseOrRefuse(text: string): ParsedInput | InputError {
  try {
    return parseInput(text, "in");
  } catch (error) {
    if (error instanceof InputError && (error.exitCode === 1 || error.exitCode === 2)) return error;
    throw error;
  }
}

function diagnoseParsed(parsed: ParsedInput | InputError): void {
  if (parsed instanceof InputError) return;
  diagnoseSnapshot({ now: newestTimestamp(parsed.objects) ?? "2026-11-21T12:00:00Z", objects: parsed.objects });
}

const asJson = (value: unknown) => JSON.stringify(value, null, 4);
const asYaml = (value: unknown) => stringify(value);
/** Flow style after a document marker: a text that starts with `{` or `[` is read as JSON. */
const asFlowYaml = (value: unknown) => `--- ${stringify(value, { collectionStyle: "flow" })}`;
const FORMATS = [
  { name: "JSON", write: asJson },
  { name: "YAML", write: asYaml },
  { name: "flow YAML", write: asFlowYaml },
];

/** Pieces of YAML syntax, for texts that are almost YAML: anchors, aliases, tags, merge keys, block scalars. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom("- ", ": ", "[", "]", "{", "}", ", ", "&a ", "&b ", "*a", "*b", "---\n", "...\n", "\n", "  ", "kind: Pod", "kind: List", "items:", "metadata:", "name: x", "spec:", "containers:", '"', "'", " #", "!!str ", "!!map ", "!x ", "? ", "<<: *a", "|\n", ">-\n", "%YAML 1.2\n", "\t", "\\", "0x1F", "~", "null", "1e400"),
      anyText,
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

describe("parseInput on arbitrary input: typed errors only", () => {
  it.each(FORMATS)("any JSON value written as $name", ({ write }) => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        diagnoseParsed(parseOrRefuse(write(value)));
      }),
      settings(200),
    );
  });

  it("any text, any bytes", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("utf8"))), (text) => {
        parseOrRefuse(text);
      }),
      settings(500),
    );
  });

  it("texts built from pieces of YAML syntax", () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        diagnoseParsed(parseOrRefuse(text));
      }),
      settings(500),
    );
  });

  it("a List of valid objects with one field replaced by any JSON value or removed, in JSON and YAML", () => {
    // One to three fields, picked among the shallow ones (spec, containers, status ...) half the time.
    const mutated = kubeList.chain((list) => {
      const paths = pathsOf(list).filter((p) => p[0] === "items");
      if (paths.length === 0) return fc.constant(list);
      const shallow = paths.filter((p) => p.length <= 4);
      const path = shallow.length === 0 ? fc.constantFrom(...paths) : fc.oneof(fc.constantFrom(...shallow), fc.constantFrom(...paths));
      const replacement = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.constant(null));
      return fc.array(fc.tuple(path, replacement), { minLength: 1, maxLength: 3 }).map((edits) => edits.reduce<unknown>((value, [at, by]) => replaceAt(value, at, by), list));
    });
    fc.assert(
      fc.property(mutated, fc.constantFrom(...FORMATS), (list, format) => {
        const parsed = parseOrRefuse(format.write(list));
        // Valid syntax within the limits: never refused, an object the rules cannot read is a note.
        expect(parsed).not.toBeInstanceOf(InputError);
        diagnoseParsed(parsed);
      }),
      settings(300),
    );
  });
});

describe("parseInput keeps valid objects as they are", () => {
  it.each(FORMATS)("a List of valid objects written as $name reads back equal, with no note", ({ write }) => {
    fc.assert(
      fc.property(kubeList, (list) => {
        const parsed = parseInput(write(list), "in");
        expect(parsed.notes.filter((note) => !note.includes("no Kubernetes objects found"))).toEqual([]);
        expect(parsed.objects).toEqual(list.items);
        diagnoseParsed(parsed);
      }),
      settings(150),
    );
  });

  it("a pod alone, and pods as multi-document YAML, read back equal", () => {
    fc.assert(
      fc.property(fc.array(pod, { minLength: 1, maxLength: 4 }), (pods) => {
        expect(parseInput(asJson(pods[0]), "in").objects).toEqual([pods[0]]);
        expect(parseInput(pods.map((p) => `---\n${asYaml(p)}`).join(""), "in").objects).toEqual(pods);
      }),
      settings(100),
    );
  });

  it("a typed list (PodList, ServiceList ...) gives its items their kind", () => {
    fc.assert(
      fc.property(fc.array(kubeObject, { minLength: 1, maxLength: 4 }), (objects) => {
        const kind = objects[0]?.kind as string;
        const items = objects.filter((o) => o.kind === kind).map(({ kind: _, ...rest }) => rest);
        expect(parseInput(asJson({ kind: `${kind}List`, items }), "in").objects).toEqual(items.map((item) => ({ ...item, kind })));
      }),
      settings(100),
    );
  });
});

describe("parseInput depth limit", () => {
  /** A pod whose spec.extra nests `depth` levels (objects or arrays); the pod and its spec are 2 more. */
  const deepPod = (depth: number, arrays: boolean) => {
    let value: unknown = "leaf";
    for (let i = 0; i < depth; i++) value = arrays && i % 2 === 1 ? [value] : { k: value };
    return { kind: "Pod", metadata: { name: "deep" }, spec: { containers: [], extra: value } };
  };

  it("refuses exactly the documents deeper than the limit, in every format", () => {
    fc.assert(
      fc.property(fc.integer({ min: 80, max: 130 }), fc.boolean(), fc.constantFrom(...FORMATS), (depth, arrays, format) => {
        const total = depth + 2;
        const parse = () => parseInput(format.write(deepPod(depth, arrays)), "in");
        if (total <= DIAGNOSE_INPUT_LIMITS.maxDepth) expect(parse().objects).toHaveLength(1);
        else expect(parse).toThrow(LimitError);
      }),
      settings(100),
    );
  });
});
