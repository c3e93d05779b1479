/**
 * How the platform reads its environment: each runtime module and each
 * process declares its own slice of variables as one zod schema (what each
 * variable means, its default, how it is checked), next to the code that uses
 * it. This file knows no slice: it imports nothing from the modules it serves.
 * A malformed value stops the start with a message naming the variable; the
 * configuration table in docs/ is generated from the slices.
 */

import type { JWTVerifyGetKey } from "jose";
import { z } from "zod";
import type { ReplicaBalancing } from "./client/replica-balancing.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** How caller tokens are verified (auth/auth-config.ts reads it). */
export interface AuthConfig {
  /** Expected `iss` claim. */
  issuer: string;
  /** Expected `aud` claim. */
  audience: string;
  /** The public keys (a JWKS) caller tokens are verified with; no process but session holds a private key. */
  publicKeys: JWTVerifyGetKey;
  /** Longest time from now to `exp` a caller token may have (its `iat` may not lie ahead). */
  maxTokenLifetimeSeconds: number;
}

/**
 * What every server and client of a process is given (server/runtime-config.ts
 * reads it from the slices of server/, auth/, client/). A shape only: the
 * modules that fill it import this file, never the other way round.
 */
/** How log lines are written: see `LOG_FORMAT`. */
export type LogFormat = "auto" | "json" | "pretty";

export interface RuntimeConfig {
  /** Interface the gRPC servers bind to. */
  host: string;
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  logLevel: string;
  /** Log lines as JSON, or pretty for a person (`auto`: pretty when stdout is a terminal). */
  logFormat: LogFormat;
  /**
   * How long a stopping server keeps answering while reporting NOT_SERVING, so
   * load balancers and readiness probes stop sending it calls first.
   */
  shutdownDelayMs: number;
  /** How long a stopping server then waits for in-flight calls before cutting them. */
  shutdownGraceMs: number;
  /** How often a data service checks that its database answers, for its health status. */
  readinessIntervalMs: number;
  /** Deadline a client call gets when its caller set none. */
  defaultDeadlineMs: number;
  /** The furthest deadline a call keeps, received or sent: a later one is capped to it. */
  maxDeadlineMs: number;
  /**
   * HTTP/2 streams (calls) one client connection may have open on a server at
   * once, and calls the platform's clients keep open on one channel (the rest
   * wait in the client, see client/calls-in-flight.ts). Node's HTTP/2 closes a
   * connection whose client resets more than about 1,000 streams in a burst
   * (nghttp2's guard against the "rapid reset" attack, CVE-2023-44487, which
   * Node 20 cannot tune), failing every other call on it: a bound well below
   * that keeps a client's burst of cancellations under the guard.
   */
  maxConcurrentStreams: number;
  auth: AuthConfig;
  admission: AdmissionConfig;
  /** How the platform's clients hold back calls while a server refuses them for overload (client/overload-throttle.ts). */
  clientThrottle: { ratio: number; windowSeconds: number };
  /** How the platform's clients spread calls over a service's replicas (client/replica-balancing.ts). */
  balancing: ReplicaBalancing;
}

/**
 * Load shedding of business calls (runtime/server/admission.ts): how many may
 * run at once (an adaptive limit between min and max), how many may wait and
 * for how long. A maxLimit of 0 turns it off.
 */
export interface AdmissionConfig {
  minLimit: number;
  maxLimit: number;
  initialLimit: number;
  queueSize: number;
  maxWaitMs: number;
  /** A call with less time than this left before its deadline is refused before any work. */
  minDeadlineMs: number;
}

/** A variable's schema: the raw string (undefined when unset or empty) to its value. */
export type Variable<T = unknown> = z.ZodType<T, string | undefined>;

/** What the configuration table says of a variable. */
export interface VariableDoc {
  name: string;
  /** The value it has when unset, as written in the environment; "(required)"; undefined: none, optional. */
  default: string | undefined;
  meaning: string;
  usedBy: string;
}

export interface ConfigSlice<S extends Record<string, Variable>> {
  /** Which module or process reads it, as the table says ("people, identity", "runtime/db"). */
  readonly usedBy: string;
  readonly schema: z.ZodObject<S>;
  /** Reads and validates the slice; throws a ConfigError naming the first bad variable. */
  read(env?: Env): { [K in keyof S]: z.output<S[K]> };
}

/** A configuration value the process cannot start with; its message names the variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const declared: ConfigSlice<Record<string, Variable>>[] = [];

/** Every slice declared by the modules imported so far, in declaration order. */
export function declaredSlices(): readonly ConfigSlice<Record<string, Variable>>[] {
  return declared;
}

