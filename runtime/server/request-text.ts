import type { CallContext, ServerMiddlewareCall } from "nice-grpc-common";
import { invalidArgument } from "../domain/domain-error.js";

/**
 * Refuses, for every method of every server, a request with a string that
 * holds a NUL character or a lone UTF-16 surrogate, naming the field (proto
 * name, e.g. `employee.given_name`, `ids[3]`). PostgreSQL cannot store either
 * in text, so without this check such a value reached the database and came
 * back as INTERNAL; checked here once, no handler or validator has to remember.
 */
export async function* requestTextMiddleware<Request, Response>(
  call: ServerMiddlewareCall<Request, Response>,
  context: CallContext,
) {
  const bad = badTextFields(call.request, "");
  if (bad.length > 0) {
    throw invalidArgument(bad.map((field) => ({ field, description: "must not contain NUL or invalid characters" })));
  }
  return yield* call.next(call.request, context);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const storable = (text: string) => !text.includes("\u0000") && !LONE_SURROGATE.test(text);
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The paths of the string values under `value` that PostgreSQL could not store. */
export function badTextFields(value: unknown, path: string): string[] {
  if (typeof value === "string") return storable(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => badTextFields(item, `${path}[${i}]`));
  if (typeof value !== "object" || value === null || value instanceof Date || value instanceof Uint8Array) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    badTextFields(item, path === "" ? snakeCase(key) : `${path}.${snakeCase(key)}`),
  );
}
