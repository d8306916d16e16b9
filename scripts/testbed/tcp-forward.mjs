// A plain TCP forwarder: the test bed's API server listens on 127.0.0.1 only, and pods of the real
// node reach it through the `kubernetes` Service, whose endpoint is this forwarder on the node
// address. Bytes are copied as they are (TLS stays end to end between the pod and the API server).
//
//   node scripts/testbed/tcp-forward.mjs --listen HOST:PORT --to HOST:PORT [--name NAME]
import net from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { listen: { type: "string" }, to: { type: "string" }, name: { type: "string" } } });
function hostPort(text, flag) {
  const match = /^(.+):(\d+)$/.exec(text ?? "");
  if (match === null) {
    process.stderr.write(`tcp-forward: ${flag} HOST:PORT is required\n`);
    process.exit(2);
  }
  return { host: match[1], port: Number(match[2]) };
}
const listen = hostPort(values.listen, "--listen");
const to = hostPort(values.to, "--to");

const server = net.createServer((client) => {
  const upstream = net.connect(to.port, to.host);
  client.pipe(upstream).pipe(client);
  const close = () => { client.destroy(); upstream.destroy(); };
  client.on("error", close);
  upstream.on("error", close);
});
server.on("error", (error) => {
  process.stderr.write(`tcp-forward: ${error.message}\n`);
  process.exit(1);
});
server.listen(listen.port, listen.host, () => process.stderr.write(`forwarding ${values.listen} -> ${values.to}\n`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
