import type { Logger } from "pino";

/**
 * Checks a dependency (the service's database) every `intervalMs` and reports
 * each change of readiness, so health answers NOT_SERVING while the database
 * is unreachable and SERVING again once it is back: load balancers stop
 * sending calls that can only fail. A check that has not answered after
 * `stalledAfterMs` counts as unreachable too: a frozen or partitioned
 * database refuses nothing, it just never answers, while calls already fail
 * UNAVAILABLE on their connect timeout. Returns the function that stops it.
 */
export function watchReadiness(
  check: () => Promise<void>,
  intervalMs: number,
  onChange: (ready: boolean) => void,
  logger: Logger,
  stalledAfterMs = 3 * intervalMs,
): () => void {
  let ready = true;
  let checking = false;
  let startedAt = 0;
  const timer = setInterval(() => {
    // A check still waiting is left to finish (its answer turns readiness back on), unless it stalled.
    if (checking) {
      if (ready && Date.now() - startedAt > stalledAfterMs) {
        logger.warn({ waitedMs: Date.now() - startedAt }, "dependency not answering: NOT_SERVING");
        ready = false;
        onChange(false);
      }
      return;
    }
    checking = true;
    startedAt = Date.now();
    check()
      .then(
        () => true,
        (error: unknown) => {
          if (ready) logger.warn({ err: error }, "dependency unreachable: NOT_SERVING");
          return false;
        },
      )
      .then((now) => {
        if (now && !ready) logger.info("dependency reachable again: SERVING");
        if (now !== ready) onChange(now);
        ready = now;
      })
      .finally(() => {
        checking = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
