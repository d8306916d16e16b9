import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { REDACTED, looksLikeCredential, redactText } from "../../../src/util/redact.ts";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlc2lnbmF0dXJl";
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0\n-----END RSA PRIVATE KEY-----";

// One row per form: the input, and the secret that must not survive.
const HIDDEN: { name: string; input: string; secret: string; want?: string }[] = [
  { name: "key=value", input: "connecting with password=hunter2 to db", secret: "hunter2", want: "connecting with password=REDACTED to db" },
  { name: "key = value with blanks", input: "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", secret: "wJalrXUtnFEMI", want: "aws_secret_access_key = REDACTED" },
  { name: "key: value", input: "db password: hunter", secret: "hunter", want: "db password: REDACTED" },
  { name: "YAML key: value", input: "auth:\n  token: abcdefgh\n", secret: "abcdefgh", want: "auth:\n  token: REDACTED\n" },
  { name: "env NAME=value", input: "export STRIPE_API_KEY=sk_live_123456", secret: "sk_live_123456" },
  { name: "camelCase key", input: "clientSecret=Zm9vYmFy", secret: "Zm9vYmFy" },
  { name: "JSON token", input: '{"token": "abcd1234efgh5678"}', secret: "abcd1234efgh5678", want: '{"token": "REDACTED"}' },
  { name: "JSON value with blanks and escaped quote", input: '{"password":"my \\"pass\\" phrase","user":"bob"}', secret: "phrase" },
  { name: "key=\"quoted value\"", input: 'PGPASSWORD="correct horse battery"', secret: "horse", want: 'PGPASSWORD="REDACTED"' },
  { name: "escaped quote inside a JSON string", input: '"msg": "login password=\\"s3cr3t\\" refused"', secret: "s3cr3t" },
  { name: "key value", input: "password hunter2", secret: "hunter2", want: "password REDACTED" },
  { name: "key is value", input: "the secret is s3cr3t!", secret: "s3cr3t", want: "the secret is REDACTED" },
  { name: "api key value", input: "using api key AbC123xyz", secret: "AbC123xyz", want: "using api key REDACTED" },
  { name: "key value after a word that is a key too", input: "invalid token secret S3cr3tValue", secret: "S3cr3tValue" },
  { name: "--password X", input: "mysql --user root --password hunter", secret: "hunter", want: "mysql --user root --password REDACTED" },
  { name: "--db-password=X", input: "app --db-password=hunter --port 80", secret: "hunter", want: "app --db-password=REDACTED --port 80" },
  { name: "--token 'X Y'", input: "kubeadm join --token 'abc def'", secret: "abc def", want: "kubeadm join --token 'REDACTED'" },
  { name: "--client-secret X", input: "oauth2-proxy --client-secret xyz", secret: "xyz" },
  { name: "Authorization: Bearer", input: "Authorization: Bearer abcdefghijklmnop.qrs", secret: "abcdefghijklmnop", want: "Authorization: Bearer REDACTED" },
  { name: "Authorization: Bearer, short token", input: "authorization: bearer abc", secret: "abc", want: "authorization: bearer REDACTED" },
  { name: "Authorization header in JSON", input: '{"Authorization":"Basic dXNlcjpwYXNz"}', secret: "dXNlcjpwYXNz" },
  { name: "bearer token in prose", input: "sent bearer 4f9a8b7c6d5e", secret: "4f9a8b7c6d5e" },
  { name: "basic credentials in prose", input: "curl got Basic dXNlcjpwYXNz back", secret: "dXNlcjpwYXNz", want: "curl got Basic REDACTED back" },
  { name: "URL user:password", input: "DATABASE_URL=postgres://app:s3cr3t@db:5432/app", secret: "s3cr3t" },
  { name: "URL user:password in prose", input: "dial redis://default:hunter2@cache:6379 failed", secret: "hunter2", want: "dial redis://default:REDACTED@cache:6379 failed" },
  { name: "private key block", input: `key:\n${PEM}\nafter`, secret: "MIIEowIBAAKCAQEA", want: "key:\nREDACTED PRIVATE KEY\nafter" },
  { name: "private key block without its END line", input: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\nAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", secret: "b3BlbnNzaC1rZXkt" },
  { name: "GCP service account private_key", input: `{"type": "service_account", "private_key": ${JSON.stringify(`${PEM}\n`)}}`, secret: "MIIEowIBAAKCAQEA" },
  { name: "encrypted PEM with headers", input: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\nMIIEowIBAAKCAQEAu1SU1\n-----END ENCRYPTED PRIVATE KEY-----", secret: "3F17F5316E2BAC89" },
  { name: "JWT", input: `token ${JWT}`, secret: "eyJzdWIiOiJzeXN0ZW0ifQ" },
  { name: "JWT right after a JSON \\n escape", input: `"log": "line one\\n${JWT}"`, secret: "eyJzdWIiOiJzeXN0ZW0ifQ" },
  { name: "AWS access key id", input: "using AKIAABCDEFGHIJKLMNOP", secret: "AKIAABCDEFGHIJKLMNOP", want: "using REDACTED" },
  { name: "AWS credentials file", input: "[default]\naws_access_key_id = AKIAABCDEFGHIJKLMNOP\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG", secret: "wJalrXUtnFEMI" },
  { name: "Azure connection string", input: "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=abc+def/ghi==;EndpointSuffix=core.windows.net", secret: "abc+def", want: "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=REDACTED;EndpointSuffix=core.windows.net" },
  { name: "Azure SAS signature", input: "https://shop.blob.core.windows.net/c?sv=2022-11-02&sig=AbCdEf%2B123%3D&se=2026", secret: "AbCdEf", want: "https://shop.blob.core.windows.net/c?sv=2022-11-02&sig=REDACTED&se=2026" },
  { name: "Google API key", input: "key AIzaSyA1234567890abcdefghijklmnopqrstuv", secret: "AIzaSyA1234567890" },
  { name: "GitHub token", input: "GITHUB ghp_abcdefghijklmnopqrstuvwxyz0123", secret: "ghp_abcdefghijklmnop" },
  { name: "Slack token", input: "hook xoxb-1234567890-abcdefghij", secret: "xoxb-1234567890" },
  { name: "sk- API key", input: "calling with sk-proj-abcdefghijklmnop1234", secret: "sk-proj-abcdefghijklmnop1234" },
  { name: "docker config auth", input: '{"auths":{"registry.example":{"auth":"dXNlcjpwYXNz"}}}', secret: "dXNlcjpwYXNz" },
];

// Ordinary text that must come out unchanged.
const KEPT: { name: string; input: string }[] = [
  { name: "a log line naming a variable", input: "2026-11-21T10:00:00Z ERROR missing required environment variable DATABASE_URL" },
  { name: "token bucket", input: "rate limited by the token bucket (burst 10)" },
  { name: "the password field is required", input: "validation failed: the password field is required" },
  { name: "the secret is not found", input: 'MountVolume.SetUp failed for volume "creds" : secret "db-creds" not found' },
  { name: "a Secret reference by name", input: "Error: secret default/db not found" },
  { name: "Basic authentication", input: "Basic authentication required for realm ops" },
  { name: "a sentence after token:", input: 'failed to fetch token: serviceaccounts "default" is forbidden' },
  { name: "a sentence after Secret:", input: "- Create or fix the missing Secret: tier **critical** (two approvers)." },
  { name: "the secret is Markdown bold", input: "editing the Secret is **critical**." },
  { name: "Kubernetes keys that name but do not hold a secret", input: '"secretName": "db-creds", "passwordSecretRef": {"name": "pg"}, "tokenExpirationSeconds": 3600' },
  { name: "JSON literals under a secret key", input: '"automountServiceAccountToken": true, "token": 5, "password": null' },
  { name: "YAML literals under a secret key", input: "automountServiceAccountToken: false\nsecret: ~\n" },
  { name: "a nested mapping under a secret key", input: "secret:\n  secretName: db\ntoken: {}\n" },
  { name: "a flag that is not a value", input: "docker login --password-stdin --secret-name x --token-file /var/run/token" },
  { name: "a flag followed by another flag", input: "tool --token --verbose" },
  { name: "a URL without credentials", input: "GET https://api.example.com:8443/v1/pods?watch=true" },
  { name: "an email address", input: "contact ops@example.com about this" },
  { name: "a certificate (public)", input: "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----" },
  { name: "already redacted", input: "password=REDACTED token: REDACTED Bearer REDACTED --password REDACTED" },
];

describe("redactText", () => {
  it.each(HIDDEN)("hides $name", ({ input, secret, want }) => {
    const out = redactText(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
    if (want !== undefined) expect(out).toBe(want);
  });

  it.each(KEPT)("keeps $name", ({ input }) => {
    expect(redactText(input)).toBe(input);
  });

  it("is idempotent on every case, alone and all together", () => {
    const all = [...HIDDEN.map((c) => c.input), ...KEPT.map((c) => c.input)];
    for (const text of [...all, all.join("\n"), all.join(" "), JSON.stringify(all)]) {
      const once = redactText(text);
      expect(redactText(once)).toBe(once);
    }
  });
});

describe("redactText keeps serialized data valid", () => {
  const data = {
    message: 'login failed: password="hunter2\\" x" token: abc\'def Authorization: Bearer 4f9a8b7c6d5e',
    log: `line\n${JWT}\npostgres://app:s3cr3t@db/app "quoted" \\ back\\slash`,
    key: `${PEM}\n`,
    password: "top-s3cret",
    secretName: "db-creds",
    token: 5,
    automountServiceAccountToken: true,
    nested: { api_key: "sk-abcdefghijklmnopqrstuvwxyz", list: ["--password hunter", "AKIAABCDEFGHIJKLMNOP"] },
  };
  const secrets = ["hunter2", "eyJzdWIiOiJzeXN0ZW0ifQ", "s3cr3t", "MIIEowIBAAKCAQEA", "top-s3cret", "sk-abcdefghijklm", "hunter", "AKIAABCDEFGHIJKLMNOP", "4f9a8b7c6d5e"];

  // In YAML a number under a secret key is hidden like any value (so it becomes a string); JSON
  // quotes every key, and a quoted key keeps its bare number.
  it.each([
    ["JSON, indented", (v: unknown) => JSON.stringify(v, null, 2), (t: string) => JSON.parse(t) as unknown, 5],
    ["JSON, one line", (v: unknown) => JSON.stringify(v), (t: string) => JSON.parse(t) as unknown, 5],
    ["YAML", (v: unknown) => stringifyYaml(v, { lineWidth: 0 }), (t: string) => parseYaml(t) as unknown, REDACTED],
  ] as const)("%s: still parses, to the same shape and types, without the secrets", (_name, serialize, parse, token) => {
    const out = redactText(serialize(data));
    const parsed = parse(out) as typeof data;
    for (const secret of secrets) expect(out).not.toContain(secret);
    expect(Object.keys(parsed)).toEqual(Object.keys(data));
    expect(parsed.secretName).toBe("db-creds");
    expect(parsed.token).toBe(token);
    expect(parsed.automountServiceAccountToken).toBe(true);
    expect(parsed.password).toBe(REDACTED);
    expect(parsed.nested.list).toHaveLength(2);
    expect(parsed.log).toContain('"quoted" \\ back\\slash');
  });
});

// Strings built to make a redaction eat JSON or YAML structure: a string that ends where a value
// would start ("--password "), keys holding quotes and colons, a key block's BEGIN in one value and
// its END in the next.
const STRUCTURE_BAIT = [
  "x --password ",
  "password=",
  'token: "',
  "Authorization: Bearer ",
  "secret='to",
  'token="token": [AKIAABCDEFGHIJKLMNOP',
  'secret":"token-----END RSA PRIVATE KEY-----',
  "-----BEGIN RSA PRIVATE KEY-----",
  "-----END RSA PRIVATE KEY-----",
  "password: #comment",
  "secret://u: p@h",
  "http://sig://u:p@h|AccountKey@x",
  "\\password:",
];

describe("redactText never breaks JSON or YAML structure, whatever the strings hold", () => {
  const data = { a: STRUCTURE_BAIT, m: Object.fromEntries(STRUCTURE_BAIT.map((s, i) => [s, [s, i, true]])), n: 5 };
  const shape = (v: unknown): string => (Array.isArray(v) ? `[${v.map(shape).join(",")}]` : v !== null && typeof v === "object" ? `{${Object.values(v).map(shape).join(",")}}` : typeof v);

  it.each([
    ["JSON, indented", JSON.stringify(data, null, 2), (t: string) => JSON.parse(t) as unknown],
    ["JSON, one line", JSON.stringify(data), (t: string) => JSON.parse(t) as unknown],
    ["YAML", stringifyYaml(data, { lineWidth: 0 }), (t: string) => parseYaml(t) as unknown],
  ] as const)("%s", (_name, text, parse) => {
    expect(shape(parse(redactText(text)))).toBe(shape(data));
  });
});

describe("looksLikeCredential", () => {
  it.each([
    ["hunter2", true],
    ["Passw0rd!", true],
    ["s3cr3t!", true],
    ["AbCdEfGhIjKlMnOpQrStUv", true],
    ["hunter", false],
    ["field", false],
    ["**critical**.", false],
    ["required!", false],
    ["REDACTED", false],
  ])("%s -> %s", (value, want) => {
    expect(looksLikeCredential(value)).toBe(want);
  });
});

// Inputs built to make a backtracking pattern quadratic: 1 MB each. Every pattern is linear, so
// each finishes in milliseconds; a quadratic one would run for hours and fail on the test timeout.
describe("redactText on adversarial input", () => {
  const MB = 1 << 20;
  const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length));

  it.each([
    ["a dotted run", fill("a.")],
    ["a dashed run", fill("a-")],
    ["JWT heads", fill("eyJ-")],
    ["JWT segments without a signature", fill("eyJabcdefgh.")],
    ["private key headers without END", fill("-----BEGIN RSA PRIVATE KEY-----\n")],
    ["a private key body without END", `-----BEGIN PRIVATE KEY-----\n${fill("QUJD ")}`],
    ["URL schemes without credentials", fill("a://b:")],
    ["a URL user without password", `x://${fill("u!")}`],
    ["flag prefixes", `--${fill("a-")}`],
    ["key words without a value", fill("password")],
    ["key words and blanks", fill("token ")],
    ["key words then separators", fill("secret= ")],
    ["quoted keys", fill('"token":')],
    ["escaped newlines", fill("\\n")],
    ["bearer words", fill("Bearer ")],
    ["spaces", " ".repeat(MB)],
  ])("%s", (_name, input) => {
    const out = redactText(input);
    expect(out.length).toBeGreaterThan(0);
  });
});
