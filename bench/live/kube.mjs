// A minimal HTTPS client for the test bed's API server, authenticated with the admin client
// certificate of a kubeconfig (read through `kubectl config view --raw --minify -o json`, so no
// YAML parser is needed). Used only to create the benchmark load in bulk and to poll its state;
// the measured commands use their own clients.
import { execFileSync } from "node:child_process";
import https from "node:https";
import { X509Certificate } from "node:crypto";

export function loadKubeconfig(kubectl, kubeconfig) {
  const cfg = JSON.parse(execFileSync(kubectl, ["--kubeconfig", kubeconfig, "config", "view", "--raw", "--minify", "-o", "json"], { encoding: "utf8" }));
  const cluster = cfg.clusters[0].cluster;
  const user = cfg.users[0].user;
  const server = new URL(cluster.server);
  if (server.hostname !== "127.0.0.1" && server.hostname !== "localhost") throw new Error(`refusing to talk to ${server.host}: the test bed listens on 127.0.0.1 only`);
  const b64 = (s) => Buffer.from(s, "base64");
  // the CN of the client certificate is the user name the audit log records
  const subject = new X509Certificate(b64(user["client-certificate-data"])).subject;
  const username = /(?:^|\n)CN=([^\n]+)/.exec(subject)?.[1];
  return { server, ca: b64(cluster["certificate-authority-data"]), cert: b64(user["client-certificate-data"]), key: b64(user["client-key-data"]), username };
}

export class Kube {
  constructor(conn, { maxSockets = 32 } = {}) {
    this.conn = conn;
    this.agent = new https.Agent({ keepAlive: true, maxSockets, ca: conn.ca, cert: conn.cert, key: conn.key });
  }

  /** Resolves {status, body} (body parsed when JSON); never throws on HTTP status. */
  request(method, path, body, headers = {}) {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
      const req = https.request(
        {
          agent: this.agent,
          host: this.conn.server.hostname,
          port: this.conn.server.port,
          method,
          path,
          headers: { Accept: "application/json", "User-Agent": "aiops-bench-load", ...(data ? { "Content-Type": "application/json", "Content-Length": data.length } : {}), ...headers },
          timeout: 60_000,
        },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed = text;
            try {
              parsed = JSON.parse(text);
            } catch {}
            resolve({ status: res.statusCode, body: parsed });
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.on("error", reject);
      if (data) req.write(data);
      req.end();
    });
  }

  /** Every item of a (paginated) list. `metadataOnly` asks for PartialObjectMetadataList. */
  async list(path, { labelSelector, fieldSelector, metadataOnly = false } = {}) {
    const items = [];
    let token;
    do {
      const q = new URLSearchParams({ limit: "2000" });
      if (labelSelector) q.set("labelSelector", labelSelector);
      if (fieldSelector) q.set("fieldSelector", fieldSelector);
      if (token) q.set("continue", token);
      const headers = metadataOnly ? { Accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json" } : {};
      const res = await this.request("GET", `${path}?${q}`, undefined, headers);
      if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      items.push(...(res.body.items ?? []));
      token = res.body.metadata?.continue || undefined;
    } while (token);
    return items;
  }

  /** Runs `fn` over `items` with at most `limit` in flight. */
  static async pool(items, limit, fn) {
    let next = 0;
    const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    });
    await Promise.all(workers);
  }

  close() {
    this.agent.destroy();
  }
}
