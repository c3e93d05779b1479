import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lateAwaits } from "./unobserved-rejections.js";

// "Start calls, await later" cannot be written by accident in a test: vitest
// fails the whole run on an unhandled rejection, and a call started early
// rejects unobserved while the test awaits something else. The blessed ways:
// await each call as it starts, Promise.all / Promise.allSettled, or
// settled() from test/support/settled.ts. The scanner is tried on planted
// violations first, so it cannot pass vacuously.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const scan = (source: string) => lateAwaits("planted.test.ts", source).map((hit) => `${hit.line} ${hit.name}`);

describe("the late-await scanner", () => {
  it("flags every planted way of starting calls and awaiting them one by one", () => {
    const planted = `
      it("planted", async () => {
        const calls = [client.get(a), client.get(b)];
        for (const call of calls) await expectError(call, Status.NOT_FOUND);
        for (const call of [client.get(a), client.get(b)]) {
          expect((await expectError(call, Status.NOT_FOUND)).reason).toBe("X");
        }
        const mapped = ids.map((id) => client.get(id));
        for (const call of mapped) await call;
        const first = client.get(a);
        const second = client.get(b);
        await expectError(first, Status.NOT_FOUND);
        await expect(second).rejects.toThrow();
        const held = client.get(c);
        await other();
        await held;
        const watches = Array.from({ length: 3 }, async () => client.watch());
        for (const watch of watches) await watch;
      });`;
    expect(scan(planted)).toEqual(["4 calls", "5 call", "9 mapped", "13 second", "16 held", "18 watches"]);
  });

  it("leaves alone calls awaited as they start, or observed together", () => {
    const safe = `
      it("safe", async () => {
        for (const id of ids) await expectError(client.get(id), Status.NOT_FOUND);
        const all = await Promise.all([client.get(a), client.get(b)]);
        const outcomes = Promise.allSettled([client.get(a)]);
        await other();
        await outcomes;
        const [one, two] = await settled([client.get(a), client.get(b)]);
        await expectError(two, Status.NOT_FOUND);
        const handled = client.get(a).catch((error) => error);
        await other();
        await handled;
        const racing = client.get(a);
        const done = racing.then(() => "ok", () => "failed");
        await other();
        await expectError(racing, Status.ALREADY_EXISTS);
        const fresh = client.get(a);
        await fresh;
        const watches = Array.from({ length: 3 }, async () => client.watch());
        await Promise.all(watches);
      });`;
    expect(scan(safe)).toEqual([]);
  });
});

describe("the tests of this repository", () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
    });
  const hits = files(join(ROOT, "test")).flatMap((path) =>
    lateAwaits(path, readFileSync(path, "utf8")).map(
      (hit) => `${relative(ROOT, path)}:${hit.line} ${hit.name}: ${hit.why}`,
    ),
  );

  it("start no calls they await one by one later", () => {
    expect(hits).toEqual([]);
  });
});
