import { describe, expect, it } from "vitest";
import { TenantQueue } from "../../runtime/server/tenant-queue.js";

/** Takes everything left, in the order it would be served. */
function drain(queue: TenantQueue<string>): string[] {
  const served: string[] = [];
  for (let item = queue.take(); item !== undefined; item = queue.take()) served.push(item);
  return served;
}

describe("tenant queue", () => {
  it("serves tenants in turn, each tenant's calls in arrival order", () => {
    const queue = new TenantQueue<string>(10);
    for (const item of ["a1", "a2", "a3", "b1", "c1", "b2"]) queue.offer(item.slice(0, 1), item);
    expect(drain(queue)).toEqual(["a1", "b1", "c1", "a2", "b2", "a3"]);
    expect(queue.size).toBe(0);
  });

  it("lets one tenant alone fill the whole queue, and no more", () => {
    const queue = new TenantQueue<string>(3);
    expect([1, 2, 3, 4].map((n) => queue.offer("a", `a${n}`).queued)).toEqual([true, true, true, false]);
    expect(queue.size).toBe(3);
  });

  it("gives a tenant arriving at a full queue the newest slot of the tenant holding the most", () => {
    const queue = new TenantQueue<string>(4);
    for (const n of [1, 2, 3]) queue.offer("a", `a${n}`);
    queue.offer("b", "b1");
    expect(queue.offer("c", "c1")).toEqual({ queued: true, displaced: "a3" });
    expect(drain(queue)).toEqual(["a1", "b1", "c1", "a2"]);
  });

  it("refuses a tenant that already holds its fair share while others wait", () => {
    const queue = new TenantQueue<string>(4);
    queue.offer("a", "a1");
    queue.offer("b", "b1");
    queue.offer("b", "b2");
    expect(queue.offer("b", "b3")).toEqual({ queued: false });
    expect(queue.offer("a", "a2")).toEqual({ queued: true, displaced: undefined });
  });

  it("withdraws a call that stopped waiting, and forgets a tenant left with none", () => {
    const queue = new TenantQueue<string>(4);
    queue.offer("a", "a1");
    queue.offer("b", "b1");
    expect(queue.remove("a", "a1")).toBe(true);
    expect(queue.remove("a", "a1")).toBe(false);
    // With "a" gone, "b" alone may take the whole queue again.
    expect([2, 3, 4].map((n) => queue.offer("b", `b${n}`).queued)).toEqual([true, true, true]);
    expect(drain(queue)).toEqual(["b1", "b2", "b3", "b4"]);
  });

  it("queues nothing when its capacity is 0", () => {
    expect(new TenantQueue<string>(0).offer("a", "a1")).toEqual({ queued: false });
  });
});
