// Counts the API requests a command made, from the test bed's audit log (one JSON event per line,
// Metadata level; see scripts/testbed/README.md): mark the file's end before the command, then
// read the lines appended after it and keep the ResponseComplete events of one user that were
// received inside the command's window.
import { closeSync, openSync, readSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function auditMark(file) {
  const st = statSync(file);
  return { file, offset: st.size, ino: st.ino, since: Date.now() };
}

function readFrom(file, offset) {
  const fd = openSync(file, "r");
  try {
    const size = statSync(file).size;
    const buf = Buffer.alloc(Math.max(0, size - offset));
    let at = 0;
    while (at < buf.length) {
      const n = readSync(fd, buf, at, buf.length - at, offset + at);
      if (n === 0) break;
      at += n;
    }
    return buf.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** The text appended since the mark, following one rotation (audit-<time>.log beside it). */
function appended(mark) {
  const st = statSync(mark.file);
  if (st.ino === mark.ino && st.size >= mark.offset) return readFrom(mark.file, mark.offset);
  const dir = path.dirname(mark.file);
  const base = path.basename(mark.file, ".log");
  const rotated = readdirSync(dir)
    .filter((f) => f.startsWith(`${base}-`) && f.endsWith(".log"))
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).ino === mark.ino);
  return (rotated.length > 0 ? readFrom(rotated[0], mark.offset) : "") + readFrom(mark.file, 0);
}

function key(e) {
  const o = e.objectRef;
  if (o?.resource) return `${e.verb} ${o.resource}${o.subresource ? `/${o.subresource}` : ""}${o.apiGroup ? `.${o.apiGroup}` : ""}`;
  return `${e.verb} ${e.requestURI.split("?")[0]}`; // discovery and other non-resource URLs
}

/**
 * Waits until the log stops growing for a moment (the ResponseComplete event of the last request
 * can land just after the client exits), then counts. `until` closes the window.
 */
export async function auditCount(mark, username, until = Date.now()) {
  let size = -1;
  for (let i = 0; i < 20; i++) {
    await sleep(250);
    const s = statSync(mark.file).size;
    if (s === size && i >= 3) break;
    size = s;
  }
  const byKey = {};
  const agents = {};
  let total = 0;
  for (const line of appended(mark).split("\n")) {
    if (line === "" || !line.includes(`"${username}"`)) continue;
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (e.stage !== "ResponseComplete" || e.user?.username !== username) continue;
    const t = Date.parse(e.requestReceivedTimestamp);
    if (t < mark.since - 50 || t > until + 50) continue;
    total++;
    const k = key(e);
    byKey[k] = (byKey[k] ?? 0) + 1;
    const ua = (e.userAgent ?? "").split(" ")[0];
    agents[ua] = (agents[ua] ?? 0) + 1;
  }
  return { total, byKey, agents };
}
