import { context, SpanKind, SpanStatusCode, type Tracer, trace } from "@opentelemetry/api";
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
} from "@opentelemetry/semantic-conventions";

/**
 * A client span per SQL statement, only inside a trace: a relay's poll or a
 * readiness ping is no trace of its own. The text is the statement with its
 * `$1` placeholders, never the values (personal data); a failure records
 * PostgreSQL's SQLSTATE, not its message, which may quote a value.
 */
export function sqlSpans(tracer: Tracer) {
  return <T>(text: string, target: object, run: () => Promise<T>): Promise<T> => {
    const parent = context.active();
    if (trace.getSpan(parent) === undefined) return run();
    const operation = /^\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase() ?? "SQL";
    const database = databaseOf(target);
    const span = tracer.startSpan(
      database === undefined ? operation : `${operation} ${database}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_DB_SYSTEM_NAME]: "postgresql",
          [ATTR_DB_OPERATION_NAME]: operation,
          [ATTR_DB_QUERY_TEXT]: text,
          ...(database !== undefined && { [ATTR_DB_NAMESPACE]: database }),
        },
      },
      parent,
    );
    return run().then(
      (result) => {
        span.end();
        return result;
      },
      (error: unknown) => {
        const code = (error as { code?: unknown }).code;
        const type = typeof code === "string" ? code : error instanceof Error ? error.name : "error";
        span.setAttribute(ATTR_ERROR_TYPE, type);
        if (typeof code === "string") span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: type });
        span.end();
        throw error;
      },
    );
  };
}

const databaseOfPool = new WeakMap<object, string | undefined>();

/** The database a pg client is connected to, or a pg pool's (read once from its connection string). */
function databaseOf(target: object): string | undefined {
  const { database } = target as { database?: unknown };
  if (typeof database === "string") return database;
  if (!databaseOfPool.has(target)) {
    const { options } = target as { options?: { database?: unknown; connectionString?: unknown } };
    databaseOfPool.set(
      target,
      typeof options?.database === "string" ? options.database : databaseIn(options?.connectionString),
    );
  }
  return databaseOfPool.get(target);
}

function databaseIn(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || undefined;
  } catch {
    return undefined;
  }
}
