import { describe, expect, it } from "vitest";
import { redactText } from "../../../src/util/redact.ts";

describe("redactText", () => {
  it.each([
    { name: "password=", input: "connecting with password=hunter2 to db", leaked: "hunter2" },
    { name: "JSON token", input: '{"token": "abcd1234efgh5678"}', leaked: "abcd1234efgh5678" },
    { name: "URL credentials", input: "DATABASE_URL=postgres://app:s3cr3t@db:5432/app", leaked: "s3cr3t" },
    { name: "bearer header", input: "Authorization: Bearer abcdefghijklmnop.qrs", leaked: "abcdefghijklmnop" },
    { name: "JWT", input: "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlc2lnbmF0dXJl", leaked: "eyJzdWIiOiJzeXN0ZW0ifQ" },
    { name: "AWS key", input: "using AKIAABCDEFGHIJKLMNOP", leaked: "AKIAABCDEFGHIJKLMNOP" },
    { name: "private key", input: "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", leaked: "MIIEow" },
    { name: "API_KEY env", input: "export STRIPE_API_KEY=sk_live_123456", leaked: "sk_live_123456" },
  ])("hides $name", ({ input, leaked }) => {
    const out = redactText(input);
    expect(out).not.toContain(leaked);
    expect(out).toContain("[REDACTED]");
  });

  it("keeps ordinary log lines intact", () => {
    const line = "2026-11-21T10:00:00Z ERROR missing required environment variable DATABASE_URL";
    expect(redactText(line)).toBe(line);
  });
});
