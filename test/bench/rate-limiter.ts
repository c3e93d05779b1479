import { performance } from "node:perf_hooks";
import pino from "pino";
import { EdgeRateLimits } from "../../apps/gateway/limits/rate-limits.js";
import { CONCURRENCY, SECONDS } from "./load.js";

// The gateway rate limiter's cost per request: EdgeRateLimits.admitAddress
// and admit (one count for the client address, one for the caller, one for
// the tenant), as
// the gateway runs it for every call, counted in memory and, when REDIS_URL
// is set, in Redis. In this process: the limiter is a library inside the
// gateway's process, and its cost is this process's CPU per admitted call
// (plus, for Redis, a round trip, which shows in the latency; Redis's own CPU
// is not measured). Limits far above the rate, so every call is admitted.

export const RATE_LIMITER_CASE = "Gateway rate limiter";
const TENANTS = 100;
const CALLERS_PER_TENANT = 50;

interface LimiterRun {
  store: string;
  admitted: number;
  seconds: number;
  p50Ms: number;
  cpuMicros: number;
}

async function run(store: string, redisUrl: string | undefined): Promise<LimiterRun> {
  const limits = new EdgeRateLimits(
    {
      ...{ addressCalls: 1e9, addressWindowSeconds: 60, tenantCalls: 1e9, callerCalls: 1e9, windowSeconds: 60 },
      ...{ redisUrl, redisKeyPrefix: `hr-bench:${process.pid}:rate` },
    },
    { methods: new Map(), failures: 1, windowSeconds: 60 },
    pino({ level: "warn" }),
  );
  await limits.settled();
  const latencies: number[] = [];
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const begin = performance.now();
  const end = begin + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const i = next++;
      const tenant = i % TENANTS;
      const started = performance.now();
      await limits.admitAddress(`10.0.${Math.floor(tenant / 256)}.${tenant % 256}`);
      await limits.admit({
        tenantId: `tenant-${tenant}`,
        callerKey: `user/tenant-${tenant}/${i % (TENANTS * CALLERS_PER_TENANT)}`,
      });
      latencies.push(performance.now() - started);
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    await limits.close();
  }
  const seconds = (performance.now() - begin) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    store,
    admitted: latencies.length,
    seconds,
    p50Ms: latencies[Math.floor(latencies.length / 2)] ?? Number.NaN,
    cpuMicros: cpu.user + cpu.system,
  };
}

/** Runs the limiter in memory, and in Redis when REDIS_URL is set; returns its section of the report. */
export async function rateLimiterSection(): Promise<string[]> {
  const redisUrl = process.env.REDIS_URL;
  const runs = [await run("memory", undefined)];
  if (redisUrl) runs.push(await run("Redis (REDIS_URL)", redisUrl));
  process.stderr.write(`${runs.map((r) => `${r.store} ${Math.round(r.admitted / r.seconds)}/s`).join(", ")}\n`);
  const lines = [
    `## ${RATE_LIMITER_CASE}`,
    "",
    `- EdgeRateLimits.admitAddress and admit (address, caller and tenant counts) from ${CONCURRENCY} concurrent callers for ${SECONDS} s, in the load process; every call admitted (limits far above the rate), ${TENANTS} tenants × ${CALLERS_PER_TENANT} callers`,
    `- CPU: this process's per admitted call; for Redis, Redis's own CPU is not counted${redisUrl ? "" : "; no Redis row: REDIS_URL is not set"}`,
    "",
    "| store | calls/s | p50 ms | CPU µs/call |",
    "|---|--:|--:|--:|",
  ];
  for (const r of runs) {
    const perCall = r.cpuMicros / Math.max(1, r.admitted);
    lines.push(
      `| ${r.store} | ${Math.round(r.admitted / r.seconds)} | ${r.p50Ms.toFixed(3)} | ${perCall.toFixed(1)} |`,
    );
  }
  return [...lines, ""];
}
