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
export function budgetOf(config: Deadlines, path: string, clientTimeoutMs: number | undefined, stream = false): number {
  const configured = configuredBudget(config, path, stream);
  const budget = clientTimeoutMs === undefined ? configured : Math.min(configured, clientTimeoutMs);
  if (budget < config.minBudgetMs) {
    throw new ConnectError(`deadline of ${budget} ms is too short to call ${path}`, Code.DeadlineExceeded);
  }
  return budget;
}

type Deadlines = Pick<GatewayConfig, "deadlineMs" | "methodDeadlines" | "minBudgetMs" | "streamMaxMs">;

/**
 * The method's own budget: its entry in GATEWAY_METHOD_DEADLINES, or the
 * default, which for a server stream is how long it may stay open
 * (GATEWAY_STREAM_MAX_MS): a live watch must not end at a unary call's 12 s.
 */
function configuredBudget(config: Deadlines, path: string, stream: boolean): number {
  return config.methodDeadlines.get(path) ?? (stream ? config.streamMaxMs : config.deadlineMs);
}

/** Around the decoded call: its budget (`budgetOf`), and whether it is the method's whole one, for the isolation step. */
export function budget(config: Deadlines): EdgeInterceptor {
  return {
    step: "budget",
    async around(call, next) {
      const { path, method } = call.exposed;
      const stream = method.methodKind === "server_streaming";
      const ms = budgetOf(config, path, call.context.timeoutMs(), stream);
      call.budget = { ms, full: ms >= configuredBudget(config, path, stream) };
      return next();
    },
  };
}
