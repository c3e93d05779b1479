import { createHash } from "node:crypto";
import { type DescFile, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import type { AuthorizationRule } from "../../../runtime/auth/authorization-rules.js";
import { commentOf } from "../../../runtime/proto-comments.js";
import type { ExposedMethod } from "../exposed-methods.js";
import { messageSchemas, schemaRef } from "./json-schemas.js";
import { connectErrorComponents, errorResponses, requestHeaders, successHeaders } from "./openapi-protocol.js";

export type OpenApiDocument = { openapi: string; paths: Record<string, unknown>; [key: string]: unknown };

/**
 * The OpenAPI 3.1 description of the methods the edge serves, as the
 * Connect protocol serves them (a JSON POST per method), built from their
 * descriptors alone by `npm run generate` (write-committed-document.ts)
 * into the committed file the gateway serves: services become tags, methods
 * operations, messages and enums schemas, and the contracts' comments their
 * descriptions. A method whose rule is public asks for no token; every other
 * one for a bearer token, with the roles its rule names.
 */
export function openApiDocument(
  methods: readonly ExposedMethod[],
  rules: ReadonlyMap<string, AuthorizationRule | undefined>,
): OpenApiDocument {
  const services = new Map(methods.map(({ method }) => [method.parent.typeName, method.parent]));
  const paths: Record<string, unknown> = {};
  for (const exposed of methods) paths[exposed.path] = { post: operation(exposed, rules.get(exposed.path)) };
  return {
    openapi: "3.1.0",
    info: {
      title: "API reference",
      version: contractsVersion(methods.map(({ method }) => method.parent.file)),
      description: OVERVIEW,
    },
    tags: [...services.values()].map((service) => ({
      name: service.typeName,
      ...optional("description", commentOf(service)),
    })),
    paths,
    components: {
      schemas: {
        ...messageSchemas(methods.flatMap(({ method }) => [method.input, method.output])),
        ...connectErrorComponents.schemas,
      },
      responses: connectErrorComponents.responses,
      parameters: connectErrorComponents.parameters,
      headers: connectErrorComponents.headers,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "An access token, as a public sign-in method answers it.",
        },
      },
    },
  };
}

const OVERVIEW = [
  "Every method is called with `POST /<package>.<Service>/<Method>` and a JSON body",
  "(`content-type: application/json`; binary protobuf with `application/proto` works too): the",
  "[Connect protocol](https://connectrpc.com/docs/protocol), so `curl`, `fetch` and Connect's",
  "generated clients all work. Fields use their lowerCamelCase JSON names; 64-bit integers are",
  "strings, enums their value names, timestamps RFC 3339 strings; an omitted field has its default.",
  "Methods with a lock need `Authorization: Bearer <access token>`; the others are public.",
  "An error answers its HTTP status with a JSON body `{code, message, details}`.",
].join("\n");

function operation(exposed: ExposedMethod, rule: AuthorizationRule | undefined) {
  const { method } = exposed;
  const comment = commentOf(method);
  const notes = [
    comment,
    `**Who may call it:** ${whoMayCall(exposed, rule)}`,
    `**Retries:** ${retries(method.idempotency)}`,
  ];
  return {
    operationId: `${method.parent.typeName}.${method.name}`,
    tags: [method.parent.typeName],
    summary: comment === undefined ? method.name : firstSentence(comment),
    description: notes.filter((note) => note !== undefined).join("\n\n"),
    ...(method.deprecated ? { deprecated: true } : {}),
    security: exposed.public ? [] : [{ bearer: [] }],
    parameters: requestHeaders,
    requestBody: { required: true, content: { "application/json": { schema: schemaRef(method.input) } } },
    responses: {
      "200": {
        description: commentOf(method.output) ?? method.output.name,
        headers: successHeaders,
        content: { "application/json": { schema: schemaRef(method.output) } },
      },
      ...errorResponses,
    },
  };
}

function whoMayCall(exposed: ExposedMethod, rule: AuthorizationRule | undefined): string {
  if (exposed.public) return "anyone, without a token.";
  if (rule === undefined) return "nobody: the method declares no authorization rule, so every call is refused.";
  const roles = (set: ReadonlySet<string>) => [...set].map((role) => `\`${role}\``).join(", ");
  const parts: string[] = [];
  if (rule.allow.size > 0) parts.push(`the roles ${roles(rule.allow)}`);
  if (rule.allowOwn.size > 0) parts.push(`${roles(rule.allowOwn)} on their own resources only`);
  const who = parts.length === 0 ? "nobody" : parts.join("; ");
  return `${who}${rule.denyOwn ? ", never on their own resources" : ""}.`;
}

function retries(level: MethodOptions_IdempotencyLevel): string {
  if (level === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS) return "safe: the method only reads.";
  if (level === MethodOptions_IdempotencyLevel.IDEMPOTENT) return "safe: repeating the call changes nothing more.";
  return "not automatically: a repeated call may act twice.";
}

/** The first sentence of a comment, on one line: the operation's one-line summary. */
function firstSentence(comment: string): string {
  const flat = comment.split("\n\n")[0]?.replaceAll("\n", " ") ?? comment;
  return /^.+?[.!?](?=\s|$)/.exec(flat)?.[0] ?? flat;
}

/** Changes whenever a contract the document describes (or one it imports) does: their descriptors, hashed. */
function contractsVersion(files: DescFile[]): string {
  const reached = new Map<string, DescFile>();
  const reach = (file: DescFile) => {
    if (reached.has(file.name)) return;
    reached.set(file.name, file);
    file.dependencies.forEach(reach);
  };
  files.forEach(reach);
  const hash = createHash("sha256");
  for (const name of [...reached.keys()].sort()) {
    const file = reached.get(name);
    if (file !== undefined) hash.update(toBinary(FileDescriptorProtoSchema, file.proto));
  }
  return `contracts ${hash.digest("hex").slice(0, 12)}`;
}

function optional(key: string, value: string | undefined) {
  return value === undefined ? {} : { [key]: value };
}
