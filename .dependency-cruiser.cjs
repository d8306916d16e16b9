// The layering of src/ (docs/architecture.md), checked by test/unit/architecture.test.ts and
// by `npx depcruise src --config .dependency-cruiser.cjs`. Type-only imports count: a type that
// lives in the wrong folder couples the folders as much as a value does.

/** The files of src/records that touch the filesystem or run git. */
const RECORDS_IO = "^src/records/(atomic-write|git|git-walk|history|incidents|journal|lock|recovery|resolve-record|scan|signatures|ssh-sign|store|worktree)\\.ts$";

/** Pure: no I/O, no clock; computed from what the I/O shell hands them. */
const PURE_CORE = "^src/(diagnose|recommend|policy|render|gate)/";

/** The files of src/metrics without I/O: the interface, constants and typed errors (source.ts), pod-name matching (pods.ts). Every other file of src/metrics reads Prometheus or the metrics API. */
const METRICS_PURE = "^src/metrics/(source|pods)\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "no-cli-below-cli",
      comment: "src/cli parses and renders; everything below it is called by it and must not import it (src/index.ts and src/cli are the only importers of src/cli).",
      severity: "error",
      from: { path: "^src/(app|gate|diagnose|policy|records|recommend|render|report|kube|metrics|llm|model|util)/|^src/(errors|version)\\.ts$" },
      to: { path: "^src/cli/" },
    },
    {
      name: "pure-core-no-io",
      comment: "The pure core (diagnose, recommend, policy, render, gate) imports no I/O folder (kube, metrics, llm) and no file of records that touches the filesystem or git.",
      severity: "error",
      from: { path: PURE_CORE },
      to: { path: ["^src/(kube|metrics|llm)/", RECORDS_IO] },
    },
    {
      name: "pure-core-no-node-io",
      comment: "The pure core imports no Node module that does I/O.",
      severity: "error",
      from: { path: PURE_CORE },
      to: { dependencyTypes: ["core"], path: "^(node:)?(fs|fs/promises|child_process|net|http|https|http2|tls|dgram|dns|os|worker_threads|cluster|readline)$" },
    },
    {
      name: "report-no-metrics-io",
      comment: "The report is computed from usage data (src/model/usage.ts) that the use case reads through src/metrics; of src/metrics it imports only the pure modules (source.ts, pods.ts), never a reader of Prometheus or the metrics API.",
      severity: "error",
      from: { path: "^src/report/" },
      to: { path: "^src/metrics/", pathNot: METRICS_PURE },
    },
    {
      name: "policy-bottom-layer",
      comment: "policy/tiers.ts and policy/approval-rule.ts are the bottom layer: they import no project file, so records may import them.",
      severity: "error",
      from: { path: "^src/policy/(tiers|approval-rule)\\.ts$" },
      to: { path: "^src/", pathNot: "^src/policy/(tiers|approval-rule)\\.ts$" },
    },
    {
      name: "policy-below-records",
      comment: "policy/ sits below records/, and records/ below the gate and the use cases.",
      severity: "error",
      from: { path: "^src/(policy|records)/" },
      to: { path: "^src/(gate|app)/" },
    },
    {
      name: "policy-not-records",
      comment: "policy/ imports nothing of records/ (records imports policy).",
      severity: "error",
      from: { path: "^src/policy/" },
      to: { path: "^src/records/" },
    },
    {
      name: "no-circular",
      comment: "No import cycle in src/, type-only imports included.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-folder-cycles",
      comment: "No cycle between the folders of src/ either (policy -> records -> policy was one), even when no single module cycle closes.",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "src-not-to-test",
      comment: "Shipped code never imports the tests or their helpers.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^test/" },
    },
  ],
  options: {
    doNotFollow: { path: ["node_modules", "^test/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
