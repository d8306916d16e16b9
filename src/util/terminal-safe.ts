/**
 * Terminal safety: strings from the cluster (names, event and termination messages, log lines,
 * label values) or from an LLM answer are shown to a human only after `neutralize`. Pure.
 *
 * Every character a terminal or a Markdown viewer could act on is replaced by a visible escape
 * (`\u001b`, `\u202e` ...), so a reader sees that something was there and nothing is executed:
 * - C0 controls (U+0000-U+001F, NUL included) and DEL, except `\n` and `\t` where allowed;
 * - C1 controls (U+0080-U+009F), among them the 8-bit CSI (0x9b), OSC (0x9d) and ST (0x9c);
 * - Unicode bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
 *   U+202A-U+202E, U+2066-U+2069) and the line/paragraph separators U+2028, U+2029.
 * ANSI CSI (`ESC [ ... final`) and OSC (`ESC ] ... BEL|ST`) sequences lose their introducer (ESC,
 * BEL become `\u001b`, `\u0007`), so their parameters stay as plain, inert text. Backslashes are
 * not escaped: the output contains no control character, and neutralizing twice changes nothing.
 *
 * Machine output (`-o json`, `-o yaml`) stays raw data: JSON and YAML escape control characters
 * themselves, and scripts must see the cluster's exact strings (secrets aside: every output is
 * redacted, util/redact.ts through cli/io.ts redactedIo).
 */

export interface NeutralizeOptions {
  /** Keep `\n` and `\t` (a CRLF becomes `\n`); otherwise `\n` and `\r` become `\n`/`\r` text and a tab a space. */
  multiline?: boolean;
}

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** The text with every control, escape and bidi character replaced by a visible escape. */
export function neutralize(text: string, options: NeutralizeOptions = {}): string {
  const multiline = options.multiline === true;
  const input = multiline ? text.replace(/\r\n/g, "\n") : text;
  return input.replace(UNSAFE, (ch) => {
    if (ch === "\n") return multiline ? "\n" : "\\n";
    if (ch === "\t") return multiline ? "\t" : " ";
    if (ch === "\r") return "\\r";
    return visible(ch);
  });
}

/** One line (a table cell, a name, a one-line message): no line break survives. */
export function neutralizeLine(text: string): string {
  return neutralize(text);
}

/** Multi-line text (a record body, an LLM answer): keeps `\n` and `\t`. */
export function neutralizeText(text: string): string {
  return neutralize(text, { multiline: true });
}
