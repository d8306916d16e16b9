import { describe, expect, it } from "vitest";
import { escapeBlockStart, quoteAsData } from "../../../src/util/record-text.ts";

const ESC = "\u001b";

describe("quoteAsData", () => {
  it.each([
    { name: "plain text", input: "The pod ran out of memory.", want: "`The pod ran out of memory.`" },
    { name: "a heading, a front matter fence and a key", input: "## Heading\n---\nfoo: bar", want: "`## Heading --- foo: bar`" },
    { name: "a code fence", input: "```\nrm -rf /\n```", want: "```` ``` rm -rf / ``` ````" },
    { name: "a link and an image", input: "see [docs](https://evil.example) ![x](https://evil.example/?q=1)", want: "`see [docs](https://evil.example) ![x](https://evil.example/?q=1)`" },
    { name: "HTML and a comment", input: "<details><!-- hide the rest", want: "`<details><!-- hide the rest`" },
    { name: "ANSI and OSC escapes, bidi", input: `${ESC}[2Jok${ESC}]8;;https://x${ESC}\\ \u202e`, want: "`\\u001b[2Jok\\u001b]8;;https://x\\u001b\\ \\u202e`" },
    { name: "a carriage return", input: "ok\rFAKE", want: "`ok\\rFAKE`" },
    { name: "backticks inside", input: "run `kubectl get pods`", want: "`` run `kubectl get pods` ``" },
    { name: "a secret", input: "use password=hunter2", want: "`use password=REDACTED`" },
    { name: "blank text", input: " \n\t ", want: "" },
  ])("$name", ({ input, want }) => {
    expect(quoteAsData(input)).toBe(want);
  });

  it("is one line and carries no control character", () => {
    const out = quoteAsData(`a\nb\r\nc\u2028d${ESC}[31m\u0007`);
    expect(out).not.toMatch(/[\n\r\u0000-\u001f\u2028\u2029]/);
  });
});

describe("escapeBlockStart", () => {
  it.each([
    ["# heading", "\\# heading"],
    ["## Decision", "\\## Decision"],
    ["---", "\\---"],
    ["- item", "\\- item"],
    ["* item", "\\* item"],
    ["+ item", "\\+ item"],
    ["> quote", "\\> quote"],
    ["```js", "\\```js"],
    ["~~~", "\\~~~"],
    ["=== setext", "\\=== setext"],
    ["___", "\\___"],
    ["| a | b |", "\\| a | b |"],
    ["<script>", "\\<script>"],
    ["1. first", "1\\. first"],
    ["12) twelfth", "12\\) twelfth"],
    ["    indented code", "indented code"],
    ["plain words", "plain words"],
    ["2026 was a year", "2026 was a year"],
    ["3.5 GiB", "3.5 GiB"],
  ])("%s", (input, want) => {
    expect(escapeBlockStart(input)).toBe(want);
  });
});
