import fc from "fast-check";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { redactText } from "../../src/util/redact.ts";
import { anyText } from "./arbitraries.ts";
import { settings } from "./config.ts";

/**
 * redactText through its public contract only (src/util/redact.ts): the patterns themselves
 * change often. A generated secret always holds a digit and the text around it never does, so
 * "the secret is gone" is simply "the output does not contain it".
 */

const ALNUM = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
const chars = (alphabet: string, min: number, max: number) => fc.array(fc.constantFrom(...alphabet.split("")), { minLength: min, maxLength: max }).map((a) => a.join(""));
/** A made-up secret: letters and digits with at least one digit, maybe symbols a password has. */
const secret = fc
  .tuple(chars(ALNUM, 4, 24), fc.integer({ min: 0, max: 9 }), chars(`${ALNUM}!@$%^*+/=._~-`, 0, 8))
  .map(([head, digit, tail]) => `${head}${digit}${tail}`)
  .filter((s) => !s.includes("REDACTED"));
/** A token: as a secret, from the characters of a bearer token, at least 8 long. */
const token = fc.tuple(chars(ALNUM, 7, 30), fc.integer({ min: 0, max: 9 }), chars(`${ALNUM}._~+/=-`, 0, 10)).map(([head, digit, tail]) => `${head}${digit}${tail}`);
/** Text around a secret: lowercase words, no digit. */
const prose = fc.array(fc.constantFrom("connecting", "to", "the", "db", "failed", "with", "error", "retrying", "user", "config", "value"), { maxLength: 5 }).map((words) => words.join(" "));
const around = (form: string) => fc.tuple(prose, prose).map(([before, after]) => `${before === "" ? "" : `${before} `}${form}${after === "" ? "" : ` ${after}`}`);

const base64url = (text: string) => Buffer.from(text).toString("base64url");
const jwt = fc
  .tuple(fc.constantFrom('{"alg":"RS256","kid":"k1"}', '{"alg":"HS256","typ":"JWT"}'), fc.jsonValue({ maxDepth: 1 }), token)
  .map(([header, claims, signature]) => `${base64url(header)}.${base64url(JSON.stringify({ sub: "system:serviceaccount:shop:api", data: claims, n: 1 }))}.${signature}`);

const FORMS: { name: string; text: fc.Arbitrary<{ text: string; secret: string }> }[] = [
  { name: "password=X", text: fc.tuple(fc.constantFrom("password", "PASSWORD", "db_password", "DB_PASSWORD", "passwd"), fc.constantFrom("=", " = ", ": "), secret).chain(([key, sep, s]) => around(`${key}${sep}${s}`).map((text) => ({ text, secret: s }))) },
  { name: "token: X", text: fc.tuple(fc.constantFrom("token", "Token", "api_token", "apiKey", "client_secret", "secret"), fc.constantFrom(": ", "=", ":"), secret).chain(([key, sep, s]) => around(`${key}${sep}${s}`).map((text) => ({ text, secret: s }))) },
  { name: "JSON member", text: fc.tuple(fc.constantFrom("password", "token", "clientSecret"), secret).map(([key, s]) => ({ text: JSON.stringify({ user: "bob", [key]: s, port: 5432 }), secret: s })) },
  { name: "YAML member", text: fc.tuple(fc.constantFrom("password", "token", "secret"), secret).map(([key, s]) => ({ text: stringifyYaml({ auth: { user: "bob", [key]: s } }), secret: s })) },
  { name: "Bearer X", text: fc.tuple(fc.constantFrom("Bearer", "bearer", "Authorization: Bearer", "authorization: bearer"), token).chain(([scheme, t]) => around(`${scheme} ${t}`).map((text) => ({ text, secret: t }))) },
  {
    name: "URL user:password",
    text: fc.tuple(fc.constantFrom("postgres", "redis", "https", "amqp"), chars("abcdefghijklmnopqrstuvwxyz", 1, 10), secret.filter((s) => !/[/@]/.test(s)), fc.constantFrom("db:5432/app", "cache:6379", "example.com/x")).chain(([scheme, user, s, host]) =>
      around(`${scheme}://${user}:${s}@${host}`).map((text) => ({ text, secret: s })),
    ),
  },
  { name: "JWT", text: jwt.chain((t) => around(t).map((text) => ({ text, secret: t }))) },
];

/** Texts dense with secret-shaped pieces, for the properties that must hold on any text. */
const secretish = fc
  .array(fc.oneof(fc.constantFrom("password", "token", "secret", "sig", "pwd", "Bearer ", "Basic ", "Authorization: ", "=", ": ", ":", '"', "'", "\\", "\\n", " ", "\n", ",", "://", "@", "eyJ", ".", "--password ", "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "REDACTED", "true", "#"), secret, token, anyText), { maxLength: 30 })
  .map((parts) => parts.join(""));
const anyInput = fc.oneof(anyText, secretish);

describe("redactText", () => {
  it.each(FORMS)("leaves no generated secret in the form $name", ({ text }) => {
    fc.assert(
      fc.property(text, ({ text: input, secret: hidden }) => {
        const out = redactText(input);
        expect(out).not.toContain(hidden);
        expect(out).toContain("REDACTED");
      }),
      settings(300),
    );
  });

  it("is idempotent: a second pass changes nothing", () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const once = redactText(input);
        expect(redactText(once)).toBe(once);
      }),
      settings(1000),
    );
  });

  it("grows a text at most by its REDACTED words: never more than 3 times its length", () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        expect(redactText(input).length).toBeLessThanOrEqual(3 * input.length);
      }),
      settings(1000),
    );
  });

  it("leaves text without a secret-like word alone", () => {
    fc.assert(
      fc.property(prose, (input) => {
        expect(redactText(input)).toBe(input);
      }),
      settings(200),
    );
  });

  it("keeps JSON and YAML valid", () => {
    const document = fc.dictionary(fc.oneof(fc.constantFrom("password", "token", "auth", "url", "note"), anyText), fc.oneof(secret, anyText, secretish, fc.jsonValue({ maxDepth: 2 })), { noNullPrototype: true, maxKeys: 4 });
    fc.assert(
      fc.property(document, (value) => {
        expect(() => JSON.parse(redactText(JSON.stringify(value)))).not.toThrow();
        expect(() => JSON.parse(redactText(JSON.stringify(value, null, 2)))).not.toThrow();
        expect(() => parseYaml(redactText(stringifyYaml(value)))).not.toThrow();
      }),
      settings(500),
    );
  });
});
