import { spawnSync } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../repo-root.js";

// buf as installed with this project (@bufbuild/buf), run in the tree under
// review; that tree need not have node_modules of its own.
const BUF = path.join(repoRoot, "node_modules", ".bin", "buf");

/** buf's exit code when it ran fine and found something (lint or breaking findings). */
const FOUND_SOMETHING = 100;

/** buf's findings, one per line, exactly as buf prints them; empty when none. */
export type BufFindings = string[];

function runBuf(cwd: string, args: readonly string[]): { status: number; output: string } {
  const run = spawnSync(BUF, args, { cwd, encoding: "utf8", maxBuffer: 1 << 28 });
  if (run.error) throw run.error;
  return { status: run.status ?? 1, output: `${run.stdout}${run.stderr}` };
}

function findings(cwd: string, args: readonly string[]): BufFindings {
  const { status, output } = runBuf(cwd, args);
  if (status !== 0 && status !== FOUND_SOMETHING) throw new Error(`buf ${args.join(" ")} failed in ${cwd}:\n${output}`);
  return output.split("\n").filter((line) => line.trim() !== "");
}

export function bufLint(tree: string): BufFindings {
  return findings(tree, ["lint", "--error-format", "text"]);
}

/** buf breaking of `tree` against `baseTree` (another checkout of the same repository). */
export function bufBreaking(tree: string, baseTree: string): BufFindings {
  return findings(tree, ["breaking", "--error-format", "text", "--against", baseTree]);
}

/** Builds `tree`'s contracts into a descriptor set with source info (comments) at `out`. */
export function bufBuild(tree: string, out: string): void {
  const { status, output } = runBuf(tree, ["build", "-o", out]);
  if (status !== 0) throw new Error(`buf build failed in ${tree}:\n${output}`);
}
