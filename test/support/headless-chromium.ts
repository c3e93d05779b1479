import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/**
 * The system's Chromium (Debian's `chromium` package), driven by
 * playwright-core, which downloads no browser of its own. CHROMIUM_PATH
 * points at another build (a developer's Chrome, say).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Why browser tests cannot run here, or undefined when they can. On a
 * developer's machine without Chromium they are skipped with this message;
 * in CI (CI=true) they run anyway and fail with it: .ci/run installs Chromium.
 */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  return `no Chromium at ${CHROMIUM_PATH}: install Debian's chromium package (or set CHROMIUM_PATH)`;
}

/** Browser tests are skipped only outside CI, and only when Chromium is missing. */
export function skipBrowserTests(): boolean {
  const missing = chromiumMissing();
  if (missing === undefined || process.env.CI === "true") return false;
  console.warn(`skipping browser tests: ${missing}`);
  return true;
}

// Without the background-networking flags Chromium keeps calling home, which
// on a closed network floods it with refused connections.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A headless browser on a fresh, throw-away profile; `close` removes the profile too. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const missing = chromiumMissing();
  if (missing !== undefined) throw new Error(`${missing}; in CI, .ci/run installs it`);
  const profile = await mkdtemp(path.join(tmpdir(), "chromium-profile-"));
  // launchPersistentContext is how Playwright takes a --user-data-dir of our own.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The method paths the API reference page lists once Swagger UI has rendered the document. */
export async function pathsListedOn(page: Page): Promise<string[]> {
  const listed = page.locator(".opblock-summary-path");
  // The viewer renders every operation at once, when the document has loaded.
  await listed.first().waitFor({ timeout: 15_000 });
  const paths = await Promise.all((await listed.all()).map((entry) => entry.getAttribute("data-path")));
  return paths.filter((path): path is string => path !== null).sort();
}
