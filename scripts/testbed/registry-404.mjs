// The test bed's loopback registry (127.0.0.1:5000): it serves no image at all. Every image the
// real node runs is imported into containerd beforehand under this address, with
// imagePullPolicy IfNotPresent, so a pull only ever happens for a tag that does not exist, and then
// it fails the way it fails against a real registry: the manifest is unknown (404), instead of a
// refused connection. Speaks just enough of the distribution API for containerd's resolver.
//
//   node scripts/testbed/registry-404.mjs [--listen 127.0.0.1:5000]
import http from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { listen: { type: "string", default: "127.0.0.1:5000" } } });
const match = /^(.+):(\d+)$/.exec(values.listen);
if (match === null) {
  process.stderr.write("registry-404: --listen HOST:PORT\n");
  process.exit(2);
}

const server = http.createServer((request, response) => {
  response.setHeader("Docker-Distribution-API-Version", "registry/2.0");
  response.setHeader("Content-Type", "application/json");
  if (request.url === "/v2/" || request.url === "/v2") {
    response.end("{}");
    return;
  }
  const manifest = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(request.url ?? "");
  const error = manifest === null
    ? { code: "NAME_UNKNOWN", message: "repository name not known to registry", detail: { url: request.url } }
    : { code: "MANIFEST_UNKNOWN", message: "manifest unknown", detail: { name: manifest[1], tag: manifest[2] } };
  process.stderr.write(`${new Date().toISOString()} ${request.method} ${request.url} 404 ${error.code}\n`);
  response.statusCode = 404;
  response.end(JSON.stringify({ errors: [error] }));
});
server.on("error", (error) => {
  process.stderr.write(`registry-404: ${error.message}\n`);
  process.exit(1);
});
server.listen(Number(match[2]), match[1], () => process.stderr.write(`registry-404 listening on ${values.listen}\n`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
