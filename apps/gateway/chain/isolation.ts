import type { EdgeInterceptor } from "./edge-interceptor.js";

/**
 * Around the decoded call, last before it is sent: its upstream's bulkhead
 * and breaker (`UpstreamIsolation.run`), given the call's budget; the
 * budget still left when a slot is free goes to the upstream call.
 */
export function isolation(minBudgetMs: number): EdgeInterceptor {
  return {
    step: "isolation",
    async around(call, next) {
      const { budget } = call;
      if (budget === undefined) throw new Error("budget missing: the budget step comes before isolation");
      const guarded = { budgetMs: budget.ms, fullBudget: budget.full, minBudgetMs, signal: call.context.signal };
      return call.upstream.isolation.run(guarded, (leftMs) => {
        call.leftMs = leftMs;
        return next();
      });
    },
  };
}
