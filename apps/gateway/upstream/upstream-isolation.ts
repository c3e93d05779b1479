import { Code, ConnectError } from "@connectrpc/connect";
import {
  BrokenCircuitError,
  type BulkheadPolicy,
  BulkheadRejectedError,
  bulkhead,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleType,
  IsolatedCircuitError,
} from "cockatiel";
import type { Logger } from "pino";
import type { CircuitStateName } from "../../../runtime/metrics/edge-metrics.js";
import type { UpstreamIsolationConfig } from "../gateway-config.js";
import { UPSTREAM_CIRCUIT_OPEN, UPSTREAM_SATURATED, upstreamRefusal } from "./upstream-refusals.js";

// cockatiel (no dependencies) rather than opossum: it has both policies, a bulkhead
// with a bounded queue and a circuit breaker with pluggable counting (a
// filter decides what is a failure), and a typed error for each refusal.
// opossum's `capacity` refuses past a count but queues nothing, and it keeps
// rolling statistics on timers of its own for every breaker.

const CIRCUIT_STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half_open",
  [CircuitState.Isolated]: "isolated",
};

/** One call as the edge hands it over: its budget, whether the client shortened it, and the client's signal. */
export interface GuardedCall {
  budgetMs: number;
  /** The call has its method's whole configured budget (the client asked for no less). */
  fullBudget: boolean;
  /** Less budget left than this when a slot frees up: 504 without calling upstream. */
  minBudgetMs: number;
  signal: AbortSignal;
}

/** An upstream answer that says the upstream is unhealthy: the only kind the breaker counts. */
class UnhealthyAnswer extends Error {
  constructor(readonly answer: unknown) {
    super("unhealthy upstream answer");
  }
}

/**
 * UNAVAILABLE (down, refusing connections, or its own dependency down) and
 * DEADLINE_EXCEEDED after the method's whole budget count. Business answers
 * never do: they prove the upstream works. Nor does RESOURCE_EXHAUSTED: a
 * server sheds load per tenant and cheaply, so counting it would let one
 * noisy tenant open the circuit for all. Nor does a deadline the client
 * shortened (`connect-timeout-ms`): any caller could open it for everyone.
 * A trial call (half-open) that ends without an answer, cancelled or timed
 * out however short its budget, proves nothing either: it opens the circuit
 * again rather than closing it.
 */
function isUnhealthy(error: unknown, call: GuardedCall, trial: boolean): boolean {
  if (!(error instanceof ConnectError)) return false;
  if (error.code === Code.Unavailable) return true;
  if (error.code === Code.DeadlineExceeded) return call.fullBudget || trial;
  return error.code === Code.Canceled && trial;
}

/**
 * The bulkhead and circuit breaker of one upstream (one gRPC target, shared
 * by the contract packages it serves). A call is refused at once, 503, when
 * the circuit is open (or half-open while its trial call runs) or when the
 * upstream has `concurrency` calls in flight and `queue` waiting; a waiting
 * call leaves the queue when its budget runs out (504) or its client goes
 * away. The circuit opens after `breakerFailures` consecutive unhealthy
 * answers and lets one trial call through after `halfOpenMs`: an answer
 * other than an unhealthy one closes it, an unhealthy one opens it again.
 */
export class UpstreamIsolation {
  private readonly bulkhead: BulkheadPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(
    /** The contract packages the upstream serves, as clients and logs name it. */
    readonly upstream: string,
    private readonly config: UpstreamIsolationConfig,
    logger: Logger,
  ) {
    this.bulkhead = bulkhead(config.concurrency, config.queue);
    this.breaker = circuitBreaker(handleType(UnhealthyAnswer), {
      halfOpenAfter: config.halfOpenMs,
      breaker: new ConsecutiveBreaker(config.breakerFailures),
    });
    this.breaker.onStateChange((state) => {
      if (state === CircuitState.Open) {
        this.openedAt = Date.now();
        const failure = this.breaker.lastFailure;
        const answer =
          failure && "error" in failure && failure.error instanceof UnhealthyAnswer && failure.error.answer;
        const code = answer instanceof ConnectError ? Code[answer.code] : undefined;
        logger.warn(
          { upstream, lastCode: code, halfOpenMs: config.halfOpenMs },
          "upstream circuit open: calls refused",
        );
      } else if (state === CircuitState.HalfOpen) {
        logger.info({ upstream }, "upstream circuit half-open: one trial call");
      } else if (state === CircuitState.Closed) {
        logger.info({ upstream }, "upstream circuit closed: calls pass again");
      }
    });
  }

