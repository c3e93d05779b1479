import { closeSync, fchmodSync, fstatSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import type { DescMessage, DescMethodUnary, Message } from "@bufbuild/protobuf";
import { ConnectError, type HandlerContext } from "@connectrpc/connect";
import { type Logger, pino } from "pino";
import type { PrivacyMarks } from "../../../runtime/privacy/privacy-marks.js";
import { loggableError } from "../../../runtime/privacy/redact.js";
import { personalValues, scrubMessage } from "../../../runtime/privacy/scrub.js";
import type { CaptureConfig } from "../gateway-config.js";
import { EDGE_REQUEST, type EdgeRequest } from "../http/request-identity.js";
import { type CapturedCall, capturedError } from "./capture-line.js";

type Method = DescMethodUnary<DescMessage, DescMessage>;

/** What a sampled call leaves for its capture line, filled while the call runs. */
interface Exchange {
  method: Method;
  request: Message;
  response?: Message;
  error?: ConnectError;
}

/** Read and write for the gateway's own user alone: the lines hold tenants, callers and business data. */
const OWNER_ONLY = 0o600;

/**
 * The capture file, opened here, synchronously: a path that cannot be
 * written stops the start, not a request. A new file (and a new folder) is
 * created for the owner alone, whatever the umask (which can only take
 * permissions away). An existing file is appended to, and, if others may
 * read or write it, first made 0600 with a warning naming its old mode; if
 * that is not allowed (another user's file), the start stops.
 */
function openOwnerOnly(file: string, logger: Logger): number {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, "a", OWNER_ONLY);
  try {
    const mode = fstatSync(fd).mode & 0o777;
    if ((mode & ~OWNER_ONLY) !== 0) {
      fchmodSync(fd, OWNER_ONLY);
      logger.warn({ file, mode: mode.toString(8) }, "capture file was readable by others: made 0600");
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * A sampled capture of the calls the edge serves, one JSON line per call
 * (capture-line.ts), personal and secret fields scrubbed by the contract's
 * marks before the line exists. The line is built once the answer has been
 * sent, and written by pino's file writer (sonic-boom): asynchronous, it
 * batches lines while a write is in flight, and it drops a line that would
 * grow its buffer past `bufferBytes`, which is the bound wanted here. A
 * capture that falls behind (a slow disk) loses lines, counted and logged;
 * it never slows or fails a call.
 */
export class TrafficCapture {
  private readonly exchanges = new WeakMap<EdgeRequest, Exchange>();
  private readonly file: ReturnType<typeof pino.destination>;
  private dropped = 0;
  private behind = false;

  private constructor(
    private readonly config: CaptureConfig & { file: string },
    private readonly marks: PrivacyMarks,
    private readonly logger: Logger,
    private readonly random: () => number,
  ) {
    const fd = openOwnerOnly(config.file, logger);
    this.file = pino.destination({ fd, sync: false, maxLength: config.bufferBytes });
    this.file.on("drop", () => {
      this.dropped++;
      if (this.behind) return;
      this.behind = true;
      logger.warn({ file: config.file }, "capture is behind: dropping lines until it catches up");
    });
    this.file.on("write", () => {
      if (!this.behind) return;
      this.behind = false;
      logger.warn({ file: config.file, dropped: this.dropped }, "capture caught up");
    });
    this.file.on("error", (error: NodeJS.ErrnoException) => {
      logger.error({ file: config.file, code: error.code }, "capture file cannot be written");
    });
  }

  /** The capture `config` asks for, or undefined when it names no file (capture off). */
  static open(config: CaptureConfig, marks: PrivacyMarks, logger: Logger, random = Math.random) {
    const { file } = config;
    return file === undefined ? undefined : new TrafficCapture({ ...config, file }, marks, logger, random);
  }

  /** Runs one call, keeping its request and answer for its line when the call is sampled. */
  async around(method: Method, request: Message, context: HandlerContext, call: () => Promise<Message>) {
    const edge = context.values.get(EDGE_REQUEST);
    if (edge === undefined || this.random() >= this.config.sample) return call();
    const exchange: Exchange = { method, request };
    this.exchanges.set(edge, exchange);
    try {
      exchange.response = await call();
      return exchange.response;
    } catch (error) {
      exchange.error = ConnectError.from(error);
      throw error;
    }
  }

  /** Writes the line of a sampled call once its answer is sent (`status`, 499 when the client went away). */
  record(edge: EdgeRequest, status: number, durationMs: number): void {
    const exchange = this.exchanges.get(edge);
    if (exchange === undefined) return;
    this.exchanges.delete(edge);
    const { method, request, response, error } = exchange;
    const values = personalValues(this.marks, method.input, request);
    try {
      const line: CapturedCall = {
        time: new Date(Date.now() - durationMs).toISOString(),
        path: `/${method.parent.typeName}/${method.name}`,
        tenantId: edge.tenantId,
        userId: edge.credentials?.kind === "verified" ? edge.credentials.caller.userId : undefined,
        requestId: edge.requestId,
        request: scrubMessage(this.marks, method.input, request),
        ...(response && { response: scrubMessage(this.marks, method.output, response) }),
        ...(error && { error: capturedError(error, values) }),
        status,
        durationMs,
      };
      this.file.write(`${JSON.stringify(line)}\n`);
    } catch (failure) {
      this.logger.error({ err: loggableError(failure, values), requestId: edge.requestId }, "capture line not written");
    }
  }

  /** Writes what is buffered and closes the file (after the edge has answered its last call). */
  async close(): Promise<void> {
    if (this.dropped > 0) this.logger.warn({ file: this.config.file, dropped: this.dropped }, "capture lines dropped");
    await new Promise<void>((resolve) => {
      this.file.once("close", () => resolve());
      this.file.once("error", () => resolve());
      this.file.end();
    });
  }
}