export function configSlice<S extends Record<string, Variable>>(usedBy: string, variables: S): ConfigSlice<S> {
  const schema = z.object(variables);
  const slice: ConfigSlice<S> = {
    usedBy,
    schema,
    read(env = process.env) {
      // Only the slice's own variables, an empty one as unset (VAR= in a shell).
      const raw = Object.fromEntries(Object.keys(variables).map((name) => [name, env[name] || undefined]));
      const parsed = schema.safeParse(raw);
      if (parsed.success) return parsed.data as { [K in keyof S]: z.output<S[K]> };
      const [issue] = parsed.error.issues;
      const name = String(issue?.path[0] ?? usedBy);
      const got = raw[name] === undefined ? "" : `, got "${raw[name]}"`;
      throw new ConfigError(`${name} ${issue?.message ?? "is invalid"}${got}`);
    },
  };
  declared.push(slice as unknown as ConfigSlice<Record<string, Variable>>);
  return slice;
}

/** The table's rows for a slice. */
export function documentSlice(slice: ConfigSlice<Record<string, Variable>>): VariableDoc[] {
  return Object.entries(slice.schema.shape).map(([name, variable]) => {
    const meta = (variable.meta() ?? {}) as { description?: string; fallback?: string };
    return { name, default: meta.fallback, meaning: meta.description ?? "", usedBy: slice.usedBy };
  });
}

function numeric(fallback: number | undefined, meaning: string, must: string, ok: (value: number) => boolean) {
  return z
    .string()
    .optional()
    .transform((raw, context) => {
      if (raw === undefined) return fallback as number;
      const value = Number(raw);
      if (ok(value)) return value;
      context.addIssue({ code: "custom", message: must });
      return z.NEVER;
    })
    .meta({ description: meaning, fallback: fallback === undefined ? undefined : String(fallback) });
}

/** A whole number from 0 up. */
export const integer = (fallback: number, meaning: string): Variable<number> =>
  numeric(fallback, meaning, "must be a non-negative integer", (v) => Number.isInteger(v) && v >= 0);

/** A whole number from 1 up. */
export const atLeastOne = (fallback: number, meaning: string): Variable<number> =>
  numeric(fallback, meaning, "must be an integer of at least 1", (v) => Number.isInteger(v) && v >= 1);

/** A number from 0 up, fractions allowed. */
export const decimal = (fallback: number, meaning: string): Variable<number> =>
  numeric(fallback, meaning, "must be a non-negative number", (v) => Number.isFinite(v) && v >= 0);

/** A share from 0 to 1 ("0.05"). */
export const share = (fallback: number, meaning: string): Variable<number> =>
  numeric(fallback, meaning, "must be a share from 0 to 1", (v) => v >= 0 && v <= 1);

/** A string; its default, if any, is what an unset variable reads as. */
export function text(fallback: string, meaning: string): Variable<string>;
export function text(fallback: undefined, meaning: string): Variable<string | undefined>;
export function text(fallback: string | undefined, meaning: string): Variable<string | undefined> {
  return z
    .string()
    .optional()
    .transform((raw) => raw ?? fallback)
    .meta({ description: meaning, fallback });
}

/** A string the process cannot start without. */
export const required = (meaning: string): Variable<string> =>
  z.string({ error: "must be set" }).meta({ description: meaning, fallback: "(required)" });

/** One of a few words. */
export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  fallback: T[number],
  meaning: string,
): Variable<T[number]> {
  return z
    .enum(values, { error: `must be one of ${values.join(", ")}` })
    .optional()
    .transform((raw) => raw ?? fallback)
    .meta({ description: `${meaning} (${values.join(", ")})`, fallback });
}

/**
 * Prefixes of the platform's variables: one set with such a prefix that no
 * slice declares is most likely misspelt (GATEWAY_DEADLNE_MS), and is
 * reported at start instead of passing silently.
 */
export const PLATFORM_PREFIXES = [
  "PEOPLE_",
  "IDENTITY_",
  "TALENT_",
  "TIMEOFF_",
  "DIRECTORY_",
  "SESSION_",
  "SELF_SERVICE_",
  "GATEWAY_",
  "AUTH_",
  "ADMISSION_",
  "CLIENT_",
  "DATABASE_",
  "IDEMPOTENCY_",
  "SHUTDOWN_",
  "HEALTH_CHECK_",
  "LOG_",
  "PAGE_TOKEN_",
  "LISTEN_",
  "EMBEDDED_PG_",
  "EVENTS_",
  "NATS_",
] as const;

/** The variables set in `env` with a platform prefix that no name in `known` matches, sorted. */
export function unknownVariables(env: Env, known: ReadonlySet<string>): string[] {
  return Object.keys(env)
    .filter((name) => PLATFORM_PREFIXES.some((prefix) => name.startsWith(prefix)) && !known.has(name))
    .sort();
}

/** A non-negative integer variable read on its own, for tools outside the platform's slices (the bench). */
export function readInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}
