import { Status } from "nice-grpc";
import { describe, expect, it } from "vitest";
import { as, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type AnyContext, aggregateOf, everything } from "./adapter.js";

/** `token` with its last key replaced, the signature kept: a forgery. */
function withKey(token: string, key: string): string {
  const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { k: string; s: string };
  return Buffer.from(JSON.stringify({ ...parsed, k: key })).toString("base64url");
}

/**
 * Lists: page_size (default 50, max 200) and an opaque page_token bound to
 * the tenant and the filters; stable creation order.
 */
export function pagingConvention(noun: string, subject: () => AnyContext) {
  describe("paging", () => {
    it(`pages through 9 ${noun}s four at a time, each once, in creation order`, async () => {
      const context = subject();
      const acme = await as(newTenant());
      const created: string[] = [];
      for (let i = 0; i < 9; i++)
        created.push(aggregateOf(context, await context.create(context.createRequest(), acme)).id);
      for (const filter of [undefined, context.filter]) {
        const seen: string[] = [];
        const sizes: number[] = [];
        let pageToken = "";
        do {
          const page = await context.list(acme, { pageSize: 4, pageToken }, filter);
          seen.push(...page.items.map((item) => item.id));
          sizes.push(page.items.length);
          pageToken = page.nextPageToken;
        } while (pageToken !== "" && sizes.length < 10);
        expect(seen).toEqual(created);
        expect(sizes).toEqual([4, 4, 1]);
      }
    });

    it("refuses a page token used with other filters, by another tenant, or tampered with; it works with its own", async () => {
      const context = subject();
      const acme = await as(newTenant());
      const created: string[] = [];
      for (let i = 0; i < 3; i++)
        created.push(aggregateOf(context, await context.create(context.createRequest(), acme)).id);
      const first = await context.list(acme, { pageSize: 1, pageToken: "" }, context.filter);
      expect(first.items.map((item) => item.id)).toEqual(created.slice(0, 1));
      const pageToken = first.nextPageToken;
      expect(pageToken).not.toBe("");
      const stranger = await as(newTenant());
      await context.create(context.createRequest(), stranger);
      const attempts = [
        () => context.list(acme, { pageSize: 1, pageToken }),
        ...context.otherFilters.map((filter) => () => context.list(acme, { pageSize: 1, pageToken }, filter)),
        () => context.list(stranger, { pageSize: 1, pageToken }, context.filter),
        () => context.list(acme, { pageSize: 1, pageToken: `${pageToken}x` }, context.filter),
        () => context.list(acme, { pageSize: 1, pageToken: "e30" }, context.filter),
        // Its own signature over another key: the key is what reaches SQL.
        () => context.list(acme, { pageSize: 1, pageToken: withKey(pageToken, "'; --") }, context.filter),
        () => context.list(acme, { pageSize: 1, pageToken: withKey(pageToken, created[1] ?? "") }, context.filter),
      ];
      for (const [i, attempt] of attempts.entries()) {
        const error = await expectError(attempt(), Status.INVALID_ARGUMENT);
        expect(error.fields, `attempt ${i}`).toEqual(["page_token"]);
      }
      const next = await context.list(acme, { pageSize: 5, pageToken }, context.filter);
      expect(next.items.map((item) => item.id)).toEqual(created.slice(1));
      expect(next.nextPageToken).toBe("");
    });

    it("refuses a negative page size, and answers a page size above the maximum", async () => {
      const context = subject();
      const acme = await as(newTenant());
      const error = await expectError(context.list(acme, { pageSize: -1, pageToken: "" }), Status.INVALID_ARGUMENT);
      expect(error.fields).toEqual(["page_size"]);
      const created = aggregateOf(context, await context.create(context.createRequest(), acme));
      const page = await context.list(acme, { pageSize: 100_000, pageToken: "" });
      expect(page).toEqual({ items: [created], nextPageToken: "" });
      expect(await everything(context, acme)).toEqual([created]);
    });
  });
}
