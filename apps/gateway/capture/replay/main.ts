import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { decodeJwt } from "jose";
import { PrivacyMarks } from "../../../../runtime/privacy/privacy-marks.js";
import type { CapturedCall } from "../capture-line.js";
import { callEdge } from "./edge-client.js";
import { type ReplayCaller, replayCapture } from "./replay.js";
import { replayTarget, UnsafeTarget } from "./replay-target.js";
import { replayReport } from "./report.js";

/**
 * `npm run replay -- <capture file> --target <gateway URL> [--token <jwt> |
 * --sign-in <tenant>:<login name>] [--version v2] [--any-caller]
 * [--ignore field,field] [--allow-insecure-http]`: replays a capture
 * (GATEWAY_CAPTURE_FILE) against a gateway and reports where the answers
 * differ. With --sign-in the password is read from REPLAY_PASSWORD, never
 * from the command line. The target is https://, or http:// on this machine
 * only unless --allow-insecure-http (replay-target.ts); a redirect is never
 * followed: a replayed call answered one is a difference, a sign-in answered
 * one stops the replay.
 * Exit code 0: no differences; 1: differences; 2: the replay could not run.
 */
const USAGE =
  "usage: npm run replay -- <capture file> --target <gateway URL> [--token <jwt> | --sign-in <tenant>:<login name>] " +
  "[--version v2] [--any-caller] [--ignore field,field] [--allow-insecure-http]";
const LOGIN = "/hr.session.v1.SessionService/Login";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      target: { type: "string" },
      token: { type: "string" },
      "sign-in": { type: "string" },
      version: { type: "string" },
      "any-caller": { type: "boolean", default: false },
      ignore: { type: "string", default: "" },
      "allow-insecure-http": { type: "boolean", default: false },
    },
  });
  const [file] = positionals;
  if (file === undefined || values.target === undefined || positionals.length > 1) return usage();
  if (values.version !== undefined && !/^v\d+[a-z0-9]*$/.test(values.version)) return usage("--version is like v2");
  replayTarget(values.target, values["allow-insecure-http"]);
  const marks = PrivacyMarks.fromDescriptorSet();
  const { calls, unreadable } = readCapture(file);
  const token = values.token ?? (values["sign-in"] ? await signIn(values.target, values["sign-in"]) : undefined);
  const replayed = await replayCapture(calls, {
    target: values.target,
    marks,
    caller: token === undefined ? undefined : callerOf(token),
    version: values.version,
    anyCaller: values["any-caller"],
    ignore: new Set(values.ignore.split(",").filter(Boolean)),
  });
  const version = values.version ? ` (version ${values.version})` : "";
  process.stdout.write(replayReport(replayed, `replay of ${file} against ${values.target}${version}`, unreadable));
  return replayed.some(({ outcome }) => outcome.kind === "different") ? 1 : 0;
}

/** The capture's calls; line numbers of lines that are not one (a line cut short when a gateway stopped). */
function readCapture(file: string): { calls: CapturedCall[]; unreadable: number[] } {
  const calls: CapturedCall[] = [];
  const unreadable: number[] = [];
  for (const [i, line] of readFileSync(file, "utf8").split("\n").entries()) {
    if (line.trim() === "") continue;
    try {
      const call = JSON.parse(line) as CapturedCall;
      if (typeof call.path !== "string" || typeof call.request !== "object") throw new Error("not a captured call");
      calls.push(call);
    } catch {
      unreadable.push(i + 1);
    }
  }
  return { calls, unreadable };
}

/** Signs in through the target as a person would, with REPLAY_PASSWORD; answers the access token. */
async function signIn(target: string, who: string): Promise<string> {
  const at = who.indexOf(":");
  const password = process.env.REPLAY_PASSWORD;
  if (at <= 0 || password === undefined)
    throw new UsageError("--sign-in <tenant>:<login name>, with REPLAY_PASSWORD set");
  const answer = await callEdge(target, LOGIN, { tenantId: who.slice(0, at), loginName: who.slice(at + 1), password });
  const accessToken = (answer as { tokens?: { accessToken?: unknown } }).tokens?.accessToken;
  if (typeof accessToken !== "string") throw new Error("the sign-in answered no access token");
  return accessToken;
}

/** The token's tenant and subject (read, not verified: the target verifies it). */
function callerOf(token: string): ReplayCaller {
  const claims = decodeJwt(token);
  if (typeof claims.tenant_id !== "string" || typeof claims.sub !== "string") {
    throw new UsageError("the token names no tenant_id and sub");
  }
  return { token, tenantId: claims.tenant_id, userId: claims.sub };
}

class UsageError extends Error {}

function usage(problem?: string): number {
  process.stderr.write(`${problem ? `${problem}\n` : ""}${USAGE}\n`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof UnsafeTarget) process.exit(usage(error.message));
    process.stderr.write(`replay failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
