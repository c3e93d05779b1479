import { spawnSync } from "node:child_process";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../../runtime/repo-root.js";

/** kubectl on the PATH, or the one KUBECTL names; it carries kustomize (`kubectl kustomize`). */
export const KUBECTL = process.env.KUBECTL ?? "kubectl";

/** A Kubernetes object as kustomize renders it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: each kind has its own shape; tests read the fields they check.
  [field: string]: any;
}

/**
 * Why the manifests cannot be rendered here, or undefined when they can. A
 * developer's machine without kubectl skips those tests with this message;
 * in CI (CI=true) they run anyway and fail with it.
 */
export function kubectlMissing(): string | undefined {
  const found = spawnSync(KUBECTL, ["version", "--client"], { encoding: "utf8" });
  if (found.status === 0) return undefined;
  return `no kubectl (${KUBECTL}): install kubectl 1.32 or later (or set KUBECTL)`;
}

/** Manifest tests are skipped only outside CI, and only when kubectl is missing. */
export function skipKubectlTests(): boolean {
  const missing = kubectlMissing();
  if (missing === undefined || process.env.CI === "true") return false;
  console.warn(`skipping Kubernetes manifest tests: ${missing}`);
  return true;
}

/** Every object of a kustomization (a folder relative to the repository root), as `kubectl kustomize` renders it. */
export function renderKustomization(folder: string): KubeObject[] {
  const missing = kubectlMissing();
  if (missing !== undefined) throw new Error(missing);
  const rendered = spawnSync(KUBECTL, ["kustomize", path.join(repoRoot, folder)], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (rendered.status !== 0) throw new Error(`kubectl kustomize ${folder} failed:\n${rendered.stderr}`);
  return parseAllDocuments(rendered.stdout)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}
