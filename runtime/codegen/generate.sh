#!/usr/bin/env bash
# Regenerates everything under generated/ from its sources: ts-proto code, a
# descriptor set and the gateway's OpenAPI document from proto/, one Prisma
# client per data service from its schema. Deterministic: CI runs it and fails
# when the committed tree changes.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH"
# No network here: no update check, and a Prisma that needs a download fails.
export CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1

# Each context's ErrorReason enum (error_reason.proto, the enum alone) is
# generated as a string enum whose values are the names ErrorInfo.reason
# carries, so throw sites pass them as they are; every other enum stays
# numeric, as messages encode it.
reasons=(proto/hr/*/v*/error_reason.proto)
buf generate "${reasons[@]/#/--exclude-path=}"
buf generate "${reasons[@]/#/--path=}" --template '{
  "version": "v2",
  "plugins": [{
    "local": "./node_modules/.bin/protoc-gen-ts_proto",
    "out": "generated/proto",
    "opt": ["stringEnums=true", "unrecognizedEnum=false", "esModuleInterop=true", "importSuffix=.js", "env=node"]
  }]
}'
# The web client's code (packages/web-client): protoc-gen-es schemas of what a
# browser calls through the gateway, the application contracts (read from
# runtime/application-contracts.ts, the list the gateway exposes) and the
# gateway's own error reasons, with the files they import, and nothing of the
# data services a browser never reaches.
es_template() {
  echo '{"version": "v2", "clean": '"$1"', "plugins": [{"local": "./node_modules/.bin/protoc-gen-es",
    "out": "generated/es", "include_imports": true, "opt": ["target=ts", "import_extension=js"]}]}'
}
app_list=$(tsx --eval 'import("./runtime/application-contracts.ts").then((m) => console.log(m.APPLICATION_CONTRACTS.join(" ")))')
read -r -a apps <<<"$app_list"
buf generate "${apps[@]/#/--path=proto/hr/}" --path=proto/hr/gateway --template "$(es_template true)"
# The google.rpc details (ErrorInfo, BadRequest, ...) the servers attach to
# errors, so a browser decodes them typed. Their .proto comes from npm's
# google-proto-files (Google's own package of its API protos, Apache-2.0)
# rather than a vendored copy: its pinned version says which upstream file
# this is. Outside proto/, so our lint rules and breaking checks skip it.
google_protos=node_modules/google-proto-files
buf generate "$google_protos" --path="$google_protos/google/rpc/error_details.proto" \
  --template "$(es_template false)"

# Reflection needs every served file with its imports: buf build includes them.
# It keeps their source info too (no --exclude-source-info): the gateway's API
# reference reads the contracts' comments from it.
buf build -o generated/descriptor.binpb
# The gateway's OpenAPI document, from that descriptor set, committed so that
# a contract's change to the API reference is a diff in review; the gateway
# serves this file (apps/gateway/api-reference/committed-document.ts).
tsx apps/gateway/api-reference/write-committed-document.ts

for dir in services/*/prisma; do
  [[ -f "$dir/schema.prisma" ]] || continue
  # The service's prisma.config.ts selects the offline wasm engine; without it
  # Prisma would try to download its native engines.
  if [[ -f "$dir/prisma.config.ts" ]]; then
    prisma generate --config "$dir/prisma.config.ts" >/dev/null
  else
    prisma generate --schema "$dir/schema.prisma" >/dev/null
  fi
done

# Prisma writes into each client's metadata the machine's absolute paths, its
# native platform, and the generator options in a random (hash map) order; the
# runtime reads none of them. Normalize them so every run and every checkout
# generates the same bytes: repo-relative paths, "native", sorted options.
node - generated/prisma/*/internal/class.ts <<'JS'
const fs = require("node:fs");
const path = require("node:path");
for (const file of process.argv.slice(2)) {
  const source = fs.readFileSync(file, "utf8");
  const normalized = source.replace(/"generator": (\{[\s\S]*?\n {2}\})/, (_, json) => {
    const generator = JSON.parse(json);
    if (generator.output?.value) generator.output.value = path.relative(process.cwd(), generator.output.value);
    if (generator.sourceFilePath) generator.sourceFilePath = path.relative(process.cwd(), generator.sourceFilePath);
    for (const target of generator.binaryTargets ?? []) if (target.native) target.value = "native";
    generator.config = Object.fromEntries(Object.entries(generator.config ?? {}).sort(([a], [b]) => a.localeCompare(b)));
    return `"generator": ${JSON.stringify(generator, null, 2).replaceAll("\n", "\n  ")}`;
  });
  if (normalized !== source) fs.writeFileSync(file, normalized);
}
JS

# The configuration table (docs/configuration.md) and the names of every known
# variable, from the slices the modules declare (runtime/codegen/configuration.ts).
tsx runtime/codegen/configuration.ts --write
