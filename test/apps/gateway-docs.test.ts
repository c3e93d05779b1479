import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMITTED_DOCUMENT } from "../../apps/gateway/api-reference/committed-document.js";
import { exposedMethods } from "../../apps/gateway/exposed-methods.js";
import { GATEWAY_CONTRACTS } from "../../runtime/platform.js";
import { type GatewayUnderTest, startGatewayUnderTest } from "../support/gateway-under-test.js";
import { launchChromium, pathsListedOn, skipBrowserTests } from "../support/headless-chromium.js";

// The API reference the gateway serves at /docs, read as a person reads it
// (rendered in headless Chromium) and as a tool reads it (the OpenAPI
// document over HTTP). What it must list is computed from the descriptor
// set, like the routes: every exposed method, public ones without security.
// The document served is the committed generated/openapi.json, whole when
// every package is routed, cut to the routed paths otherwise.
// Run alone: npm test -- test/apps/gateway-docs.test.ts

const { methods } = exposedMethods();
const expectedPaths = methods.map((exposed) => exposed.path).sort();

/** Every package `npm start` routes, to an address where nothing listens: the reference answers no call. */
const EVERY_PACKAGE = Object.fromEntries(GATEWAY_CONTRACTS.map(({ protoPackage }) => [protoPackage, "127.0.0.1:1"]));

let gateway: GatewayUnderTest;
beforeAll(async () => {
  gateway = await startGatewayUnderTest(EVERY_PACKAGE);
});
afterAll(async () => {
  await gateway?.stop();
});

type Document = {
  openapi: string;
  paths: Record<string, { post?: { security?: unknown[]; description?: string } }>;
  components: Record<string, Record<string, unknown>>;
};

async function openApiDocument(baseUrl = gateway.baseUrl): Promise<Document> {
  const response = await fetch(`${baseUrl}/docs/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("application/json");
  return (await response.json()) as Document;
}

/** Every `$ref` anywhere in the document. */
function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "$ref" && typeof inner === "string") found.push(inner);
      else refsIn(inner, found);
    }
  }
  return found;
}

/** Follows a local JSON pointer ("#/components/schemas/x") through the document. */
function resolve(document: Document, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let at: unknown = document;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    at = at !== null && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined;
  }
  return at;
}

describe("the OpenAPI document", () => {
  it("describes exactly the exposed methods, each a POST, with a description from the contract's comments", async () => {
    expect(expectedPaths.length).toBeGreaterThan(0);
    const document = await openApiDocument();
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(document.paths).sort()).toEqual(expectedPaths);
    for (const path of expectedPaths) expect(document.paths[path]?.post?.description, path).toBeTruthy();
  });

  it("is a valid OpenAPI 3.1 document (checked against the specification's own schema)", async () => {
    const validator = new Validator();
    const result = await validator.validate(await openApiDocument());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toMatch(/^3\.1/);
  });

  it("resolves every $ref inside the document", async () => {
    const document = await openApiDocument();
    const refs = [...new Set(refsIn(document))];
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => resolve(document, ref) === undefined)).toEqual([]);
  });

  it("asks for a bearer token on every method except those whose rule is public", async () => {
    const document = await openApiDocument();
    expect(methods.some((exposed) => exposed.public)).toBe(true);
    for (const exposed of methods) {
      const security = document.paths[exposed.path]?.post?.security;
      expect(security, exposed.path).toEqual(exposed.public ? [] : [{ bearer: [] }]);
    }
    expect(document.components.securitySchemes?.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("needs no token, and answers 404 for a file it does not serve", async () => {
    expect((await fetch(`${gateway.baseUrl}/docs/`)).status).toBe(200);
    expect((await fetch(`${gateway.baseUrl}/docs/swagger-initializer.js`)).status).toBe(404);
    expect((await fetch(`${gateway.baseUrl}/docs/index.html`)).status).toBe(404);
  });
});

describe("the committed document (generated/openapi.json)", () => {
  it("is served byte for byte when the gateway routes every package npm start routes", async () => {
    const committed = readFileSync(COMMITTED_DOCUMENT);
    const response = await fetch(`${gateway.baseUrl}/docs/openapi.json`);
    expect(response.status).toBe(200);
    const served = Buffer.from(await response.arrayBuffer());
    expect(served.length).toBe(committed.length);
    expect(served.equals(committed)).toBe(true);
  });

  it("covers every application package the descriptor set exposes, the ones npm start routes", () => {
    const committed = JSON.parse(readFileSync(COMMITTED_DOCUMENT, "utf8")) as Document;
    expect(Object.keys(committed.paths).sort()).toEqual(expectedPaths);
    const packages = new Set(methods.map((exposed) => exposed.method.parent.file.proto.package));
    expect([...packages].sort()).toEqual(GATEWAY_CONTRACTS.map(({ protoPackage }) => protoPackage).sort());
  });

  it("has only the routed paths when the gateway routes fewer packages, and stays valid", async () => {
    const committed = JSON.parse(readFileSync(COMMITTED_DOCUMENT, "utf8")) as Document & { info: unknown };
    const sessionOnly = await startGatewayUnderTest({ "hr.session.v1": "127.0.0.1:1" });
    try {
      const document = (await openApiDocument(sessionOnly.baseUrl)) as Document & {
        info: unknown;
        tags: { name: string }[];
      };
      const sessionPaths = expectedPaths.filter((path) => path.startsWith("/hr.session.v1."));
      expect(sessionPaths.length).toBeGreaterThan(0);
      expect(Object.keys(document.paths).sort()).toEqual(sessionPaths);
      expect(document.tags.map((tag) => tag.name)).toEqual(["hr.session.v1.SessionService"]);
      // Only what the kept paths use: no message of an unrouted package.
      const schemas = Object.keys(document.components.schemas ?? {});
      expect(schemas.filter((name) => /^hr\.(directory|selfservice|onboarding)\./.test(name))).toEqual([]);
      expect(document.info).toEqual(committed.info);
      const refs = [...new Set(refsIn(document))];
      expect(refs.filter((ref) => resolve(document, ref) === undefined)).toEqual([]);
      const result = await new Validator().validate(document);
      expect(result.errors ?? []).toEqual([]);
    } finally {
      await sessionOnly.stop();
    }
  });
});

describe.skipIf(skipBrowserTests())("the API reference in a browser", () => {
  it("lists every exposed method, loading nothing from outside the gateway and breaking no CSP rule", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const elsewhere: string[] = [];
      const problems: string[] = [];
      page.on("request", (request) => {
        if (!request.url().startsWith(`${gateway.baseUrl}/`) && !request.url().startsWith("data:"))
          elsewhere.push(request.url());
      });
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));

      const response = await page.goto(`${gateway.baseUrl}/docs`);
      expect(response?.status()).toBe(200);
      expect(await pathsListedOn(page)).toEqual(expectedPaths);
      // A method that needs a token shows the viewer's lock; a public one does not.
      const locked = page.locator(".opblock").filter({ has: page.locator(".authorization__btn") });
      expect(await locked.count()).toBe(methods.filter((exposed) => !exposed.public).length);
      expect(elsewhere).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
