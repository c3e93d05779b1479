import { Code, ConnectError } from "@connectrpc/connect";
import type { GatewayConfig } from "../gateway-config.js";
import type { EdgeInterceptor } from "./edge-interceptor.js";

/**
 * The budget of one call: the method's configured deadline (or the default,
 * 12 s), shortened to what the client asked for (Connect's
 * `connect-timeout-ms`), never lengthened by it. A budget too small to do
 * anything is answered 504 at once, before any upstream spends work on a
 * call whose answer would arrive too late.
 */
export function budgetOf(
  config: Pick<GatewayConfig, "deadlineMs" | "methodDeadlines" | "minBudgetMs">,
  path: string,
  clientTimeoutMs: number | undefined,
): number {
  const configured = config.methodDeadlines.get(path) ?? config.deadlineMs;
  const budget = clientTimeoutMs === undefined ? configured : Math.min(configured, clientTimeoutMs);
  if (budget < config.minBudgetMs) {
    throw new ConnectError(`deadline of ${budget} ms is too short to call ${path}`, Code.DeadlineExceeded);
  }
  return budget;
}

/** Around the decoded call: its budget (`budgetOf`), and whether it is the method's whole one, for the isolation step. */
export function budget(config: Pick<GatewayConfig, "deadlineMs" | "methodDeadlines" | "minBudgetMs">): EdgeInterceptor {
  return {
    step: "budget",
    async around(call, next) {
      const { path } = call.exposed;
      const ms = budgetOf(config, path, call.context.timeoutMs());
      call.budget = { ms, full: ms >= (config.methodDeadlines.get(path) ?? config.deadlineMs) };
      return next();
    },
  };
}
