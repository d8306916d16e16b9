import { Ollama } from "ollama";
import type { LlmClient } from "./explain.ts";
import { redactText } from "../util/redact.ts";

export const DEFAULT_MODELS = ["llama3.1:8b", "llama3.2:3b", "qwen2.5:3b"];

/** `OLLAMA_HOST` as the ollama CLI reads it: "host:port", "http://host:port", or unset. */
export function ollamaHost(env: NodeJS.ProcessEnv): string {
  const raw = env["OLLAMA_HOST"]?.trim() || "127.0.0.1:11434";
  // A bare host gets Ollama's port; a URL keeps its scheme's default port.
  if (/^https?:\/\//.test(raw)) return new URL(raw).origin;
  const url = new URL(`http://${raw}`);
  if (url.port === "") url.port = "11434";
  return url.origin;
}

/** Models to try, in order: `AIOPS_LLM_MODELS` (comma-separated), else a large then small default. */
export function modelPreference(env: NodeJS.ProcessEnv): string[] {
  const fromEnv = env["AIOPS_LLM_MODELS"]?.split(",").map((m) => m.trim()).filter((m) => m !== "");
  return fromEnv !== undefined && fromEnv.length > 0 ? fromEnv : DEFAULT_MODELS;
}

const withTag = (name: string): string => (name.includes(":") ? name : `${name}:latest`);

/**
 * Ollama through the `ollama` package. Each call is bounded by a timeout through our own fetch
 * (the client cannot abort a non-streamed call), and the package's console diagnostics are sent
 * to stderr so machine output on stdout stays clean.
 */
export function ollamaClient(env: NodeJS.ProcessEnv, timeoutMs: number): LlmClient {
  const host = ollamaHost(env);
  const boundedFetch: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const client = new Ollama({ host, fetch: boundedFetch });
  return {
    async complete({ system, prompt, schema }) {
      return quietConsole(async () => {
        let available: string[];
        try {
          available = (await client.list()).models.map((m) => withTag(m.name));
        } catch (error) {
          throw new Error(`Ollama is not reachable at ${host} (${describe(error)})`);
        }
        const models = modelPreference(env).filter((m) => available.includes(withTag(m)));
        if (models.length === 0) throw new Error(`Ollama at ${host} has none of the models ${modelPreference(env).join(", ")} (has: ${available.join(", ") || "none"}); pull one with: ollama pull ${modelPreference(env)[0] ?? ""}`);
        let lastError: unknown;
        for (const model of models) {
          try {
            const response = await client.chat({ model, stream: false, format: schema, options: { temperature: 0 }, messages: [{ role: "system", content: system }, { role: "user", content: prompt }] });
            return { text: response.message.content, model };
          } catch (error) {
            lastError = error;
          }
        }
        throw new Error(`Ollama at ${host} failed with every model (${describe(lastError)})`);
      });
    },
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  if (error.name === "TimeoutError" || error.name === "AbortError") return "timed out";
  return cause === undefined ? error.message : `${error.message}: ${cause}`;
}

async function quietConsole<T>(fn: () => Promise<T>): Promise<T> {
  const { log, warn } = console;
  console.log = (...args: unknown[]) => process.stderr.write(redactText(`ollama: ${args.map(String).join(" ")}\n`));
  console.warn = console.log;
  try {
    return await fn();
  } finally {
    console.log = log;
    console.warn = warn;
  }
}
