// `npm pack` of packages/contracts (its prepack script): copies the
// contracts into the package folder, the .proto files from proto/ and the
// descriptor set `npm run generate` committed. Copies, not links: a tarball
// holds files. Plain JavaScript, so packing needs nothing but Node.
import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = path.join(root, "packages/contracts");
rmSync(path.join(pkg, "proto"), { recursive: true, force: true });
cpSync(path.join(root, "proto"), path.join(pkg, "proto"), { recursive: true });
cpSync(path.join(root, "generated/descriptor.binpb"), path.join(pkg, "descriptor.binpb"));
