import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Channel } from "nice-grpc";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import { LeaveAccountServiceDefinition, LeaveType } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { CLOCK_TOLERANCE_SECONDS } from "../../runtime/auth/caller.js";
import { openChannel } from "../../runtime/client/service-client.js";
import { repoRoot } from "../../runtime/repo-root.js";
import { as, newTenant } from "../support/callers.js";
import { launchChromium, skipBrowserTests } from "../support/headless-chromium.js";
import { giveLogin, hire, PASSWORD } from "../support/people-with-logins.js";
import { type PlatformUnderTest, startPlatform } from "../support/platform-under-test.js";
import { testClient } from "../support/service-under-test.js";

// packages/web-client as a browser team gets it: packed with `npm pack` (its
// prepack compiles src/ and generated/es/), installed from the tarball with
// esbuild and TypeScript into a project of its own in a temporary folder
// (nothing of the workspace on its path), where a page (test/fixtures/
// web-client-page) is type-checked and bundled; then, in headless Chromium,
// served from another origin than the gateway's, the page calls the platform
// as `npm start` runs it. Access tokens live 1 s, so the page meets an
// expired one too. Run alone:
//   npm test -- test/packages/web-client-package.test.ts

const FIXTURE = path.join(repoRoot, "test/fixtures/web-client-page");
const PACKAGE = "@hr-platform/web-client";

let scratch: string;
let consumer: string;
let pageServer: Server;
let pageOrigin: string;
let platform: PlatformUnderTest | undefined;
const channels: Channel[] = [];
const checks: Record<"page" | "wrongCall", { code: number; output: string }> = {
  page: { code: -1, output: "" },
  wrongCall: { code: -1, output: "" },
};

/** A command's exit code and output; asynchronous, so the platform starts meanwhile. */
function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

async function succeed(command: string, args: string[], cwd: string): Promise<string> {
  const { code, output } = await run(command, args, cwd);
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${code}):\n${output}`);
  return output;
}

/** The version the workspace installed of `name`: the consumer gets the same from npm's cache. */
function workspaceVersion(name: string): string {
  const manifest = path.join(repoRoot, "node_modules", name, "package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/** Packs the package, installs its tarball in the consumer project, type-checks and bundles the page. */
async function buildPage(): Promise<void> {
  await succeed(
    "npm",
    ["pack", "--workspace", "packages/web-client", "--pack-destination", scratch, "--silent"],
    repoRoot,
  );
  const tarball = readdirSync(scratch).find((file) => file.endsWith(".tgz"));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball in ${scratch}`);
  cpSync(FIXTURE, consumer, { recursive: true });
  const manifest = { name: "hr-page", private: true, type: "module", allowScripts: { esbuild: true } };
  await writeFile(path.join(consumer, "package.json"), JSON.stringify(manifest));
  await succeed(
    "npm",
    [
      ...["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(scratch, tarball)],
      ...[`esbuild@${workspaceVersion("esbuild")}`, `typescript@${workspaceVersion("typescript")}`],
    ],
    consumer,
  );
  const bin = (name: string) => path.join(consumer, "node_modules", ".bin", name);
  const [page, wrongCall] = await Promise.all([
    run(bin("tsc"), ["-p", "tsconfig.json"], consumer),
    run(bin("tsc"), ["-p", "tsconfig.wrong-call.json"], consumer),
  ]);
  Object.assign(checks, { page, wrongCall });
  const bundle = ["main.ts", "--bundle", "--format=esm", "--platform=browser", "--outfile=public/main.js"];
  await succeed(bin("esbuild"), bundle, consumer);
  cpSync(path.join(consumer, "index.html"), path.join(consumer, "public", "index.html"));
}

