import { Composer, Lexer, LineCounter, Parser, YAMLParseError, isAlias, isMap, isPair, isScalar, isSeq, type CST, type DocumentOptions, type ParseOptions, type SchemaOptions } from "yaml";
import { InputError } from "../errors.ts";

/**
 * Every reader of YAML or JSON that a user or a repository hands us (`diagnose -f`, records,
 * the policy file) parses through here, within limits of its own: a hostile or broken file is
 * refused with exit 2 and a message naming the limit, before it can exhaust memory or time.
 *
 * Why bytes alone are not enough: memory and time grow with the number of values, not bytes.
 * Measured (Node 24, yaml 2.9): V8's JSON.parse needs ~2.5 bytes of heap per byte of kubectl's
 * JSON but ~22 per byte of `[{},{},...]`; the `yaml` package needs ~40 bytes per byte of
 * kubectl's YAML (a 10,000-pod list, 58 MiB: 2.5 GB and 20 s) and ~450 per byte of `[{},{},...]`,
 * and it checks duplicate keys in quadratic time (40,000 keys, 380 KiB: 85 s). So JSON also gets
 * a budget of values, YAML a budget of tokens, and duplicate keys are checked here in linear time.
 */
export interface InputLimits {
  /** Names the input in messages: "diagnose input", "a record", "the policy file". */
  readonly what: string;
  /** Characters of text (bytes for the file reader); also bounds the lexer's time. */
  readonly maxBytes: number;
  /** Nested arrays and objects: recursive code downstream (rules, zod, render) stays shallow. */
  readonly maxDepth: number;
  /** Tokens of the `yaml` lexer (a `key: value` line is about 4): its memory grows ~400 bytes per token. */
  readonly maxYamlTokens: number;
  /** The `yaml` package's alias budget: the expansions of one anchor times the aliases inside it. */
  readonly maxAliasCount: number;
  /** What to do instead, for every limit of this input. */
  readonly hint: string;
}

export interface JsonInputLimits extends InputLimits {
  /** `{`, `[` and `,` in the text, counted before JSON.parse: an upper bound of the values it builds. */
  readonly maxJsonValues: number;
}

const MiB = 2 ** 20;

/**
 * `diagnose -f`: `kubectl get -o json` prints ~9 KB per pod (4-space indent, no managedFields),
 * so a 10,000-pod List with its events is ~115 MB and ~2,100,000 values; 256 MiB and 8,000,000
 * values leave room for bigger pods, and bound the heap at ~1 GB for any JSON. YAML is limited
 * by the `yaml` package: 2,000,000 tokens is ~9 MB of kubectl YAML (~1,500 objects), and at worst
 * ~1 GB of heap and a few seconds; a bigger cluster dump goes through JSON. Kubernetes objects
 * nest ~20 levels; CRD schemas in a dump nest deeper, hence 100.
 */
export const DIAGNOSE_INPUT_LIMITS: JsonInputLimits = {
  what: "diagnose input",
  maxBytes: 256 * MiB,
  maxDepth: 100,
  maxJsonValues: 8_000_000,
  maxYamlTokens: 2_000_000,
  maxAliasCount: 100,
  hint: "what kubectl get ... -o json writes stays within these limits; for a large cluster, write one namespace (or a label selector) per file: JSON is read up to 256 MiB, YAML up to ~9 MB (2,000,000 tokens)",
};

/**
 * Records: the ones kubectl aiops writes are a few KB (a patch and its rollback in the front
 * matter, a few hundred lines of Markdown); 4 MiB and 200,000 front-matter tokens are far above
 * that, and refuse a hostile file in well under a second, so `list` over 10,000 records stays safe.
 */
export const RECORD_LIMITS: InputLimits = {
  what: "a record",
  maxBytes: 4 * MiB,
  maxDepth: 64,
  maxYamlTokens: 200_000,
  maxAliasCount: 50,
  hint: "records written by kubectl aiops stay far below these limits: restore the committed version with git checkout -- <file>",
};

