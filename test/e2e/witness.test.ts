import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { resolveHistory } from "../../src/records/history.ts";
import { writeRecord } from "../../src/records/store.ts";
import { git, gitdir } from "../helpers/gitdir.ts";
import { fixedDeps, newProposal } from "../unit/records/fixtures.ts";
import { describeTestbed } from "./suite.ts";
import { createNamespace, kubectl, testbed } from "./testbed.ts";

/**
 * A checkpoint kept in the cluster (docs/trust.md, anchors): `audit checkpoint --witness
 * configmap/NS/NAME` writes it through the real API server, `audit verify --witness` reads it back
 * and finds a `git reset --hard` made afterwards; a user without write access to ConfigMaps is
 * told which verb on which resource in which namespace is missing.
 */

describeTestbed("audit checkpoint and verify with a ConfigMap witness (real API server)", () => {
  const namespace = `witness-${randomBytes(3).toString("hex")}`;
  let dir = "";
  let historyDir = "";

  beforeAll(async () => {
    await createNamespace(namespace);
    dir = gitdir({ ".aiops.yaml": "approvers: [bob]\nsecurityReviewers: [sec]\n" });
    const history = resolveHistory({ cwd: dir, env: {} });
    historyDir = history.dir;
    const deps = fixedDeps();
    await writeRecord(history, newProposal({ title: "first" }), deps);
    await writeRecord(history, newProposal({ title: "second" }), deps);
  });

  afterAll(() => {
    kubectl(["delete", "namespace", namespace, "--wait=false"]);
  });

  const witness = () => `configmap/${namespace}/audit-checkpoint`;

  it("writes the checkpoint into the ConfigMap and verifies against it", () => {
    const taken = kubectl(["aiops", "audit", "checkpoint", "--witness", witness(), "--history-dir", historyDir]);
    expect(taken.stderr).toBe("");
    expect(taken).toMatchObject({ status: 0, stdout: expect.stringMatching(/^checkpoint: 2 records, head [0-9a-f]{12}, unsigned, written to configmap\//) });
    const stored = kubectl(["get", "configmap", "audit-checkpoint", "-n", namespace, "-o", "jsonpath={.data.checkpoint\\.json}"]);
    expect(JSON.parse(stored.stdout)).toMatchObject({ kind: "AuditCheckpoint", records: 2, head: git(dir, "rev-parse", "HEAD") });
    const verified = kubectl(["aiops", "audit", "verify", "--witness", witness(), "--history-dir", historyDir]);
    expect(verified).toMatchObject({ status: 0, stdout: expect.stringMatching(/chain intact; checkpoint in configmap\/.* holds/) });
  });

  it("finds a truncation made after the checkpoint", () => {
    git(dir, "reset", "-q", "--hard", "HEAD~1");
    expect(kubectl(["aiops", "audit", "verify", "--history-dir", historyDir]).status).toBe(0);
    const verified = kubectl(["aiops", "audit", "verify", "--witness", witness(), "--history-dir", historyDir]);
    expect(verified.status).toBe(1);
    expect(verified.stdout).toMatch(/is no longer in the branch's history: the branch was reset or rewritten since/);
  });

  it("a user who may not write ConfigMaps is told the missing permission", () => {
    const denied = kubectl(["aiops", "audit", "checkpoint", "--witness", `configmap/${namespace}/other`, "--history-dir", path.join(historyDir)], { kubeconfig: testbed().users.viewer });
    expect(denied.status).toBe(1);
    expect(denied.stderr).toMatch(new RegExp(`(create|get).*configmaps.*${namespace}|configmaps.*(create|get).*${namespace}`));
    expect(denied.stderr).not.toMatch(/\n\s+at /);
  });
});
