import { ClientError, type ClientMiddleware, type ClientMiddlewareCall, Status } from "nice-grpc";

// Client-side adaptive throttling, as in Google's SRE book ("Handling
// Overload", chapter 21): a client that sees its server refuse calls for
// overload stops sending the excess and refuses it itself, at no cost to the
// server. Why the servers' own load shedding is not enough: refusing a call
// costs a server most of what serving it does (the HTTP/2 stream, headers,
// authentication, the log line, the error and its details; measured at
// about half a served GetEmployee), so past about twice its capacity a
// server spends all of its CPU saying no. Each client keeps, per channel,
// how many calls it asked for and how many the server accepted over the last
// `windowSeconds`, and refuses a new call with probability
//     max(0, (requests - ratio * accepts) / (requests + 1)),
// which lets through about `ratio` times what the server is accepting: a
// little more than it can take, so it still sees when capacity comes back.
// Nothing changes while the server accepts everything.

/** How the throttle is tuned (CLIENT_THROTTLE_RATIO, CLIENT_THROTTLE_WINDOW_SECONDS). */
export interface ThrottlePolicy {
  /** Calls let through per call the server accepts, once it refuses some; 0 turns throttling off. */
  ratio: number;
  /** How far back requests and accepts are counted. */
  windowSeconds: number;
}

/** Requests and accepts of the last `windowSeconds`, in one-second buckets. */
export class OverloadThrottle {
  private readonly requests: Float64Array;
  private readonly accepts: Float64Array;
  private bucketSecond = 0;
  private requestSum = 0;
  private acceptSum = 0;

  constructor(
    readonly policy: ThrottlePolicy,
    private readonly random: () => number = Math.random,
  ) {
    const buckets = Math.max(1, Math.ceil(policy.windowSeconds));
    this.requests = new Float64Array(buckets);
    this.accepts = new Float64Array(buckets);
  }

  /** Whether to send a call now; one held back counts as a request at once. */
  admit(nowMs: number = Date.now()): boolean {
    this.advance(nowMs);
    const refuse = (this.requestSum - this.policy.ratio * this.acceptSum) / (this.requestSum + 1);
    if (refuse <= 0 || this.random() >= refuse) return true;
    this.countRequest();
    return false;
  }

  /** Records a sent call's answer: `accepted` unless the server refused it for overload. */
  answered(accepted: boolean, nowMs: number = Date.now()): void {
    this.advance(nowMs);
    this.countRequest();
    if (!accepted) return;
    const at = this.bucketSecond % this.accepts.length;
    this.accepts[at] = (this.accepts[at] ?? 0) + 1;
    this.acceptSum++;
  }

  private countRequest(): void {
    const at = this.bucketSecond % this.requests.length;
    this.requests[at] = (this.requests[at] ?? 0) + 1;
    this.requestSum++;
  }

  /** Empties the buckets of the seconds that have left the window since the last call. */
  private advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const gone = Math.min(second - this.bucketSecond, this.requests.length);
    for (let i = 1; i <= gone; i++) {
      const at = (this.bucketSecond + i) % this.requests.length;
      this.requestSum -= this.requests[at] ?? 0;
      this.acceptSum -= this.accepts[at] ?? 0;
      this.requests[at] = 0;
      this.accepts[at] = 0;
    }
    if (second > this.bucketSecond) this.bucketSecond = second;
  }
}

/** Whether a call's outcome says the server refused it for overload. */
export function isOverloadRefusal(error: unknown): boolean {
  return error instanceof ClientError && error.code === Status.RESOURCE_EXHAUSTED;
}

/**
 * Refuses calls locally with RESOURCE_EXHAUSTED while the server is refusing
 * them; each attempt of a retried call counts on its own.
 */
export function overloadThrottle(throttle: OverloadThrottle): ClientMiddleware {
  return async function* overloadThrottleMiddleware<Request, Response>(
    call: ClientMiddlewareCall<Request, Response>,
    options: Parameters<ClientMiddleware>[1],
  ) {
    if (!throttle.admit()) {
      throw new ClientError(
        call.method.path,
        Status.RESOURCE_EXHAUSTED,
        "the server is overloaded: this client is holding back calls (client-side throttling)",
      );
    }
    try {
      const response = yield* call.next(call.request, options);
      throttle.answered(true);
      return response;
    } catch (error) {
      throttle.answered(!isOverloadRefusal(error));
      throw error;
    }
  };
}
