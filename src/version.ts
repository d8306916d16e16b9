/** Replaced at build time by esbuild's `define`; the fallback serves the tests run from src/. */
declare const __AIOPS_VERSION__: string | undefined;
export const VERSION: string = typeof __AIOPS_VERSION__ === "string" ? __AIOPS_VERSION__ : "0.0.0-dev";
