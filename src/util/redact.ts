/**
 * Redaction of secret-looking values before anything is printed, written to a record or sent to
 * an LLM. Pure and conservative: it prefers hiding a harmless value to leaking a real one.
 *
 * The same text may be a log line, a Markdown table, or JSON or YAML that the command line is
 * about to print (cli/io.ts redactedIo), so every pattern keeps serialized data valid:
 * - a match never contains a bare quote (`"`, `'`), and a backslash only as a whole escape
 *   (`\n`; `\"` too in the value of a JSON member, "password": "a \"b\""), so no JSON or YAML
 *   string is closed, opened or left with a dangling escape;
 * - a replaced value is `REDACTED` (the word `kubectl config view` uses): a plain word that needs
 *   no quoting in JSON, YAML, Markdown, a table cell or a shell line, and that YAML reads as a
 *   string (a `[REDACTED]` would be a YAML list);
 * - a match stays on its line, except a private key block: BEGIN to END, or the BEGIN line and
 *   the base64 lines right after it;
 * - a quoted key ("token": 5, "automountServiceAccountToken": true) keeps a bare value: in JSON
 *   that is a number, a boolean, null or an object, never text;
 * - a token is found right after a JSON escape too (`\neyJ...` in a JSON string is a line break
 *   then a JWT).
 * Running it twice changes nothing. Every pattern runs in linear time: a token may not start
 * right after a character it could contain, so no run is scanned again from each position
 * (test/unit/util/redact.test.ts runs 1 MB inputs built against each pattern).
 *
 * Trade-offs, kept on purpose:
 * - `key=value`, `key: value`: the key must END with a secret word (DB_PASSWORD, apiKey,
 *   client_secret, AccountKey, sig), so `passwordSecretRef`, `secretName` and `tokenTTL` stay.
 *   The value is hidden whatever it is, with two exceptions: true/false/null/none/~, and a
 *   lowercase word followed by more words after "secret:", "token:", "credentials:" or "auth:"
 *   (a sentence: "failed to fetch token: serviceaccounts is forbidden"); after "password:" every
 *   value is hidden.
 *   An unquoted value ends at whitespace, a quote, a backslash or one of ``,;&|<>()[]{}` ``, so
 *   `password: correct horse` hides "correct" only; a quoted value is hidden to its quote, or to a
 *   `: ` or ` #` in it (YAML would read those as structure if the quote was not an opening one).
 *   In YAML, a number under a secret key becomes the string REDACTED.
 * - `key value` (no `:` or `=`), as in "password hunter2" or "the secret is s3cr3t": only a value
 *   that looks made up (looksLikeCredential: six characters or more, with a digit or one of
 *   `!@#$%^&+=~` before any closing punctuation, or twenty or more mixed-case letters) is
 *   hidden, so English ("token bucket", "the password field is required", "secret default/db
 *   not found", "the Secret is **critical**") stays; a lowercase-only password there is missed.
 * - `Bearer X`, `Basic X` outside a `key:` follow the same rule ("Basic authentication" stays),
 *   and a Basic value that decodes to "user:password" is hidden; after `Authorization:` any value.
 * - `--password X` style flags: long flags whose name ends with a secret word; a value starting
 *   with `-` is taken for the next flag. Short flags (`-p X`) are not recognised.
 * - Text split across lines or chunks before it gets here (a wrapped table cell) is not
 *   recognised: a renderer that reflows text redacts first (render/text.ts, safeView).
 */

export const REDACTED = "REDACTED";

/** Words that end the name of a secret-holding key (`DB_PASSWORD=`, `"clientSecret":`). */
const KEY_WORDS = String.raw`(?:authorization|password|passwd|passphrase|pwd|secret|token|credentials?|auth|api[ _.-]?key|(?:access|secret|private|account|signing|encryption|master|client|auth|session)[ _.-]?key|sig|signature)(?:[_.-]?(?:base|value|data|b64|base64|hex|string))?`;
/** Key words that are also nouns of prose; "password" and the keys are not. */
const PROSE_KEY = /^(?:secret|token|credentials?|auth)$/i;
/** Words after which `key value`, with a blank only, is read as a secret when the value looks made up. */
const BARE_KEY_WORDS = String.raw`(?:password|passwd|passphrase|secret|token|api[ _-]?key|apikey|access[ _-]?key|secret[ _-]?key)`;
/** Flag names ending with a secret word, after `--` and any `word-` prefix (`--db-password`). */
const FLAG_WORDS = String.raw`(?:password|passwd|passphrase|secret|token|credentials?|api-?key|(?:access|secret|private|account|client)-?key)`;

/**
 * An unquoted value: up to whitespace, a quote, a backslash, a delimiter of URLs, tables and
 * shells, or a `:` before a blank (a YAML key's). It may not start with `#` (a YAML comment).
 */
