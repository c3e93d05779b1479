import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { describe, expect, it } from "vitest";
import { as, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type AnyContext, aggregateOf, arrange, everything, settled } from "./adapter.js";

/**
 * Optimistic concurrency: commands carry the aggregate's etag; a stale one is
 * ABORTED ETAG_MISMATCH and never overwrites a newer change.
 */
export function concurrencyConvention(noun: string, subject: () => AnyContext) {
  describe("optimistic concurrency (etag)", () => {
    it(`refuses a stale etag on every command, and an empty one where it is required, and changes nothing`, async () => {
      const context = subject();
      const acme = await as(newTenant());
      const target = await arrange(context, acme);
      const current = aggregateOf(
        context,
        await context.change.run(target, acme, { requestId: randomUUID(), etag: target.etag }),
      );
      expect(current.etag).not.toBe(target.etag);
      const before = await everything(context, acme);
      for (const command of [context.change, ...context.commands]) {
        const etags = command.etag === "required" ? [target.etag, "", '"999"'] : [target.etag, '"999"'];
        for (const etag of etags) {
          const error = await expectError(
            command.run(current, acme, { requestId: randomUUID(), etag }),
            Status.ABORTED,
          );
          expect(error.reason, `${command.method} with etag ${etag || "(empty)"}`).toBe("ETAG_MISMATCH");
        }
      }
      expect(await everything(context, acme)).toEqual(before);
    });

    it(`lets exactly one of three concurrent commands with the same etag change the ${noun}`, async () => {
      const context = subject();
      const acme = await as(newTenant());
      const target = await arrange(context, acme);
      const outcomes = await Promise.allSettled(
        [0, 1, 2].map((variant) =>
          context.change.run(target, acme, { requestId: randomUUID(), etag: target.etag }, variant),
        ),
      );
      const { won, lost } = settled(outcomes);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(2);
      for (const error of lost) {
        expect((await expectError(Promise.reject(error), Status.ABORTED)).reason).toBe("ETAG_MISMATCH");
      }
      const current = await context.get(target.id, acme);
      expect(current).toEqual(aggregateOf(context, won[0]!));
      expect(current.etag).not.toBe(target.etag);
    });
  });
}
