import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError, NotFoundError } from "../../../src/errors.ts";
import { DIAGNOSE_INPUT_LIMITS, LimitError } from "../../../src/util/bounded-parse.ts";
import { readSource } from "../../../src/util/read-source.ts";

const dir = mkdtempSync(path.join(tmpdir(), "aiops-read-source-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = { ...DIAGNOSE_INPUT_LIMITS, maxBytes: 100 };
const noStdin = async (): Promise<string> => {
  throw new Error("stdin read");
};

describe("readSource", () => {
  it("reads a file within the limit", async () => {
    const file = path.join(dir, "ok.json");
    writeFileSync(file, "{}");
    await expect(readSource(file, noStdin, SMALL)).resolves.toBe("{}");
  });

  it("refuses a file over the limit before reading it, with exit 2 and its size", async () => {
    const file = path.join(dir, "big.json");
    writeFileSync(file, "x".repeat(2048));
    const refused = readSource(file, noStdin, SMALL);
    await expect(refused).rejects.toThrow(LimitError);
    await expect(refused).rejects.toMatchObject({ exitCode: 2, message: `${file}: 2 KiB, over the size limit for diagnose input (100 bytes)` });
  });

  it("stops an endless device at the limit", async () => {
    await expect(readSource("/dev/zero", noStdin, SMALL)).rejects.toThrow(/^\/dev\/zero: more than the size limit for diagnose input/);
  });

  it("checks stdin's size too", async () => {
    await expect(readSource("-", async () => "y".repeat(101), SMALL)).rejects.toThrow(/^<stdin>: 101 bytes, over the size limit/);
    await expect(readSource("-", async () => "ok", SMALL)).resolves.toBe("ok");
  });

  it("still names a missing file and a directory", async () => {
    await expect(readSource(path.join(dir, "missing.json"), noStdin)).rejects.toThrow(NotFoundError);
    mkdirSync(path.join(dir, "sub"));
    await expect(readSource(path.join(dir, "sub"), noStdin)).rejects.toThrow(InputError);
    await expect(readSource(path.join(dir, "sub"), noStdin)).rejects.toThrow(/is a directory/);
  });
});
