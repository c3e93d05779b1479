import path from "node:path";
import { repoRoot } from "../../../runtime/repo-root.js";
import type { OpenApiDocument } from "./openapi-document.js";

/**
 * The OpenAPI document of every contract `npm start` routes, written by
 * `npm run generate` (write-committed-document.ts) and committed, so that a
 * contract change shows its effect on the API reference as a diff in review.
 * Found from the repository root: the same file whether the gateway runs
 * from source or from dist/.
 */
export const COMMITTED_DOCUMENT = path.join(repoRoot, "generated", "openapi.json");

/** How the document is written: pretty-printed, keys in the builder's order, one final newline. */
export function serialize(document: OpenApiDocument): Buffer {
  return Buffer.from(`${JSON.stringify(document, null, 2)}\n`);
}

const SCHEMAS = "#/components/schemas/";

/**
 * The document a gateway serves, given the paths its upstreams route. When
 * they route every documented path (as `npm start` does), the committed
 * bytes themselves, unchanged: what a reviewer read is what is served. When
 * they route fewer (a gateway configured for some packages only), a
 * document with only those paths: a reference must not offer calls that
 * would answer 404. Its tags and message schemas are cut to what those paths
 * still use; `info.version` stays the committed one (the hash of the
 * contracts it was generated from: this document is a part of that one).
 * `undocumented` are routed paths the file lacks: a stale file, in a
 * checkout where `npm run generate` has not run since a contract changed.
 */
export function servedDocument(
  committed: Buffer,
  routedPaths: ReadonlySet<string>,
): { body: Buffer; omitted: string[]; undocumented: string[] } {
  const document = JSON.parse(committed.toString("utf8")) as OpenApiDocument;
  const documented = Object.keys(document.paths);
  const omitted = documented.filter((p) => !routedPaths.has(p));
  const undocumented = [...routedPaths].filter((p) => !(p in document.paths)).sort();
  if (omitted.length === 0) return { body: committed, omitted, undocumented };
  return { body: serialize(onlyPaths(document, routedPaths)), omitted, undocumented };
}

type Operation = { tags?: string[] };
type Components = { schemas?: Record<string, unknown>; [kind: string]: unknown };

function onlyPaths(document: OpenApiDocument, keep: ReadonlySet<string>): OpenApiDocument {
  const paths = Object.fromEntries(Object.entries(document.paths).filter(([p]) => keep.has(p)));
  const usedTags = new Set(
    Object.values(paths).flatMap((item) =>
      Object.values(item as Record<string, Operation>).flatMap((op) => op.tags ?? []),
    ),
  );
  const tags = (document.tags as { name: string }[] | undefined)?.filter((tag) => usedTags.has(tag.name));
  const components = (document.components ?? {}) as Components;
  const schemas = components.schemas ?? {};
  // Schemas reached from the kept paths and the other components, then from the schemas they reach.
  const reached = new Set<string>();
  const pending = refsIn([paths, { ...components, schemas: {} }]);
  for (let ref = pending.pop(); ref !== undefined; ref = pending.pop()) {
    if (!ref.startsWith(SCHEMAS)) continue;
    const name = ref.slice(SCHEMAS.length).replaceAll("~1", "/").replaceAll("~0", "~");
    if (reached.has(name)) continue;
    reached.add(name);
    pending.push(...refsIn(schemas[name]));
  }
  return {
    ...document,
    ...(tags === undefined ? {} : { tags }),
    paths,
    components: {
      ...components,
      schemas: Object.fromEntries(Object.entries(schemas).filter(([name]) => reached.has(name))),
    },
  };
}

/** Every `$ref` anywhere under a value. */
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
