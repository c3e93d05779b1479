import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The files that call a method: through a generated client (ts-proto names
 * the client's method after the rpc in lowerCamelCase, so a call reads
 * `.<rpcName>(`), or by its path ("/<package>.<Service>/<Method>", as HTTP
 * tests and the gateway do). A text search, so a name two services share
 * matches the calls of both; the report says when a name is shared. (No
 * real method is named in this folder's comments: they would match.)
 */

export const CALLER_GROUPS = ["apps", "packages", "services", "runtime", "test"] as const;
export type CallerGroup = (typeof CALLER_GROUPS)[number];

const SOURCE_FILE = /\.(ts|mts|cts|tsx|js|mjs|cjs)$/;
/** Installed or built copies, not sources: a package's dist/ is compiled from the files already searched. */
const NOT_SOURCES = new Set(["node_modules", "dist"]);

export interface MethodCall {
  /** The rpc name in lowerCamelCase. */
  clientName: string;
  /** "/<package>.<Service>/<Method>" */
  path: string;
}

export class CallerIndex {
  private readonly files: { group: CallerGroup; file: string; text: string }[] = [];

  /** Reads every source file under the tree's apps/, packages/, services/, runtime/ and test/ once. */
  constructor(tree: string) {
    for (const group of CALLER_GROUPS) {
      const dir = path.join(tree, group);
      if (!existsSync(dir)) continue;
      const names = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(
        (name) => SOURCE_FILE.test(name) && !name.split(path.sep).some((part) => NOT_SOURCES.has(part)),
      );
      for (const name of names.sort()) {
        const file = path.join(group, name).split(path.sep).join("/");
        this.files.push({ group, file, text: readFileSync(path.join(tree, file), "utf8") });
      }
    }
  }

  /** The files calling `method`, by group, each list sorted. */
  callersOf(method: MethodCall): Record<CallerGroup, string[]> {
    const callers: Record<CallerGroup, string[]> = { apps: [], packages: [], services: [], runtime: [], test: [] };
    const byClient = `.${method.clientName}(`;
    for (const { group, file, text } of this.files) {
      if (text.includes(byClient) || text.includes(method.path)) callers[group].push(file);
    }
    return callers;
  }
}
