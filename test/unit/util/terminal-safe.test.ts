import { describe, expect, it } from "vitest";
import { neutralize, neutralizeLine, neutralizeText } from "../../../src/util/terminal-safe.ts";

const ESC = "\u001b";

// [what, input, neutralizeLine, neutralizeText]
const CASES: [string, string, string, string][] = [
  ["ordinary text", "pod api-7d9f: Back-off restarting (exit 137) | 50% ~ {a: [1]} \\n", "pod api-7d9f: Back-off restarting (exit 137) | 50% ~ {a: [1]} \\n", "pod api-7d9f: Back-off restarting (exit 137) | 50% ~ {a: [1]} \\n"],
  ["emoji, accents, CJK, ZWJ sequences", "déploiement 🚀 👩‍💻 日本語 ✅", "déploiement 🚀 👩‍💻 日本語 ✅", "déploiement 🚀 👩‍💻 日本語 ✅"],
  ["NUL", "a\u0000b", "a\\u0000b", "a\\u0000b"],
  ["BEL, backspace, vertical tab, form feed", "a\u0007\u0008\u000b\u000cb", "a\\u0007\\u0008\\u000b\\u000cb", "a\\u0007\\u0008\\u000b\\u000cb"],
  ["other C0 and DEL", "\u0001\u001f\u007f", "\\u0001\\u001f\\u007f", "\\u0001\\u001f\\u007f"],
  ["newline", "a\nb", "a\\nb", "a\nb"],
  ["carriage return (overwrites a line)", "ok\rFAKE", "ok\\rFAKE", "ok\\rFAKE"],
  ["CRLF", "a\r\nb", "a\\r\\nb", "a\nb"],
  ["tab", "a\tb", "a b", "a\tb"],
  ["CSI clear screen", `${ESC}[2J${ESC}[1;31mred${ESC}[0m`, "\\u001b[2J\\u001b[1;31mred\\u001b[0m", "\\u001b[2J\\u001b[1;31mred\\u001b[0m"],
  ["OSC 8 hyperlink ended by BEL", `${ESC}]8;;https://evil.example${ESC}\u0007click${ESC}]8;;\u0007`, "\\u001b]8;;https://evil.example\\u001b\\u0007click\\u001b]8;;\\u0007", "\\u001b]8;;https://evil.example\\u001b\\u0007click\\u001b]8;;\\u0007"],
  ["OSC title ended by ST", `${ESC}]0;pwned${ESC}\\`, "\\u001b]0;pwned\\u001b\\", "\\u001b]0;pwned\\u001b\\"],
  ["8-bit CSI, OSC, ST and other C1", "\u009b2J\u009d0;t\u009c\u0085\u0080", "\\u009b2J\\u009d0;t\\u009c\\u0085\\u0080", "\\u009b2J\\u009d0;t\\u009c\\u0085\\u0080"],
  ["bidi overrides and embeddings", "a\u202ab\u202bc\u202cd\u202de\u202ef", "a\\u202ab\\u202bc\\u202cd\\u202de\\u202ef", "a\\u202ab\\u202bc\\u202cd\\u202de\\u202ef"],
  ["bidi isolates", "\u2066x\u2067y\u2068z\u2069", "\\u2066x\\u2067y\\u2068z\\u2069", "\\u2066x\\u2067y\\u2068z\\u2069"],
  ["bidi marks LRM, RLM, ALM", "\u200e\u200f\u061c", "\\u200e\\u200f\\u061c", "\\u200e\\u200f\\u061c"],
  ["line and paragraph separators", "a\u2028b\u2029c", "a\\u2028b\\u2029c", "a\\u2028b\\u2029c"],
  ["a name that would open a Markdown section", "api\n## Decision", "api\\n## Decision", "api\n## Decision"],
];

describe("neutralize", () => {
  it.each(CASES)("%s", (_what, input, line, text) => {
    expect(neutralizeLine(input)).toBe(line);
    expect(neutralizeText(input)).toBe(text);
    expect(neutralize(input)).toBe(line);
    expect(neutralize(input, { multiline: true })).toBe(text);
  });

  it.each(CASES)("is idempotent: %s", (_what, input) => {
    expect(neutralizeLine(neutralizeLine(input))).toBe(neutralizeLine(input));
    expect(neutralizeText(neutralizeText(input))).toBe(neutralizeText(input));
    expect(neutralizeLine(neutralizeText(input))).toBe(neutralizeLine(neutralizeText(input)));
  });

  it("leaves no control, escape or bidi character in any output", () => {
    const all = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join("") + "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069";
    // eslint-disable-next-line no-control-regex
    const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
    expect(neutralizeLine(all)).not.toMatch(unsafe);
    expect(neutralizeLine(all)).not.toMatch(/[\n\t]/);
    expect(neutralizeText(all)).not.toMatch(unsafe);
  });
});
