// What the tests share: the live server from the environment, and loopback helpers.
import { createServer } from "node:http";
import net from "node:net";
import { randomUUID } from "node:crypto";
import { Boxq } from "../src/index.js";

/** {url, admin} of the live boxq the tests run against (scripts/test.sh sets them). */
export function server() {
  const url = process.env.BOXQ_URL;
  const admin = process.env.BOXQ_ADMIN_KEY;
  if (!url || !admin) throw new Error("set BOXQ_URL and BOXQ_ADMIN_KEY to a running boxq (scripts/test.sh does)");
  return { url, admin };
}

export async function newKey(fields = {}) {
  const { url, admin } = server();
  return (await new Boxq(url, admin).keys.create(`ts-${randomUUID().slice(0, 8)}`, "pro", fields)).key;
}

export async function newUser(options) {
  return new Boxq(server().url, await newKey(), options);
}

/** An HTTP server on 127.0.0.1 answering with `handler(req, body, res)`; resolves to {url, close}. */
export function listen(handler) {
  const s = createServer((req, res) => {
    const parts = [];
    req.on("data", (p) => parts.push(p));
    req.on("end", () => handler(req, Buffer.concat(parts), res));
  });
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve({
    url: `http://127.0.0.1:${s.address().port}`,
    close: () => new Promise((done) => { s.closeAllConnections?.(); s.close(done); }),
  })));
}

/**
 * A TCP proxy in front of the server that drops the first connection whose answer carries
 * `marker`, right after passing on the bytes that held it.
 */
export function cuttingProxy(upstreamPort, marker) {
  const proxy = { cuts: 0, connections: 0, armed: true };
  const sockets = new Set();
  const s = net.createServer((down) => {
    proxy.connections++;
    const up = net.connect(upstreamPort, "127.0.0.1");
    sockets.add(down).add(up);
    down.on("data", (d) => up.write(d));
    up.on("data", (d) => {
      if (proxy.armed && d.includes(marker)) {
        proxy.armed = false;
        proxy.cuts++;
        up.removeAllListeners("close");
        up.destroy();
        down.end(d); // the bytes that held the marker, then the connection ends
        return;
      }
      down.write(d);
    });
    up.on("close", () => down.destroy());
    down.on("close", () => up.destroy());
    up.on("error", () => down.destroy());
    down.on("error", () => up.destroy());
  });
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => {
    proxy.url = `http://127.0.0.1:${s.address().port}`;
    proxy.close = () => new Promise((done) => { for (const k of sockets) k.destroy(); s.close(done); });
    resolve(proxy);
  }));
}