/** `.aiops.yaml` is a few hundred lines at most (docs/policy.md). */
export const POLICY_LIMITS: InputLimits = {
  what: "the policy file",
  maxBytes: 1 * MiB,
  maxDepth: 64,
  maxYamlTokens: 100_000,
  maxAliasCount: 100,
  hint: "a policy file is a few hundred lines of plain YAML (docs/policy.md); restore the committed version with git checkout -- .aiops.yaml",
};

/** An input over one of its limits: exit 2, as a usage error, since no retry can succeed. */
export class LimitError extends InputError {
  constructor(message: string, hint: string) {
    super(message, { exitCode: 2, hint });
  }
}

/** The parser stack holds the document and a scalar besides the collections: slack for them. */
const CST_STACK_SLACK = 8;

type YamlOptions = ParseOptions & DocumentOptions & SchemaOptions;

export function sizeError(source: string, bytes: number | undefined, limits: InputLimits): LimitError {
  const size = bytes === undefined ? "more than" : `${formatSize(bytes)}, over`;
  return new LimitError(`${source}: ${size} the size limit for ${limits.what} (${formatSize(limits.maxBytes)})`, limits.hint);
}

export function checkSize(text: string, source: string, limits: InputLimits): void {
  if (text.length > limits.maxBytes) throw sizeError(source, text.length, limits);
}

function depthError(source: string, limits: InputLimits): LimitError {
  return new LimitError(`${source}: nested deeper than the depth limit for ${limits.what} (${limits.maxDepth} levels)`, limits.hint);
}

/**
 * Refuses a value nested deeper than `limits.maxDepth` arrays and objects (the top one is level
 * 1). The walk stops at the limit, so its own recursion stays shallow. `shared`: the value may
 * reuse subtrees (YAML aliases); each is then walked once per depth, not once per reference.
 */
export function checkDepth(value: unknown, source: string, limits: InputLimits, shared = false): void {
  if (typeof value === "object" && value !== null && deeperThan(value, 1, limits.maxDepth, shared ? new Map() : undefined)) throw depthError(source, limits);
}

function deeperThan(value: object, depth: number, maxDepth: number, walked: Map<object, number> | undefined): boolean {
  if (depth > maxDepth) return true;
  if (walked !== undefined) {
    // Walked before from as deep or deeper: nothing new below.
    if ((walked.get(value) ?? 0) >= depth) return false;
    walked.set(value, depth);
  }
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    if (typeof child === "object" && child !== null && deeperThan(child, depth + 1, maxDepth, walked)) return true;
  }
  return false;
}

/**
 * JSON.parse within limits. A syntax error is thrown as JSON.parse throws it (the caller knows
 * how to point at it); a limit as a LimitError.
 */
export function parseBoundedJson(text: string, source: string, limits: JsonInputLimits): unknown {
  checkSize(text, source, limits);
  let values = 0;
  for (const mark of ["{", "[", ","]) {
    for (let at = text.indexOf(mark); at !== -1; at = text.indexOf(mark, at + 1)) {
      if (++values > limits.maxJsonValues) {
        throw new LimitError(`${source}: more than ${limits.maxJsonValues.toLocaleString("en")} JSON values, the value limit for ${limits.what}`, limits.hint);
      }
    }
  }
  const value: unknown = JSON.parse(text);
  checkDepth(value, source, limits);
  return value;
}

/**
 * Every document of a YAML stream as plain data, empty documents left out (a document of only
 * `null` counts as empty). The first syntax error is thrown as the `yaml` package throws it: a
 * YAMLParseError with `linePos`, its message's first line ending "at line L, column C".
 */
export function parseBoundedYamlDocuments(text: string, source: string, limits: InputLimits, options: YamlOptions = {}): unknown[] {
  return composeBounded(text, source, limits, options, false).filter((value) => value !== null && value !== undefined);
}

/** One YAML document as plain data, as `parse` from the `yaml` package reads it (null when empty), within limits. */
export function parseBoundedYaml(text: string, source: string, limits: InputLimits, options: YamlOptions = {}): unknown {
  return composeBounded(text, source, limits, options, true)[0] ?? null;
}

