import { type DescMessage, type DescMethodUnary, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel as Idempotency } from "@bufbuild/protobuf/wkt";
import { ConnectError } from "@connectrpc/connect";
import { isScrubbed, type PrivacyMarks } from "../../../../runtime/privacy/privacy-marks.js";
import { scrubJson } from "../../../../runtime/privacy/scrub.js";
import { type CapturedCall, capturedError } from "../capture-line.js";
import { type Difference, differences } from "./differences.js";
import { callEdge, RedirectRefused } from "./edge-client.js";

/** Who the replay calls as: the token, and its tenant and subject, whose captured calls are replayed. */
export interface ReplayCaller {
  token: string;
  tenantId: string;
  userId: string;
}

export interface ReplayOptions {
  /** The gateway's base URL. */
  target: string;
  marks: PrivacyMarks;
  caller?: ReplayCaller;
  /** Replays on this version of each package that has it ("v2"): /hr.directory.v1.X/Y is called as /hr.directory.v2.X/Y. */
  version?: string;
  /** Replays the calls of the caller's whole tenant, not only its own. */
  anyCaller?: boolean;
  /** JSON field names not compared, at any depth. */
  ignore?: ReadonlySet<string>;
}

/** What became of one captured call. */
export type Outcome =
  | { kind: "same" }
  | { kind: "different"; differences: Difference[] }
  /** A scrubbed field held what the call needs: not sent. */
  | { kind: "not-replayable"; scrubbed: string[] }
  | { kind: "skipped"; reason: string };

export interface ReplayedCall {
  call: CapturedCall;
  /** The path called (another version's with `version`). */
  path: string;
  outcome: Outcome;
}

const REPEATABLE = new Set([Idempotency.NO_SIDE_EFFECTS, Idempotency.IDEMPOTENT]);

/**
 * Replays captured calls one by one, in their order, against a gateway, and
 * compares each answer with the captured one: the response, or the error's
 * code and details. An error's message is not compared: it is for people
 * and may be reworded; its code and its reason (ErrorInfo) are the contract.
 * A call is not sent when its request holds a scrubbed field (its value is
 * gone, and sending the marker would be another request), when the contract
 * does not say a repeat of its method is harmless (NO_SIDE_EFFECTS or
 * IDEMPOTENT), or when it was another caller's.
 */
export async function replayCapture(calls: readonly CapturedCall[], options: ReplayOptions): Promise<ReplayedCall[]> {
  const replayed: ReplayedCall[] = [];
  for (const call of calls) {
    const path = options.version ? versionedPath(call.path, options.version, options.marks) : call.path;
    replayed.push({ call, path, outcome: await replayOne(call, path, options) });
  }
  return replayed;
}

async function replayOne(call: CapturedCall, path: string, options: ReplayOptions): Promise<Outcome> {
  const { caller, marks } = options;
  if (call.tenantId !== undefined) {
    if (caller === undefined) return { kind: "skipped", reason: "made with a token: replay with --token or --sign-in" };
    if (call.tenantId !== caller.tenantId) return { kind: "skipped", reason: "another tenant's call" };
    if (!options.anyCaller && call.userId !== caller.userId)
      return { kind: "skipped", reason: "another caller's call" };
  }
  if (call.response === undefined && call.error === undefined) {
    return { kind: "skipped", reason: "no answer was captured (the client went away)" };
  }
  const described = marks.methodOf(path);
  if (described === undefined || described.methodKind !== "unary") {
    return {
      kind: "different",
      differences: [{ path: "(method)", captured: call.path, now: `${path} is not in the contracts` }],
    };
  }
  // DescMethod is not a discriminated union: the check above is what makes it a unary one.
  const method = described as DescMethodUnary<DescMessage, DescMessage>;
  const scrubbed = scrubbedPaths(call.request);
  if (scrubbed.length > 0) return { kind: "not-replayable", scrubbed };
  if (!REPEATABLE.has(method.idempotency)) {
    return { kind: "skipped", reason: "the contract does not say a repeat of this method is harmless" };
  }

  try {
    fromJson(method.input, call.request, { registry: marks.registry });
  } catch (error) {
    const now = `the request does not fit ${path}: ${ConnectError.from(error).rawMessage}`;
    return { kind: "different", differences: [{ path: "(request)", captured: call.path, now }] };
  }
  const found = differences(capturedAnswer(call), await answerNow(method, path, call, options), options.ignore);
  return found.length === 0 ? { kind: "same" } : { kind: "different", differences: found };
}

/** The captured answer in the form compared: `{response}` or `{error: {code, details}}`. */
function capturedAnswer(call: CapturedCall): JsonValue {
  if (call.error === undefined) return { response: call.response ?? null };
  return { error: { code: call.error.code, details: call.error.details as unknown as JsonValue } };
}

async function answerNow(
  method: DescMethodUnary<DescMessage, DescMessage>,
  path: string,
  call: CapturedCall,
  { target, caller, marks }: ReplayOptions,
): Promise<JsonValue> {
  // The captured request id, marked, so the target's logs tell replays from clients.
  const headers = new Headers({ "x-request-id": `replay:${call.requestId}`.slice(0, 128) });
  if (call.tenantId !== undefined && caller !== undefined) headers.set("authorization", `Bearer ${caller.token}`);
  try {
    return { response: scrubJson(marks, method.output, await callEdge(target, path, call.request, headers)) };
  } catch (failure) {
    // Not an answer of the contract: reported as what came instead of one.
    if (failure instanceof RedirectRefused) return { redirect: failure.message };
    const { code, details } = capturedError(ConnectError.from(failure), []);
    return { error: { code, details: details as unknown as JsonValue } };
  }
}

/** JSON paths of the scrubbed values in a captured request. */
function scrubbedPaths(value: JsonValue, path = ""): string[] {
  if (isScrubbed(value)) return [`${path} ${value}`];
  if (Array.isArray(value)) return value.flatMap((element, i) => scrubbedPaths(element, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, inner]) => scrubbedPaths(inner, path ? `${path}.${key}` : key));
  }
  return [];
}

/**
 * "/hr.directory.v1.DirectoryService/GetTeam" on version "v2":
 * "/hr.directory.v2.DirectoryService/GetTeam" when the contracts have a
 * package hr.directory.v2 (a method it lacks is then reported as a
 * difference); the path unchanged when they do not: the packages without
 * that version are replayed as they were captured.
 */
export function versionedPath(path: string, version: string, marks: PrivacyMarks): string {
  const match = /^\/(hr\.[a-z0-9_]+)\.v\d+[a-z0-9]*\.(.*)$/.exec(path);
  if (match === null) return path;
  const protoPackage = `${match[1]}.${version}`;
  const exists = [...marks.registry.files].some((file) => file.proto.package === protoPackage);
  return exists ? `/${protoPackage}.${match[2]}` : path;
}
