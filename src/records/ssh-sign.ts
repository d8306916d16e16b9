import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { AiopsError, PolicyError } from "../errors.ts";
import { parsePolicy, POLICY_FILE } from "../policy/policy-file.ts";
import { runGit } from "./git.ts";

/**
 * SSH signing for the history (docs/trust.md): which key signs (`AIOPS_SIGNING_KEY`, else git's
 * `user.signingkey` when `gpg.format` is ssh), and detached signatures of checkpoints with
 * `ssh-keygen -Y sign|verify`. A key is a private key file, or a public key (file or git's
 * `key::` literal) whose private half ssh-agent holds; a CronJob mounts a Secret as a file and
 * points `AIOPS_SIGNING_KEY` at it.
 */

export const SIGNING_KEY_ENV = "AIOPS_SIGNING_KEY";
export const CHECKPOINT_NAMESPACE = "aiops-checkpoint";

/**
 * The `-c` settings for the store's commits: signing with SSH when the policy requires it or
 * `AIOPS_SIGNING_KEY` names a key; none otherwise (the user's own git configuration decides).
 * With the policy on and no key, the write is refused before anything is written.
 */
export async function commitSigning(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const file = path.join(repoRoot, POLICY_FILE);
  const required = existsSync(file) && parsePolicy(readFileSync(file, "utf8"), file).requireSigned;
  const named = env[SIGNING_KEY_ENV] !== undefined && env[SIGNING_KEY_ENV] !== "";
  if (!required && !named) return [];
  const config = await signingConfig(repoRoot, env);
  if (config === undefined) throw new PolicyError(`the policy requires signed records (requireSigned: true in ${file}) and no SSH signing key is configured`, { hint: NO_KEY_HINT });
  return config;
}

/** The git configuration that makes `git commit` sign with SSH, or undefined when no key is configured. */
export async function signingConfig(repoRoot: string, env: NodeJS.ProcessEnv): Promise<string[] | undefined> {
  const key = await signingKey(repoRoot, env);
  if (key === undefined) return undefined;
  return ["commit.gpgsign=true", "gpg.format=ssh", `user.signingkey=${key}`];
}

/** `AIOPS_SIGNING_KEY`, else git's user.signingkey when git signs with SSH. */
export async function signingKey(repoRoot: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const fromEnv = env[SIGNING_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const read = async (name: string): Promise<string> => (await runGit(repoRoot, ["config", "--get", name]).catch(() => Buffer.from(""))).toString("utf8").trim();
  const [format, key] = await Promise.all([read("gpg.format"), read("user.signingkey")]);
  return format === "ssh" && key !== "" ? key : undefined;
}

export const NO_KEY_HINT = `set a key: export ${SIGNING_KEY_ENV}=~/.ssh/id_ed25519 (a key file), or git config gpg.format ssh && git config user.signingkey ~/.ssh/id_ed25519.pub (the private half in ssh-agent)`;

/** A detached SSH signature (armored) of `text`. */
export async function signText(text: string, key: string, namespace = CHECKPOINT_NAMESPACE): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "aiops-sign-"));
  try {
    let keyFile = key;
    if (key.startsWith("key::")) {
      keyFile = path.join(dir, "key.pub");
      await writeFile(keyFile, `${key.slice("key::".length)}\n`);
    }
    const data = path.join(dir, "data");
    await writeFile(data, text);
    await sshKeygen(["-Y", "sign", "-q", "-f", keyFile, "-n", namespace, data]);
    return await readFile(`${data}.sig`, "utf8");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The principal of `allowedSigners` whose key made `signature` over `text`, or undefined. */
export async function verifyText(text: string, signature: string, allowedSigners: string, namespace = CHECKPOINT_NAMESPACE): Promise<string | undefined> {
  const dir = await mkdtemp(path.join(tmpdir(), "aiops-verify-"));
  try {
    const sig = path.join(dir, "data.sig");
    const allowed = path.join(dir, "allowed_signers");
    await writeFile(sig, signature);
    await writeFile(allowed, allowedSigners);
    const principals = (await sshKeygen(["-Y", "find-principals", "-s", sig, "-f", allowed]).catch(() => "")).split("\n").filter((p) => p !== "");
    for (const principal of principals) {
      const ok = await sshKeygen(["-Y", "verify", "-f", allowed, "-I", principal, "-n", namespace, "-s", sig], text).then(
        () => true,
        () => false,
      );
      if (ok) return principal;
    }
    return undefined;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function sshKeygen(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("ssh-keygen", args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", (error) => reject(new AiopsError(`ssh-keygen could not be run: ${error.message}`, { hint: "install OpenSSH (apt-get install openssh-client)", cause: error })));
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new AiopsError(`ssh-keygen ${args[1] ?? ""} failed: ${err.trim() || `exit ${code ?? "?"}`}`, { hint: NO_KEY_HINT }))));
    child.stdin.end(input ?? "");
  });
}
