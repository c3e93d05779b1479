import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CapturedCall } from "../../apps/gateway/capture/capture-line.js";
import { replayTarget } from "../../apps/gateway/capture/replay/replay-target.js";
import { runReplay } from "../support/gateway-under-test.js";

// `npm run replay` and where it sends what it holds (captured requests with a
// bearer token, a password with --sign-in): never on to where a redirect
// points, and never over plain http:// to another machine unless told.
// No network: two local servers, one redirecting to the other.
// Run alone: npm test -- test/apps/gateway-replay.test.ts

const MY_PROFILE = "/hr.selfservice.v1.SelfService/GetMyProfile";
const PASSWORD = "a password that must go nowhere else";

/** Every request the redirect's destination received: it should receive none. */
const baited: { path?: string; body: string }[] = [];
let bait: Server;
let redirecting: Server;
let target: string;
const folder = mkdtempSync(join(tmpdir(), "gateway-replay-"));
const captureFile = join(folder, "calls.jsonl");

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  bait = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk;
    });
    request.on("end", () => {
      baited.push({ path: request.url, body });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  const baitUrl = await listen(bait);
  // 307 and 308 are the redirects a client follows with the same method and body.
  redirecting = createServer((request, response) => {
    request.resume();
    response.writeHead(307, { location: `${baitUrl}${request.url}` }).end();
  });
  target = await listen(redirecting);
  // A token-shaped string naming a tenant and a subject (the replay reads them, the target would verify them).
  const call: CapturedCall = {
    time: new Date().toISOString(),
    path: MY_PROFILE,
    tenantId: "tenant-1",
    userId: "ada",
    requestId: "captured-1",
    request: {},
    response: { employee: { id: "e-1" } },
    status: 200,
    durationMs: 3,
  };
  writeFileSync(captureFile, `${JSON.stringify(call)}\n`);
});
afterAll(async () => {
  await Promise.all([bait, redirecting].map((server) => new Promise((resolve) => server?.close(resolve))));
});

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const TOKEN = `${part({ alg: "EdDSA" })}.${part({ tenant_id: "tenant-1", sub: "ada" })}.c2ln`;

describe("replay and redirects", { timeout: 60_000 }, () => {
  it("does not follow a redirect with the sign-in's password: the replay stops", async () => {
    const { code, output } = await runReplay([captureFile, "--target", target, "--sign-in", "tenant-1:ada"], {
      REPLAY_PASSWORD: PASSWORD,
    });
    expect(code).toBe(2);
    expect(output).toContain("HTTP 307, a redirect");
    expect(output).toContain("not followed");
    expect(baited).toEqual([]);
  });

  it("does not follow a redirect with a replayed call: it is reported as a difference", async () => {
    const { code, output } = await runReplay([captureFile, "--target", target, "--token", TOKEN]);
    expect(output).toContain("0 same, 1 different");
    expect(output).toMatch(/redirect: captured \(absent\), now "the target answered HTTP 307.*not followed"/);
    expect(code).toBe(1);
    expect(baited).toEqual([]);
  });
});

describe("replay targets", { timeout: 60_000 }, () => {
  it("refuses plain http:// to another machine, before sending anything, unless told", async () => {
    const { code, output } = await runReplay([captureFile, "--target", "http://gateway.example.com", "--token", TOKEN]);
    expect(code).toBe(2);
    expect(output).toContain("plain http:// to another machine");
    expect(output).toContain("--allow-insecure-http");
    expect(replayTarget("http://gateway.example.com:8080", true).host).toBe("gateway.example.com:8080");
  });

  it("takes https:// anywhere and http:// on this machine; refuses anything else", () => {
    for (const ok of [
      "https://gateway.example.com",
      "http://localhost:8080",
      "http://127.0.0.2:8080",
      "http://[::1]:80",
    ]) {
      expect(replayTarget(ok, false).href).toContain(new URL(ok).host);
    }
    for (const refused of ["http://10.0.0.5:8080", "http://127.example.com", "ftp://127.0.0.1", "gateway:8080"]) {
      expect(() => replayTarget(refused, false)).toThrow(/--target/);
    }
  });
});
