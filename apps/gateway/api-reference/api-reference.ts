import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { gzip } from "node:zlib";
import { COMMITTED_DOCUMENT, servedDocument } from "./committed-document.js";

/** Where people read the API: the page, and the document it renders (for tools too). */
export const DOCS_PATH = "/docs";
export const OPENAPI_PATH = "/docs/openapi.json";

// Swagger UI renders the document: its npm package ships the viewer prebuilt
// (one script, one stylesheet, nothing to build), it renders OpenAPI 3.1, and
// it needs no inline script or style, so the page's CSP allows only this
// origin. It is served from node_modules, because the machines and many
// users' networks reach no CDN. (Redoc's standalone bundle injects inline
// styles; Scalar's reference brings dozens of packages.)
const VIEWER = path.dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

/** The page's own script, a file so that the CSP can forbid inline ones; it asks for nothing outside this origin. */
const START_VIEWER = `window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#reference",
  deepLinking: true,
  docExpansion: "list",
  filter: true,
  validatorUrl: null,
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference</title>
<link rel="icon" type="image/png" href="favicon-32x32.png">
<link rel="stylesheet" href="swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="swagger-ui-bundle.js"></script>
<script src="reference.js"></script>
</body>
</html>
`;

/** The page loads only its own files and calls only this origin (the document, and "Try it out"). */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

interface Asset {
  type: string;
  body: Buffer;
  /** The viewer's script is 1.7 MB, 0.5 MB gzipped; served as is until compressed. */
  gzipped?: Buffer;
}

/**
 * The browsable API reference: `GET /docs/` (Swagger UI over the document),
 * `GET /docs/openapi.json`, and the viewer's files. No token is needed: the
 * document says what a caller may do, it grants nothing. The document is the
 * committed generated/openapi.json, read once when the gateway starts: its
 * bytes as they are when the gateway routes every path in it, only the
 * routed paths otherwise (committed-document.ts).
 */
export function apiReferencePages(
  routedPaths: ReadonlySet<string>,
  committed: Buffer = readFileSync(COMMITTED_DOCUMENT),
) {
  const { body: document, omitted, undocumented } = servedDocument(committed, routedPaths);
  const viewerFile = (name: string) => readFileSync(path.join(VIEWER, name));
  const assets = new Map<string, Asset>([
    [`${DOCS_PATH}/`, { type: "text/html; charset=utf-8", body: Buffer.from(PAGE) }],
    [OPENAPI_PATH, { type: "application/json", body: document }],
    [`${DOCS_PATH}/reference.js`, { type: "text/javascript; charset=utf-8", body: Buffer.from(START_VIEWER) }],
    [
      `${DOCS_PATH}/swagger-ui-bundle.js`,
      { type: "text/javascript; charset=utf-8", body: viewerFile("swagger-ui-bundle.js") },
    ],
    [`${DOCS_PATH}/swagger-ui.css`, { type: "text/css; charset=utf-8", body: viewerFile("swagger-ui.css") }],
    [`${DOCS_PATH}/favicon-32x32.png`, { type: "image/png", body: viewerFile("favicon-32x32.png") }],
  ]);

  // Compressed off the event loop (about 0.1 s of CPU for the viewer's script), once, at start.
  for (const asset of assets.values()) {
    if (asset.body.length <= 1024) continue;
    gzip(asset.body, (error, zipped) => {
      if (error === null) asset.gzipped = zipped;
    });
  }

  return {
    /** Documented paths left out of the served document: their packages have no upstream here. */
    omitted,
    /** Routed paths the committed document lacks (it is stale): served, but not in the reference. */
    undocumented,
    /** Answers a request for the reference; false when the path is not one of its own. */
    serve(request: IncomingMessage, response: ServerResponse, urlPath: string): boolean {
      if (urlPath !== DOCS_PATH && !urlPath.startsWith(`${DOCS_PATH}/`)) return false;
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("GET only\n");
        return true;
      }
      // Relative to "/docs/", the page's links work behind any path prefix.
      if (urlPath === DOCS_PATH) {
        response.writeHead(301, { location: `${path.posix.basename(DOCS_PATH)}/` }).end();
        return true;
      }
      const asset = assets.get(urlPath);
      if (asset === undefined) {
        response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
        return true;
      }
      send(request, response, asset);
      return true;
    },
  };
}

function send(request: IncomingMessage, response: ServerResponse, asset: Asset): void {
  const gzipped = /\bgzip\b/.test(request.headers["accept-encoding"] ?? "") ? asset.gzipped : undefined;
  const body = gzipped ?? asset.body;
  response.writeHead(200, {
    "content-type": asset.type,
    "content-length": body.length,
    vary: "accept-encoding",
    ...(gzipped !== undefined ? { "content-encoding": "gzip" } : {}),
    "cache-control": "no-cache",
    "content-security-policy": asset.type.startsWith("text/html")
      ? PAGE_POLICY
      : "default-src 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  });
  response.end(request.method === "HEAD" ? undefined : body);
}
