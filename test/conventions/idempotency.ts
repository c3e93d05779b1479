import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { describe, expect, it } from "vitest";
import { as, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type AnyContext, aggregateOf, arrange, everything } from "./adapter.js";

/**
 * Request-id idempotency: a repeat returns the first answer and writes
 * nothing; the same id with another payload is INVALID_ARGUMENT
 * REQUEST_ID_REUSED; a missing or oversized id is refused.
 */
export function idempotencyConvention(noun: string, subject: () => AnyContext) {
  describe("request-id idempotency", () => {
    it(`answers a repeated create with the first answer and writes one ${noun}`, async () => {
      const context = subject();
      const acme = await as(newTenant());
      const request = context.createRequest();
      const first = await context.create(request, acme);
      expect(await context.create(request, acme)).toEqual(first);
      expect(await everything(context, acme)).toEqual([aggregateOf(context, first)]);
    });

    it(`answers concurrent repeats of a create with one answer and writes one ${noun}`, async () => {
      const context = subject();
      const acme = await as(newTenant());
      const request = context.createRequest();
      const answers = await Promise.all(Array.from({ length: 5 }, () => context.create(request, acme)));
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      expect(await everything(context, acme)).toEqual([aggregateOf(context, answers[0]!)]);
    });

    it("refuses the request id of a create with another payload, and changes nothing", async () => {
      const context = subject();
      const acme = await as(newTenant());
      const request = context.createRequest();
      const first = await context.create(request, acme);
      const others = context.otherPayloads(request);
      expect(others.length).toBeGreaterThan(0);
      for (const other of others) {
        const error = await expectError(context.create(other, acme), Status.INVALID_ARGUMENT);
        expect(error.reason).toBe("REQUEST_ID_REUSED");
        expect(error.fields).toEqual(["request_id"]);
      }
      expect(await everything(context, acme)).toEqual([aggregateOf(context, first)]);
    });

    it("refuses an empty or oversized request id, on create and on commands, and writes nothing", async () => {
      const context = subject();
      const acme = await as(newTenant());
      const target = await arrange(context, acme);
      const before = await everything(context, acme);
      for (const requestId of ["", " ", "x".repeat(101), "x".repeat(10_000)]) {
        const creating = await expectError(
          context.create({ ...context.createRequest(), requestId }, acme),
          Status.INVALID_ARGUMENT,
        );
        expect(creating.fields, `create, ${requestId.length} characters`).toEqual(["request_id"]);
        for (const command of [context.change, ...context.commands]) {
          const error = await expectError(
            command.run(target, acme, { requestId, etag: target.etag }),
            Status.INVALID_ARGUMENT,
          );
          expect(error.fields, command.method).toEqual(["request_id"]);
        }
      }
      expect(await everything(context, acme)).toEqual(before);
    });

    it(`replays a command after a later change with its original answer, and changes nothing`, async () => {
      const context = subject();
      const acme = await as(newTenant());
      const target = await arrange(context, acme);
      const key = { requestId: randomUUID(), etag: target.etag };
      const first = await context.change.run(target, acme, key);
      const changed = aggregateOf(context, first);
      const later = aggregateOf(
        context,
        await context.change.run(changed, acme, { requestId: randomUUID(), etag: changed.etag }, 1),
      );
      expect(later).not.toEqual(changed);
      expect(await context.change.run(target, acme, key)).toEqual(first);
      expect(await context.get(target.id, acme)).toEqual(later);
    });

    it("refuses a command's request id with another payload or on another method, and changes nothing", async () => {
      const context = subject();
      const acme = await as(newTenant());
      const target = await arrange(context, acme);
      const key = { requestId: randomUUID(), etag: target.etag };
      const changed = aggregateOf(context, await context.change.run(target, acme, key));
      const before = await everything(context, acme);
      const reuses = [
        () => context.change.run(target, acme, key, 1),
        () => context.change.run(changed, acme, { ...key, etag: changed.etag }),
        () => context.create({ ...context.createRequest(), requestId: key.requestId }, acme),
        ...context.commands.map((command) => () => command.run(changed, acme, { ...key, etag: changed.etag })),
      ];
      for (const reuse of reuses) {
        const error = await expectError(reuse(), Status.INVALID_ARGUMENT);
        expect(error.reason).toBe("REQUEST_ID_REUSED");
        expect(error.fields).toEqual(["request_id"]);
      }
      expect(await everything(context, acme)).toEqual(before);
    });

    it("answers concurrent repeats of a command with one answer and applies it once", async () => {
      const context = subject();
      const acme = await as(newTenant());
      const target = await arrange(context, acme);
      const key = { requestId: randomUUID(), etag: target.etag };
      const answers = await Promise.all(Array.from({ length: 5 }, () => context.change.run(target, acme, key)));
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      expect(await context.get(target.id, acme)).toEqual(aggregateOf(context, answers[0]!));
    });
  });
}
