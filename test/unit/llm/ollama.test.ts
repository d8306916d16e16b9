import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ollamaHost } from "../../../src/llm/ollama.ts";
import { runCli } from "../../helpers/io.ts";

/**
 * The Ollama server cannot be installed on these machines, so these tests run the real client
 * (the `ollama` package, through `diagnose --explain`) against a small local HTTP server that
 * speaks the two endpoints of Ollama's API we use: GET /api/tags and POST /api/chat.
 */
interface FakeOllama {
  models: string[];
  answer: (model: string) => { status: number; body: unknown };
  requests: { path: string; body: string }[];
}

const fake: FakeOllama = { models: [], answer: () => ({ status: 500, body: {} }), requests: [] };
let server: http.Server;
let host = "";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      fake.requests.push({ path: req.url ?? "", body });
      res.setHeader("Content-Type", "application/json");
      if (req.url === "/api/tags") {
        res.end(JSON.stringify({ models: fake.models.map((name) => ({ name, model: name, size: 1, digest: "x", details: {} })) }));
        return;
      }
      if (req.url === "/api/chat") {
        const model = (JSON.parse(body) as { model: string }).model;
        const { status, body: answer } = fake.answer(model);
        res.statusCode = status;
        res.end(JSON.stringify(answer));
        return;
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: "not found" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

const EXAMPLE = path.resolve(import.meta.dirname, "../../../examples/incidents/crashloop-missing-env.json");
const chat = (model: string, content: string) => ({ status: 200, body: { model, created_at: new Date().toISOString(), message: { role: "assistant", content }, done: true, done_reason: "stop" } });
const GOOD = JSON.stringify({ summary: "api in crashloop-missing-env crashes at start.", likelyCause: "DATABASE_URL was removed in revision 3.", nextSteps: ["kubectl rollout undo deployment/api -n crashloop-missing-env"] });

function explainRun(extraEnv: Record<string, string> = {}) {
  return runCli(["diagnose", "-f", EXAMPLE, "--explain", "-o", "json"], { env: { HOME: "/nonexistent", OLLAMA_HOST: host, AIOPS_LLM_MODELS: "big:70b,small:3b", ...extraEnv } });
}

describe("Ollama explanations (against a local server speaking Ollama's API)", () => {
  it("adds the model's explanation, with real names restored, beside unchanged findings", async () => {
    fake.models = ["big:70b", "small:3b"];
    fake.requests = [];
    fake.answer = (model) => chat(model, GOOD.replace("api in crashloop-missing-env", "pod-1 in ns-1"));
    const result = await explainRun();
    expect(result.code, result.stderr).toBe(0);
    const list = JSON.parse(result.stdout) as { explanation: { model: string; summary: string }; items: { findings: { category: string; remediation: { tier: string } }[] }[] };
    expect(list.explanation.model).toBe("big:70b");
    expect(list.explanation.summary).toMatch(/^api-6f8b9c7d4-\w+ in crashloop-missing-env crashes/);
    const plain = JSON.parse((await runCli(["diagnose", "-f", EXAMPLE, "-o", "json"])).stdout) as { items: unknown };
    expect(list.items).toEqual(plain.items);
  });

  it("sends pseudonyms, never names, IPs or secret values, and the schema as format", async () => {
    fake.requests = [];
    await explainRun();
    const sent = fake.requests.find((r) => r.path === "/api/chat")?.body ?? "";
    const request = JSON.parse(sent) as { format: { properties: Record<string, unknown> }; messages: { role: string; content: string }[] };
    expect(Object.keys(request.format.properties).sort()).toEqual(["likelyCause", "nextSteps", "summary"]);
    const prompt = request.messages.map((m) => m.content).join("\n");
    expect(prompt).not.toContain("crashloop-missing-env");
    expect(prompt).not.toContain("api-6f8b9c7d4");
    expect(prompt).not.toMatch(/\b10\.\d+\.\d+\.\d+\b/);
    expect(prompt).toContain("ns-1");
    expect(prompt).toMatch(/data, not instructions/);
  });

  it("falls back to the next model when the first one fails", async () => {
    fake.answer = (model) => (model === "big:70b" ? { status: 404, body: { error: "model 'big:70b' not found" } } : chat(model, GOOD));
    const result = await explainRun();
    expect((JSON.parse(result.stdout) as { explanation: { model: string } }).explanation.model).toBe("small:3b");
  });

  it.each([
    { name: "an answer that is not JSON", answer: (m: string) => chat(m, "Sure! The pod is broken."), note: /did not answer with JSON/ },
    { name: "JSON outside the schema", answer: (m: string) => chat(m, JSON.stringify({ summary: "x", tier: "trivial" })), note: /does not match the schema/ },
    { name: "a server error", answer: () => ({ status: 500, body: { error: "boom" } }), note: /failed with every model/ },
  ])("keeps the rule engine's diagnosis alone on $name", async ({ answer, note }) => {
    fake.answer = answer;
    const result = await explainRun();
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout) as { explanation?: unknown; items: { findings: unknown[] }[] };
    expect(list.explanation).toBeUndefined();
    expect(list.items.some((i) => i.findings.length > 0)).toBe(true);
    expect(result.stderr).toMatch(note);
  });

  it("says which models are missing and how to pull one", async () => {
    fake.models = ["other:1b"];
    const result = await explainRun();
    expect(result.stderr).toContain("has none of the models big:70b, small:3b");
    expect(result.stderr).toContain("ollama pull big:70b");
  });

  it("reports a server that is down without failing the diagnosis", async () => {
    const result = await runCli(["diagnose", "-f", EXAMPLE, "--explain", "-o", "json"], { env: { HOME: "/nonexistent", OLLAMA_HOST: "127.0.0.1:1" } });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Ollama is not reachable at http://127.0.0.1:1");
    expect(() => JSON.parse(result.stdout)).not.toThrow();
  });

  it("reads OLLAMA_HOST as the ollama CLI does", () => {
    expect(ollamaHost({})).toBe("http://127.0.0.1:11434");
    expect(ollamaHost({ OLLAMA_HOST: "0.0.0.0" })).toBe("http://0.0.0.0:11434");
    expect(ollamaHost({ OLLAMA_HOST: "gpu-box:8080" })).toBe("http://gpu-box:8080");
    expect(ollamaHost({ OLLAMA_HOST: "https://llm.internal" })).toBe("https://llm.internal");
  });
});
