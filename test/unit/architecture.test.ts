/**
 * The layering of src/ (docs/architecture.md), as .dependency-cruiser.cjs states it: one test
 * per rule, failing with every violating import as "from -> to".
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, type ICruiseResult, type IViolation } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const options = await extractDepcruiseOptions(path.join(ROOT, ".dependency-cruiser.cjs"));
const RULES = (options.ruleSet?.forbidden ?? []).map((rule) => rule.name ?? "(unnamed)");

function describeViolation(v: IViolation): string {
  const cycle = v.cycle === undefined ? "" : ` (cycle: ${[v.from, ...v.cycle.map((step) => step.name)].join(" -> ")})`;
  return `${v.from} -> ${v.to}${cycle}`;
}

describe("architecture (dependency-cruiser, .dependency-cruiser.cjs)", () => {
  let result: ICruiseResult;

  beforeAll(async () => {
    const reported = await cruise(["src"], { ...options, baseDir: ROOT });
    if (typeof reported.output === "string") throw new Error("dependency-cruiser returned text, not a cruise result");
    result = reported.output;
  }, 60_000);

  it("cruises all of src/ and resolves every import", () => {
    const sources = result.modules.map((m) => m.source);
    expect(sources).toContain("src/index.ts");
    expect(sources.filter((s) => s.startsWith("src/")).length).toBeGreaterThan(100);
    const unresolved = result.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} -> ${d.module}`));
    expect(unresolved, "imports dependency-cruiser could not resolve (a rule cannot see them)").toEqual([]);
  });

  it.each(RULES)("rule %s holds", (rule) => {
    const violations = result.summary.violations.filter((v) => v.rule.name === rule).map(describeViolation);
    expect(violations, `${violations.length} violation(s) of ${rule}:\n${violations.join("\n")}`).toEqual([]);
  });

  it("rule report-no-metrics-io forbids every reader of Prometheus and the metrics API, and allows only metrics' pure modules", () => {
    const rule = options.ruleSet?.forbidden?.find((r) => r.name === "report-no-metrics-io");
    if (rule === undefined || !("to" in rule)) throw new Error("rule report-no-metrics-io is missing from .dependency-cruiser.cjs");
    const matches = (pattern: string | string[] | undefined, source: string): boolean => [pattern ?? []].flat().some((p) => new RegExp(p).test(source));
    const metrics = result.modules.map((m) => m.source).filter((s) => s.startsWith("src/metrics/"));
    const forbidden = metrics.filter((s) => matches(rule.to.path, s) && !matches(rule.to.pathNot, s)).sort();
    expect(metrics.filter((s) => !forbidden.includes(s)).sort()).toEqual(["src/metrics/pods.ts", "src/metrics/source.ts"]);
    expect(forbidden).toEqual(expect.arrayContaining(["src/metrics/metrics-server-bulk.ts", "src/metrics/metrics-server.ts", "src/metrics/prometheus-bulk.ts", "src/metrics/prometheus-client.ts", "src/metrics/prometheus.ts", "src/metrics/select.ts"]));
    expect(matches(rule.from.path, "src/report/usage.ts")).toBe(true);
  });
});
