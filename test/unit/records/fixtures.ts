import type { FrontMatter } from "../../../src/records/schema.ts";
import type { NewRecord, StoreDeps } from "../../../src/records/store.ts";
import { contentSha256, ZERO_SHA256 } from "../../../src/records/hash.ts";
import { createIdGenerator } from "../../../src/records/ids.ts";

/** A valid proposal's front matter; tests override what they exercise. */
export function proposalFrontMatter(overrides: Partial<FrontMatter> = {}): FrontMatter {
  const fm: FrontMatter = {
    id: "01JD3X5Y6Z7A8B9C0D1E2F3G4H",
    title: "Raise memory of shop/api",
    stage: "proposal",
    date: "2026-11-21T10:00:00Z",
    surface: "kubectl-aiops",
    tool_version: "0.1.0",
    model: "rules",
    command: "kubectl aiops propose resources deployment/api -n shop",
    user: { cluster: "alice", git: "Test User <test@example.com>" },
    cluster: { context: "kind-test", server: "https://127.0.0.1:6443" },
    target: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "api", uid: "5f1c", resourceVersion: "1234", generation: 4 },
    labels: { category: "OOMKilled" },
    links: { diagnosis: "01JD3X5Y6Z7A8B9C0D1E2F3G40", runbook: "runbooks/oomkilled.md" },
    tier: "medium",
    status: "proposed",
    action: { type: "resources", patchType: "strategic", patch: { spec: { template: { spec: { containers: [{ name: "api", resources: { limits: { memory: "200Mi" } } }] } } } }, rollback: { spec: { template: { spec: { containers: [{ name: "api", resources: { limits: { memory: "128Mi" } } }] } } } }, dryRun: { result: "passed" } },
    evidence_sha256: "e".repeat(64),
    content_sha256: ZERO_SHA256,
    prev_record_sha256: ZERO_SHA256,
    window: { opened: "2026-11-21T10:00:00Z", expires: "2026-11-21T10:30:00Z" },
    approvals: [],
    events: [],
    metrics: { pre: { memory_p95: "120Mi", memory_max: "180Mi" } },
    ...overrides,
  };
  return fm;
}

export const SAMPLE_BODY = "## Prompt\n\n```\nkubectl aiops propose resources deployment/api -n shop\n```\n\n## Response snapshot\n\nmemory request 156Mi, limit 200Mi\n\n## Evidence\n\n- lastState.terminated: OOMKilled exit 137\n\n## Rollback procedure\n\n```\nkubectl -n shop rollout undo deployment/api\n```\n";

export function hashed(fm: FrontMatter, body = SAMPLE_BODY): FrontMatter {
  return { ...fm, content_sha256: contentSha256(fm, body) };
}

export function newProposal(overrides: Partial<NewRecord> = {}): NewRecord {
  return {
    title: "Raise memory of shop/api",
    stage: "proposal",
    command: "kubectl aiops propose resources deployment/api -n shop",
    user: { cluster: "alice" },
    target: { kind: "Deployment", namespace: "shop", name: "api" },
    labels: { category: "OOMKilled" },
    tier: "medium",
    action: { type: "resources", patchType: "strategic", patch: { spec: { replicas: 2 } } },
    window: { opened: "2026-11-21T10:00:00Z", expires: "2026-11-21T10:30:00Z" },
    body: SAMPLE_BODY,
    ...overrides,
  };
}

export function fixedDeps(warnings: string[] = []): StoreDeps {
  let tick = Date.parse("2026-11-21T10:00:00Z");
  // A generator per test: the process-wide one never goes below an id it made for another test.
  return { now: () => new Date((tick += 1000)), warn: (m) => void warnings.push(m), lockTimeoutMs: 20_000, newId: createIdGenerator() };
}
