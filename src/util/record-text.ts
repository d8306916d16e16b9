/**
 * Untrusted text (an LLM answer, a log line, an event message) inside Markdown that we write: a
 * record body or `-o markdown`. Such text is data: it can never open a heading, a front matter
 * fence, a code fence, a list, a quote, a link or an image, nor carry a terminal escape. Pure.
 */
import { redactText } from "./redact.ts";
import { neutralizeLine } from "./terminal-safe.ts";

/**
 * The text as one inline code span: redacted, its line breaks joined with a space, control and
 * bidi characters made visible (`\u001b`). Inside a code span Markdown reads nothing: no
 * emphasis, link, image, HTML or escape; and being one line it cannot start a block. The fence
 * is longer than any run of backticks in the text, so the text cannot close it. Empty text
 * gives "".
 */
export function quoteAsData(text: string): string {
  const line = neutralizeLine(redactText(text).replace(/[ \t]*\r?\n[ \t]*/g, " ").trim());
  if (line === "") return "";
  const longest = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  // A span's content that starts or ends with a backtick needs a space (Markdown strips one each side).
  const pad = line.startsWith("`") || line.endsWith("`") ? " " : "";
  return `${fence}${pad}${line}${pad}${fence}`;
}

// What a line may start with to open a block: ATX heading, quote, list item or thematic break,
// setext underline, table row, code fence, HTML block, ordered list item.
const BLOCK_START = /^(?:[#>+*=|~`<_-]|\d{1,9}[.)](?=\s|$))/;

/**
 * One line of untrusted prose made plain paragraph text: a leading character that would open a
 * block is backslash-escaped (`\#`, `\-`, `1\.`). Leading blanks are dropped (four would make
 * an indented code block). For a wrapped paragraph, apply it to every line.
 */
export function escapeBlockStart(line: string): string {
  const text = line.replace(/^[ \t]+/, "");
  const m = BLOCK_START.exec(text);
  if (m === null) return text;
  const at = m[0].length - 1;
  return `${text.slice(0, at)}\\${text.slice(at)}`;
}
