import { describe, inject } from "vitest";

/**
 * `describe` for suites that need the test bed. Without Go the global setup reports the suite as
 * not run (loudly; under CI=true it fails before any test), and these suites are skipped.
 */
export const describeTestbed: typeof describe = (inject("testbedAvailable") ? describe : describe.skip) as typeof describe;
