import { createServer } from "node:net";

/** A TCP port free on loopback right now (for servers that cannot take port 0, like PostgreSQL). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * A port free on loopback now, below Linux's ephemeral range (32768–60999),
 * for a process started later. A port 0 picks is ephemeral: until the
 * process binds it, any other test's server or outgoing connection may be
 * given the same one.
 */
export async function freePortBelowEphemeral(): Promise<number> {
  const [port] = await freePortRow(1, 0);
  return port as number;
}

/**
 * `count` ports `step` apart, all free now and below the ephemeral range:
 * the ports of a process's replicas as the launcher spreads them
 * (REPLICA_PORT_STEP), the first one given as `<NAME>_PORT`.
 */
export async function freePortRow(count: number, step: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * (12_000 - count * step));
    const row = Array.from({ length: count }, (_, i) => first + i * step);
    if (row.some((port) => handedOut.has(port))) continue;
    if (!(await Promise.all(row.map(isFree))).every(Boolean)) continue;
    for (const port of row) handedOut.add(port);
    return row;
  }
  throw new Error("no free ports below the ephemeral range");
}

/** Ports this process already gave out: a probe cannot see a port not bound yet. */
const handedOut = new Set<number>();

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}
