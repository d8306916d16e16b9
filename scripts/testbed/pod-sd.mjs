// Prometheus service discovery for the pods of the test bed's real node, over Prometheus' HTTP SD
// protocol (Debian's Prometheus is built without the Kubernetes SD). Lists the Running pods of the
// node that carry the annotation prometheus.io/scrape: "true" and answers their address (pod IP
// and the prometheus.io/port annotation) with namespace, pod, app and pod_template_hash labels.
// Only the real node's pods: the kwok nodes' pod IPs are fiction.
//
//   node scripts/testbed/pod-sd.mjs --listen 127.0.0.1:PORT --server https://127.0.0.1:PORT
//        --ca FILE --cert FILE --key FILE --node NAME
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { listen: { type: "string" }, server: { type: "string" }, ca: { type: "string" }, cert: { type: "string" }, key: { type: "string" }, node: { type: "string" } },
});
for (const flag of ["listen", "server", "ca", "cert", "key", "node"]) {
  if (values[flag] === undefined) {
    process.stderr.write(`pod-sd: --${flag} is required\n`);
    process.exit(2);
  }
}
const [host, port] = [values.listen.replace(/:\d+$/, ""), Number(values.listen.replace(/^.*:/, ""))];
const agent = new https.Agent({ ca: readFileSync(values.ca), cert: readFileSync(values.cert), key: readFileSync(values.key), keepAlive: true });

function listPods() {
  const url = new URL("/api/v1/pods", values.server);
  url.searchParams.set("fieldSelector", `spec.nodeName=${values.node},status.phase=Running`);
  return new Promise((resolve, reject) => {
    const request = https.get(url, { agent, headers: { Accept: "application/json" }, timeout: 10_000 }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (response.statusCode !== 200) reject(new Error(`GET ${url.pathname}: HTTP ${response.statusCode} ${text.slice(0, 200)}`));
        else resolve(JSON.parse(text).items ?? []);
      });
    });
    request.on("timeout", () => request.destroy(new Error("API server timeout")));
    request.on("error", reject);
  });
}

function targets(pods) {
  return pods
    .filter((pod) => pod.metadata?.annotations?.["prometheus.io/scrape"] === "true" && pod.status?.podIP)
    .map((pod) => ({
      targets: [`${pod.status.podIP}:${pod.metadata.annotations["prometheus.io/port"] ?? "8080"}`],
      labels: {
        namespace: pod.metadata.namespace,
        pod: pod.metadata.name,
        node: values.node,
        ...(pod.metadata.labels?.app ? { app: pod.metadata.labels.app } : {}),
        ...(pod.metadata.labels?.["pod-template-hash"] ? { pod_template_hash: pod.metadata.labels["pod-template-hash"] } : {}),
      },
    }));
}

const server = http.createServer(async (_request, response) => {
  try {
    const body = JSON.stringify(targets(await listPods()));
    response.setHeader("Content-Type", "application/json");
    response.end(body);
  } catch (error) {
    process.stderr.write(`pod-sd: ${error.message}\n`);
    response.statusCode = 503;
    response.end(error.message);
  }
});
server.on("error", (error) => {
  process.stderr.write(`pod-sd: ${error.message}\n`);
  process.exit(1);
});
server.listen(port, host, () => process.stderr.write(`pod-sd listening on ${values.listen}\n`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