/** The page's own origin: a static server of the bundle, on localhost while the gateway is on 127.0.0.1. */
async function servePage(): Promise<void> {
  pageServer = createServer((request, response) => {
    const file = { "/": "index.html", "/main.js": "main.js" }[request.url?.split(/[?#]/)[0] ?? ""];
    if (file === undefined) return void response.writeHead(404).end();
    const type = file.endsWith(".js") ? "text/javascript" : "text/html; charset=utf-8";
    response.writeHead(200, { "content-type": type });
    response.end(readFileSync(path.join(consumer, "public", file)));
  });
  await new Promise<void>((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
  pageOrigin = `http://localhost:${(pageServer.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), "web-client-package-"));
  consumer = path.join(scratch, "consumer");
  mkdirSync(consumer);
  await servePage();
  const settled = await Promise.allSettled([
    buildPage(),
    startPlatform({ GATEWAY_CORS_ORIGINS: pageOrigin, SESSION_ACCESS_TOKEN_SECONDS: "1" }).then((started) => {
      platform = started;
    }),
  ]);
  for (const outcome of settled) if (outcome.status === "rejected") throw outcome.reason;
}, 300_000);

afterAll(async () => {
  for (const channel of channels) channel.close();
  await platform?.cleanUp();
  await new Promise((resolve) => pageServer?.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

describe("the web client package, installed from its tarball", () => {
  it("is a copy of its own in the consumer project, not a link into the workspace", () => {
    const installed = path.join(consumer, "node_modules", PACKAGE);
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(realpathSync(installed).startsWith(repoRoot)).toBe(false);
    const manifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8")) as { version: string };
    expect(manifest.version).toBe("1.0.0");
    expect(readFileSync(path.join(installed, "CHANGELOG.md"), "utf8")).toContain(`## ${manifest.version}`);
  });

  it("types the page's calls: the page type-checks strictly, and a field the request lacks does not", () => {
    expect(checks.page).toEqual({ code: 0, output: "" });
    expect(checks.wrongCall.code).not.toBe(0);
    expect(checks.wrongCall.output).toMatch(/wrong-call\.ts.*error TS\d+: .*'pageSze'/);
  });
});

/** An HR administrator's set-up through the data services: a person with a login and two leave accounts. */
async function personWithLeave(tenantId: string) {
  if (platform === undefined) throw new Error("the platform did not start");
  const ports = platform.ports;
  const client = <D extends Parameters<typeof testClient>[0]>(definition: D, port: number) => {
    const channel = openChannel(`127.0.0.1:${port}`);
    channels.push(channel);
    return testClient(definition, channel);
  };
  const admin = await as(tenantId);
  const people = {
    departments: client(DepartmentServiceDefinition, ports.people),
    employees: client(EmployeeServiceDefinition, ports.people),
  };
  const employeeId = await hire(people, admin, "Ada");
  const leave = client(LeaveAccountServiceDefinition, ports.timeoff);
  const opened = [];
  for (const [leaveType, entitlementHalfDays] of [
    [LeaveType.LEAVE_TYPE_ANNUAL, 50],
    [LeaveType.LEAVE_TYPE_SICK, 20],
  ] as const) {
    const request = { requestId: randomUUID(), employeeId, leaveType, year: 2099, entitlementHalfDays };
    const { leaveAccount } = await leave.openLeaveAccount(request, admin);
    opened.push(leaveAccount!);
  }
  const loginName = await giveLogin(client(AccountServiceDefinition, ports.identity), admin, employeeId);
  return { loginName, accounts: opened };
}

/** Clicks `selector` and waits until the page says how its work ended ("done" or "failed"). */
async function click(tab: Page, selector: string): Promise<string> {
  await tab.locator(selector).click();
  const status = tab.locator("#status").filter({ hasText: /^(done|failed)$/ });
  await status.waitFor();
  return (await status.textContent()) ?? "";
}

const text = async (tab: Page, selector: string) => (await tab.locator(selector).textContent()) ?? "";

describe.skipIf(skipBrowserTests())("a page bundled with it, in headless Chromium", () => {
  let tab: Page;
  let close: () => Promise<void>;
  let person: Awaited<ReturnType<typeof personWithLeave>>;

  beforeAll(async () => {
    const tenantId = newTenant();
    person = await personWithLeave(tenantId);
    const browser = await launchChromium();
    close = browser.close;
    tab = await browser.context.newPage();
    if (platform === undefined) throw new Error("the platform did not start");
    const settings = new URLSearchParams({ gateway: `http://127.0.0.1:${platform.gatewayPort}`, tenant: tenantId });
    await tab.goto(`${pageOrigin}/#${settings}`);
    await tab.locator("body[data-ready=true]").waitFor({ timeout: 15_000 });
  }, 60_000);

  afterAll(async () => {
    await close?.();
  });

  it("signs in with name and password, lists the person's leave accounts and shows a bad request's field", async () => {
    await tab.locator("#login-name").fill(person.loginName);
    await tab.locator("#password").fill(PASSWORD);
    expect(await click(tab, "#sign-in button")).toBe("done");
    expect(await text(tab, "#name")).toBe("Ada Lovelace");
    expect(await tab.locator("#leave-accounts li").allTextContents()).toEqual(
      person.accounts.map(
        (account) =>
          `${account.leaveType === LeaveType.LEAVE_TYPE_ANNUAL ? "ANNUAL" : "SICK"} 2099: ` +
          `${account.balance?.availableHalfDays} half-days available`,
      ),
    );
    // The client's own request id (32 hex digits), which the gateway kept and answered.
    expect(await text(tab, "#request-id")).toMatch(/^[0-9a-f]{32}$/);

    expect(await click(tab, "#bad-year")).toBe("failed");
    expect(await text(tab, "#error-code")).toBe("InvalidArgument");
    expect(await text(tab, "#error-reason")).toBe("INVALID_ARGUMENT");
    expect(await text(tab, "#error-fields")).toBe("year: must be 2000 to 2100, or 0 for any year");
  });

  it("refreshes an expired sign-in once for three calls refused together, then signs out", async () => {
    // The gateway refuses an access token once it expired and the verifiers' clock tolerance has passed.
    const expiresAt = Number(await tab.locator("body").getAttribute("data-access-token-expires-at"));
    expect(expiresAt).toBeGreaterThan(0);
    const refusedFrom = expiresAt + (CLOCK_TOLERANCE_SECONDS + 1) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, refusedFrom - Date.now())));
    expect(await text(tab, "#token-pairs")).toBe("1");

    expect(await click(tab, "#everything")).toBe("done");
    // The sign-in's pair, then exactly one more: a second Refresh would have presented a used token and revoked it.
    expect(await text(tab, "#token-pairs")).toBe("2");
    expect(await tab.locator("#leave-accounts li").count()).toBe(2);

    expect(await click(tab, "#sign-out")).toBe("failed");
    expect(await text(tab, "#name")).toBe("nobody");
    expect(await text(tab, "#error-code")).toBe("Unauthenticated");
    expect(await text(tab, "#token-pairs")).toBe("2");
  }, 90_000);
});
