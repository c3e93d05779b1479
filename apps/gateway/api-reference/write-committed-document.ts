import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { authorizationRules } from "../../../runtime/auth/authorization-rules.js";
import { GATEWAY_CONTRACTS } from "../../../runtime/platform.js";
import { repoRoot } from "../../../runtime/repo-root.js";
import { exposedMethods } from "../exposed-methods.js";
import { COMMITTED_DOCUMENT, serialize } from "./committed-document.js";
import { openApiDocument } from "./openapi-document.js";

// `npm run generate` (runtime/codegen/generate.sh, after buf build): writes
// generated/openapi.json, the OpenAPI document of the contracts `npm start`
// routes (GATEWAY_CONTRACTS), from the descriptor set just built. The same
// builder as ever; committing its output makes its diff part of the review.

const descriptorSet = readFileSync(path.join(repoRoot, "generated", "descriptor.binpb"));
const { methods, streams } = exposedMethods(descriptorSet);
const listed = new Set<string>(GATEWAY_CONTRACTS.map((contract) => contract.protoPackage));
const exposable = new Set([...methods, ...streams].map((m) => m.method.parent.file.proto.package));

// The list and the contracts must agree: a new application package left out
// of GATEWAY_CONTRACTS would be neither routed by `npm start` nor documented,
// silently; a listed one without a contract is a typo.
const unlisted = [...exposable].filter((p) => !listed.has(p));
const missing = [...listed].filter((p) => !exposable.has(p));
if (unlisted.length > 0 || missing.length > 0) {
  process.stderr.write(
    `openapi: GATEWAY_CONTRACTS (runtime/platform.ts) and the application contracts differ: ${[
      ...unlisted.map((p) => `${p} is not listed`),
      ...missing.map((p) => `${p} has no contract`),
    ].join("; ")}\n`,
  );
  process.exit(1);
}

const document = openApiDocument(
  methods.filter((exposed) => listed.has(exposed.method.parent.file.proto.package)),
  authorizationRules(descriptorSet).methods,
);
writeFileSync(COMMITTED_DOCUMENT, serialize(document));
