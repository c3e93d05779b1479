import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { readInt } from "../../runtime/config.js";
import { databaseUrl, dropDatabase, ensureDatabase } from "../../runtime/db/databases.js";
import { migrateDatabase } from "../../runtime/db/migrate.js";
import { resolvePostgres } from "../../runtime/db/postgres-server.js";
import { freePort } from "../support/free-port.js";

// What every benchmark shares: a closed loop keeping BENCH_CONCURRENCY calls in
// flight for BENCH_SECONDS after a 1 s warm-up, percentiles from the sorted
// latencies, and a fresh migrated database of one data service.

export const CONCURRENCY = readInt(process.env, "BENCH_CONCURRENCY", 64);
export const SECONDS = readInt(process.env, "BENCH_SECONDS", 5);
const WARMUP_MS = 1000;

export interface Result {
  name: string;
  callsPerSecond: number;
  p50: number;
  p99: number;
}

/** Runs `call` with CONCURRENCY in flight; `i` numbers the calls (warm-up and measured ones never share one). */
export async function measure(name: string, call: (i: number) => Promise<unknown>): Promise<Result> {
  let i = 0;
  const run = async (ms: number, latencies: number[]) => {
    const end = performance.now() + ms;
    const worker = async () => {
      while (performance.now() < end) {
        const start = performance.now();
        await call(i++);
        latencies.push(performance.now() - start);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return performance.now() - started;
  };
  await run(WARMUP_MS, []);
  const latencies: number[] = [];
  const elapsed = await run(SECONDS * 1000, latencies);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { name, callsPerSecond: latencies.length / (elapsed / 1000), p50: at(0.5), p99: at(0.99) };
}

export function describeRun(what: string): string {
  return (
    `${what}: ${availableParallelism()} cores (load average ${loadavg()[0]?.toFixed(1)}), Node ${process.version}, ` +
    `${CONCURRENCY} in flight, ${SECONDS} s per case after ${WARMUP_MS / 1000} s warm-up, ` +
    `PostgreSQL ${process.env.DATABASE_URL ? "from DATABASE_URL" : "embedded"}`
  );
}

export function printResults(results: readonly Result[]): void {
  console.table(
    results.map((r) => ({
      case: r.name,
      "calls/s": Math.round(r.callsPerSecond),
      "p50 ms": Number(r.p50.toFixed(2)),
      "p99 ms": Number(r.p99.toFixed(2)),
    })),
  );
}

export function ratio(a: Result, b: Result): string {
  return `${(a.callsPerSecond / b.callsPerSecond).toFixed(2)} of the throughput, ${(a.p50 / b.p50).toFixed(1)}× the p50`;
}

/** Cleanup steps run last-added first, even when the benchmark fails. */
export type Cleanup = (() => Promise<unknown> | unknown)[];

export async function runCleanup(cleanup: Cleanup): Promise<void> {
  for (const step of cleanup) {
    try {
      await step();
    } catch (error) {
      console.error("cleanup step failed:", error);
    }
  }
}

/** A fresh, migrated database of `service` (on DATABASE_URL or an embedded server), dropped by `cleanup`. */
export async function benchDatabase(service: string, cleanup: Cleanup): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), `hr-bench-${service}-pg-`));
  cleanup.unshift(() => rm(dataDir, { recursive: true, force: true }));
  const postgres = await resolvePostgres({ dataDir, port: await freePort() });
  cleanup.unshift(() => postgres.stop());
  const name = `hr_bench_${service}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await ensureDatabase(postgres.serverUrl, name);
  cleanup.unshift(() => dropDatabase(postgres.serverUrl, name));
  const url = databaseUrl(postgres.serverUrl, name);
  await migrateDatabase(service, url);
  return url;
}
