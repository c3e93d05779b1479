import type { Logger } from "pino";

/**
 * Checks a dependency (the service's database) every `intervalMs` and reports
 * each change of readiness, so health answers NOT_SERVING while the database
 * is unreachable and SERVING again once it is back: load balancers stop
 * sending calls that can only fail. Returns the function that stops it.
 */
export function watchReadiness(
  check: () => Promise<void>,
  intervalMs: number,
  onChange: (ready: boolean) => void,
  logger: Logger,
): () => void {
  let ready = true;
  let checking = false;
  const timer = setInterval(() => {
    // A check still waiting (a connect timeout longer than the interval) is left to finish.
    if (checking) return;
    checking = true;
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
