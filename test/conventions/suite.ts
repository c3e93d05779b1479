import { afterAll, beforeAll, describe } from "vitest";
import type { Aggregate, AnyContext, ContextAdapter } from "./adapter.js";
import { concurrencyConvention } from "./concurrency.js";
import { idempotencyConvention } from "./idempotency.js";
import { pagingConvention } from "./paging.js";
import { tenancyConvention } from "./tenancy.js";

/**
 * The conventions every context follows (docs/conventions.md, "Conventions every context
 * follows"), checked through the context's adapter against its real server.
 */
export function describeConventions<T extends Aggregate, C extends { requestId: string }, F>(
  adapter: ContextAdapter<T, C, F>,
) {
  describe(`${adapter.context}: conventions`, () => {
    let context: AnyContext | undefined;
    beforeAll(async () => {
      context = (await adapter.start()) as unknown as AnyContext;
    });
    afterAll(() => context?.stop());
    const subject = () => {
      if (context === undefined) throw new Error(`the ${adapter.context} server did not start`);
      return context;
    };
    tenancyConvention(adapter.noun, subject);
    idempotencyConvention(adapter.noun, subject);
    concurrencyConvention(adapter.noun, subject);
    pagingConvention(adapter.noun, subject);
  });
}