const VALUE = String.raw`(?!#)(?:[^\s"'\\\`,;&|<>(){}\[\]:]|:(?![\s]|$))+`;
/**
 * A value inside quotes: up to a quote, a backslash, the end of the line, or a YAML key's `: `
 * or comment's ` #`. It may not start with a blank or `,:]}#`: the "opening" quote would then be
 * the closing quote of a JSON or YAML string ending in "password=", and what follows structure.
 */
const QUOTED_VALUE = String.raw`[^\s"'\\,:\]}#](?:[^\s"'\\:]|[ \t](?!#)|:(?![\s]|$))*`;
/**
 * The value of a JSON member ("key": "value"): as QUOTED_VALUE, and with its escapes (`\"`)
 * whole; never a `'`, which may close a YAML single-quoted string around the JSON.
 */
const JSON_STRING = String.raw`(?:[^\s"'\\,:\]}#]|\\[^'\r\n])(?:[^\s"'\\:]|[ \t](?!#)|:(?![\s]|$)|\\[^'\r\n])*`;
/** An opening quote, plain or escaped (`\"` inside a JSON string). */
const QUOTE = String.raw`\\?["']`;
/** An authentication scheme before a credential (`Authorization: Bearer X`). */
const AUTH_SCHEME = "(?:bearer|basic|digest|token|negotiate|ntlm)";

/** Not right after a character of the token (`cls`, a character class body), or right after a JSON escape. */
function start(cls: string): string {
  return String.raw`(?:(?<![${cls}])|(?<=\\[nrtbf]|\\u[0-9A-Fa-f]{4}))`;
}

// One line of a private key's body; a line break is taken only when a base64 line follows.
const PEM_LINE = String.raw`(?:[A-Za-z0-9+/= \t]|\\[nrt]|\r?\n(?=[ \t]*[A-Za-z0-9+/=]{16,}[ \t]*(?:\r?\n|$)))`;
// The body of a whole block: base64, blanks and line breaks (raw or escaped), and the
// "Proc-Type: 4,ENCRYPTED" and "DEK-Info: AES-128-CBC,..." headers. Never a quote, a list item's
// "- " or a key's ":", so a block cannot reach over JSON or YAML structure to a later END line.
const PEM_BODY = String.raw`(?:[A-Za-z0-9+/=\s]|\\[nrt]|(?<=[A-Za-z0-9])[-,](?=[A-Za-z0-9])|(?<=Proc-Type|DEK-Info):)`;
const PEM_LABEL = String.raw`[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----`;

type Replacer = (match: string, ...groups: (string | undefined)[]) => string;

/** A value stays when it is a placeholder already, or a YAML/JSON literal rather than a secret. */
function keeps(value: string): boolean {
  return value === REDACTED || /^(?:true|false|null|nil|none|~)$/i.test(value);
}

