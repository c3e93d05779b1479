import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// The repository's root folder, found by walking up from this file to the
// first folder holding a package.json. The same code runs as TypeScript from
// the source tree (tsx, vitest) and as JavaScript from dist/ (`npm start`), so
// a path relative to import.meta.url would differ between the two; files
// read at run time that tsc does not emit (Prisma migrations and configs,
// node_modules/.bin, .data) are found from here instead. dist/ has no
// package.json of its own, so both resolve to the same root.

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`no package.json above ${start}`);
  }
}

/** Absolute path of the repository root, without a trailing separator. */
export const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
