// The entry of the single executable (a Node SEA runs one CommonJS script). The plugin itself is
// dist/'s ES modules, embedded as assets under "dist/": a module hook serves them from the
// executable at a made-up folder beside it, so imports between the chunks resolve as in dist/ and
// the heavy chunks load only in the commands that use them.
"use strict";
const { registerHooks } = require("node:module");
const { getAsset } = require("node:sea");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const base = pathToFileURL(path.join(path.dirname(process.execPath), "kubectl-aiops.embedded/")).href;
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith(base)) return { url: specifier, shortCircuit: true };
    if (context.parentURL?.startsWith(base) && /^\.\.?\//.test(specifier)) return { url: new URL(specifier, context.parentURL).href, shortCircuit: true };
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (!url.startsWith(base)) return nextLoad(url, context);
    return { format: "module", source: getAsset(`dist/${url.slice(base.length)}`, "utf8"), shortCircuit: true };
  },
});
import(`${base}kubectl-aiops.mjs`).catch((error) => {
  process.stderr.write(`error: kubectl-aiops could not start: ${error?.message ?? error}\nhint: this is a bug in the release build: report it with the output of kubectl-aiops --version\n`);
  process.exitCode = 1;
});
