// `npm run build` (and the first step of `npm start`): compiles the processes
// to dist/ with tsc (tsconfig.build.json, incremental: with nothing changed it
// only compares timestamps), then copies the files they read at run time that
// tsc does not emit. Plain JavaScript, because it runs before anything is
// compiled. Everything else read at run time is found from the repository root
// (runtime/repo-root.ts) or in node_modules, so dist/ holds no other copies.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

// Read next to the compiled code, relative to import.meta.url:
// runtime/server/grpc-server.ts serves reflection from generated/descriptor.binpb.
const ASSETS = ["generated/descriptor.binpb"];

const tsc = spawnSync(
  process.execPath,
  [path.join(root, "node_modules/typescript/bin/tsc"), "--build", path.join(root, "tsconfig.build.json")],
  { stdio: "inherit" },
);
if (tsc.status !== 0) {
  process.stderr.write(
    `build: tsc failed (${tsc.signal ?? `exit code ${tsc.status}`}); npm run dev runs from source\n`,
  );
  process.exit(1);
}
for (const asset of ASSETS) {
  mkdirSync(path.join(root, "dist", path.dirname(asset)), { recursive: true });
  copyFileSync(path.join(root, asset), path.join(root, "dist", asset));
}