/**
 * Lexes, parses and composes one document at a time (the parser's structures of one document
 * are held, then only its data), counting tokens and the parser's nesting as it goes, so a bomb
 * stops at the limit instead of after the whole text.
 */
function composeBounded(text: string, source: string, limits: InputLimits, options: YamlOptions, single: boolean): unknown[] {
  checkSize(text, source, limits);
  const values: unknown[] = [];
  const lineCounter = new LineCounter();
  // Duplicate keys are checked below in linear time: the package's own check is quadratic.
  // logLevel "error": no process warning (a key that is a collection) from a pure function.
  const composer = new Composer({ ...options, uniqueKeys: false, logLevel: "error" });
  for (const document of composer.compose(boundedTokens(text, source, limits, lineCounter), single, text.length)) {
    if (single && values.length > 0) throw located(new YAMLParseError([document.range[0], document.range[1]], "MULTIPLE_DOCS", "Source contains multiple documents"), lineCounter);
    const { duplicate, aliases } = inspect(document.contents);
    const error = document.errors[0] ?? duplicate;
    if (error !== undefined) throw located(error, lineCounter);
    values.push(toJs(document, source, limits, aliases));
  }
  return values;
}

function* boundedTokens(text: string, source: string, limits: InputLimits, lineCounter: LineCounter): Generator<CST.Token> {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  let tokens = 0;
  for (const lexeme of new Lexer().lex(text)) {
    if (++tokens > limits.maxYamlTokens) {
      throw new LimitError(`${source}: more than ${limits.maxYamlTokens.toLocaleString("en")} YAML tokens, the token limit for ${limits.what}`, limits.hint);
    }
    yield* parser.next(lexeme);
    if (parser.stack.length > limits.maxDepth + CST_STACK_SLACK) throw depthError(source, limits);
  }
  yield* parser.end();
}

function toJs(document: { toJS(options: { maxAliasCount: number }): unknown }, source: string, limits: InputLimits, aliases: boolean): unknown {
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (error) {
    if (error instanceof ReferenceError && /alias count/i.test(error.message)) {
      throw new LimitError(`${source}: YAML aliases expand beyond the alias limit for ${limits.what} (${limits.maxAliasCount}): a "billion laughs" document`, limits.hint);
    }
    if (error instanceof RangeError && /call stack/i.test(error.message)) throw depthError(source, limits);
    throw error;
  }
  checkDepth(value, source, limits, aliases);
  return value;
}

/**
 * The first key that repeats in a mapping (scalar keys, compared by value as the `yaml` package
 * does), and whether the document has aliases.
 */
function inspect(contents: unknown): { duplicate: YAMLParseError | undefined; aliases: boolean } {
  const nodes: unknown[] = [contents];
  let aliases = false;
  while (nodes.length > 0) {
    const node = nodes.pop();
    if (isAlias(node)) {
      aliases = true;
    } else if (isMap(node)) {
      const keys = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          if (keys.has(pair.key.value)) return { duplicate: new YAMLParseError([pair.key.range?.[0] ?? -1, pair.key.range?.[1] ?? -1], "DUPLICATE_KEY", "Map keys must be unique"), aliases };
          keys.add(pair.key.value);
        }
        nodes.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) nodes.push(item);
    } else if (isPair(node)) {
      nodes.push(node.key, node.value);
    }
  }
  return { duplicate: undefined, aliases };
}

/** What the `yaml` package's prettyErrors adds that callers read: `linePos`, and "at line L, column C". */
function located(error: YAMLParseError, lineCounter: LineCounter): YAMLParseError {
  if (error.pos[0] === -1 || error.linePos !== undefined) return error;
  const at = lineCounter.linePos(error.pos[0]);
  error.linePos = [at];
  error.message += ` at line ${at.line}, column ${at.col}`;
  return error;
}

function formatSize(bytes: number): string {
  const [amount, unit] = bytes >= MiB ? [bytes / MiB, "MiB"] : bytes >= 1024 ? [bytes / 1024, "KiB"] : [bytes, "bytes"];
  return `${Number.isInteger(amount) ? amount : amount.toFixed(1)} ${unit}`;
}