  /** The circuit's state now, for the metrics. */
  circuitState(): CircuitStateName {
    return CIRCUIT_STATE_NAMES[this.breaker.state];
  }

  /** Runs `send` (given the budget left) within the upstream's bulkhead and breaker, or refuses the call. */
  async run<T>(call: GuardedCall, send: (budgetMs: number) => Promise<T>): Promise<T> {
    const deadline = Date.now() + call.budgetMs;
    this.refuseWhileOpen();
    if (this.bulkhead.executionSlots === 0 && this.bulkhead.queueSlots === 0) {
      throw upstreamRefusal(UPSTREAM_SATURATED, this.upstream, 1_000);
    }
    try {
      if (this.bulkhead.executionSlots > 0)
        return await this.bulkhead.execute(() => this.dispatch(deadline, call, send));
      return await this.waitForSlot(deadline, call, () => this.dispatch(deadline, call, send));
    } catch (error) {
      if (error instanceof UnhealthyAnswer) throw error.answer;
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        throw upstreamRefusal(UPSTREAM_CIRCUIT_OPEN, this.upstream, this.msUntilTrial());
      }
      if (error instanceof BulkheadRejectedError) throw upstreamRefusal(UPSTREAM_SATURATED, this.upstream, 1_000);
      throw error;
    }
  }

  /** With a slot: checked again, since the circuit may have opened and the budget run down while the call waited. */
  private dispatch<T>(deadline: number, call: GuardedCall, send: (budgetMs: number) => Promise<T>): Promise<T> {
    this.refuseWhileOpen();
    const left = deadline - Date.now();
    if (left < call.minBudgetMs) {
      throw new ConnectError(`${left} ms left after waiting for ${this.upstream}`, Code.DeadlineExceeded);
    }
    return this.breaker.execute(async () => {
      const trial = this.breaker.state === CircuitState.HalfOpen;
      try {
        return await send(left);
      } catch (error) {
        throw isUnhealthy(error, call, trial) ? new UnhealthyAnswer(error) : error;
      }
    });
  }

  /**
   * A queued call, raced against its deadline and its client: cockatiel's
   * queue does not watch a waiting call, so the call leaves by this race.
   * Its entry stays queued until its turn, then ends at once without calling
   * upstream. (No abort signal is handed to cockatiel for that: a queued call
   * it drops for its signal does not pass its slot on to the next one.)
   */
  private waitForSlot<T>(deadline: number, call: GuardedCall, dispatch: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let abandoned: ConnectError | undefined;
      const stopWatching = () => {
        clearTimeout(timer);
        call.signal.removeEventListener("abort", clientGone);
      };
      const abandon = (why: ConnectError) => {
        stopWatching();
        abandoned = why;
        reject(why);
      };
      const clientGone = () => abandon(new ConnectError("the client cancelled the call", Code.Canceled));
      const expired = () =>
        abandon(new ConnectError(`no slot free at ${this.upstream} within the budget`, Code.DeadlineExceeded));
      timer = setTimeout(expired, deadline - Date.now());
      call.signal.addEventListener("abort", clientGone, { once: true });
      const running = () => {
        if (abandoned !== undefined) return Promise.reject(abandoned);
        stopWatching();
        return dispatch();
      };
      this.bulkhead.execute(running).then(resolve, reject);
    });
  }

  /** Throws UPSTREAM_CIRCUIT_OPEN while the circuit refuses calls (half-open: the trial call alone goes through). */
  private refuseWhileOpen(): void {
    const state = this.breaker.state;
    const open = state === CircuitState.Open && this.msUntilTrial() > 0;
    if (open || state === CircuitState.HalfOpen || state === CircuitState.Isolated) {
      throw upstreamRefusal(UPSTREAM_CIRCUIT_OPEN, this.upstream, this.msUntilTrial());
    }
  }

  private msUntilTrial(): number {
    return Math.max(0, this.openedAt + this.config.halfOpenMs - Date.now());
  }
}