/** "Looks made up": long enough, and with a digit or a symbol, or long mixed-case (a random string, not a word). */
export function looksLikeCredential(value: string): boolean {
  if (value.length < 6 || value.includes(REDACTED)) return false;
  // Punctuation that ends a sentence ("the token is wrong!") says nothing; Markdown's ** neither.
  const core = value.replace(/[.,;:!?]+$/, "");
  if (/\d/.test(core) || /[!@#$%^&+=~]/.test(core)) return true;
  return core.length >= 20 && /[a-z]/.test(core) && /[A-Z]/.test(core);
}

/** Basic credentials are base64 of "user:password". */
function isBasicCredential(value: string): boolean {
  try {
    return /^[\x20-\x7e]*:[\x20-\x7e]*$/.test(atob(value));
  } catch {
    return false;
  }
}

/** key=value, key: value, "key": "value", key="value", Authorization: Bearer X. */
const keyValue: Replacer = (match, key = "", close = "", separator = "", open, quoted, scheme = "", bare, moreWords) => {
  // A quoted key ("token": 5) is JSON or YAML: only a quoted value is text that can hold a secret.
  if (open === undefined && close !== "") return match;
  const value = open === undefined ? (bare ?? "") : (quoted ?? "");
  if (keeps(value)) return match;
  // "Secret: tier critical", "failed to fetch token: serviceaccounts is forbidden": a sentence.
  if (moreWords !== undefined && scheme === "" && !separator.includes("=") && PROSE_KEY.test(key) && /^[a-z]+$/.test(value)) return match;
  return `${key}${close}${separator}${open ?? ""}${scheme}${REDACTED}`;
};

/** --password X, --db-password=X, --token "X". */
const flagValue: Replacer = (match, flag = "", separator = "", open, quoted, bare) => {
  const value = open === undefined ? (bare ?? "") : (quoted ?? "");
  return value === REDACTED ? match : `${flag}${separator}${open ?? ""}${REDACTED}`;
};

const PATTERNS: readonly (readonly [RegExp, string | Replacer])[] = [
  // PEM private keys: the whole block when its END line follows, else the rest of its line and
  // the base64 lines after it (a truncated log line, a JSON string).
  [new RegExp(String.raw`-----BEGIN ?${PEM_LABEL}(?:${PEM_BODY}*-----END ?${PEM_LABEL}|${PEM_LINE}*)`, "g"), `${REDACTED} PRIVATE KEY`],
  // JWTs (service account tokens, OIDC id tokens); the signature may be empty (alg "none").
  [new RegExp(String.raw`${start("A-Za-z0-9_-")}eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`, "g"), REDACTED],
  // Access keys and tokens with a recognisable shape: AWS key ids, Google API keys, GitHub,
  // GitLab, Slack, Stripe and sk- API keys.
  [new RegExp(String.raw`${start("A-Za-z0-9")}(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])`, "g"), REDACTED],
  [new RegExp(String.raw`${start("A-Za-z0-9_-")}AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])`, "g"), REDACTED],
  [new RegExp(String.raw`${start("A-Za-z0-9_")}(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})`, "g"), REDACTED],
  [new RegExp(String.raw`${start("A-Za-z0-9_-")}glpat-[A-Za-z0-9_-]{20,}`, "g"), REDACTED],
  [new RegExp(String.raw`${start("A-Za-z0-9-")}xox[abposr]-[A-Za-z0-9-]{10,}`, "g"), REDACTED],
  [new RegExp(String.raw`${start("A-Za-z0-9_-")}(?:sk-[A-Za-z0-9_-]{16,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,})`, "g"), REDACTED],
  // Credentials in URLs: scheme://user:password@host (the scheme itself is not needed to match).
  [/(:\/\/[^\s:/@"'\\<>|`,;&(){}[\]]+):([^\s/@"'\\<>|`,;&(){}[\]]+)@/g, `$1:${REDACTED}@`],
  // Bearer and basic credentials outside a key: value, when the value looks made up.
  [
    new RegExp(String.raw`${start("A-Za-z0-9")}(bearer|basic)([ \t]+)([A-Za-z0-9._~+/=-]{8,})`, "gi"),
    (match, scheme = "", blank = "", value = "") => (looksLikeCredential(value) || (/^basic$/i.test(scheme) && isBasicCredential(value)) ? `${scheme}${blank}${REDACTED}` : match),
  ],
  // --password X, --db-password=X, --token "X": long flags named after a secret.
  [new RegExp(String.raw`${start("A-Za-z0-9_-")}(--(?:[A-Za-z0-9]+-)*${FLAG_WORDS})([ \t]+|=)(?:(${QUOTE})(${QUOTED_VALUE})|(?!-)(${VALUE}))`, "gi"), flagValue],
  // "key": "value", a JSON member: the whole string, escapes included.
  [new RegExp(String.raw`(${KEY_WORDS})("[ \t]*:[ \t]*")(${JSON_STRING})`, "gi"), (match, key = "", separator = "", value = "") => (keeps(value) ? match : `${key}${separator}${REDACTED}`)],
  // key=value and key: value where the key ends with a secret word; quoted keys and values too;
  // after an auth scheme (Authorization: Bearer X), the credential.
  [new RegExp(String.raw`(${KEY_WORDS})(${QUOTE})?([ \t]*[:=][ \t]*)(?:(${QUOTE})(${QUOTED_VALUE})|(${AUTH_SCHEME}[ \t]+)?(${VALUE})(?=([ \t]+[^\s#])|))`, "gi"), keyValue],
];

// key value: "password hunter2", "the secret is s3cr3t!", "api key AbC123xyz". The value is read
// in a lookahead: when it does not look made up the search goes on from its first character,
// so "token secret s3cr3t!" still finds "secret s3cr3t!".
const BARE_KEY_VALUE = new RegExp(String.raw`${start("A-Za-z0-9")}(${BARE_KEY_WORDS})([ \t]+(?:is[ \t]+)?)(?=(${VALUE}))`, "gi");

function redactBareKeyValues(text: string): string {
  let out = "";
  let copied = 0;
  BARE_KEY_VALUE.lastIndex = 0;
  for (let m = BARE_KEY_VALUE.exec(text); m !== null; m = BARE_KEY_VALUE.exec(text)) {
    const value = m[3] ?? "";
    if (!looksLikeCredential(value)) continue;
    out += `${text.slice(copied, m.index)}${m[0]}${REDACTED}`;
    copied = m.index + m[0].length + value.length;
    BARE_KEY_VALUE.lastIndex = copied;
  }
  return copied === 0 ? text : `${out}${text.slice(copied)}`;
}

/** The text with every secret-looking value replaced by `REDACTED`. Idempotent; valid JSON or YAML stays valid. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = typeof replacement === "string" ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  return redactBareKeyValues(out);
}

export function redactLines(lines: readonly string[]): string[] {
  return lines.map(redactText);
}
